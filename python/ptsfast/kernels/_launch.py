"""Launch sizing shared by the Triton kernels: tile sizes, SM counts and splits of a reduction range.

Plain Python (no triton import), so it is a leaf every Triton module (``kernels/triton/``) can use and tests can call
without Triton. Each helper is one rule that several launchers apply; launchers keep their own
kernel-specific choices (a kernel's ``BLOCK_V``, its ``num_warps``).
"""

from __future__ import annotations

import torch

# Stand-in SM count when Triton runs in its CPU interpreter: enough programs to exercise splits.
INTERPRETER_SMS = 4
MIN_DOT_ROWS = 16  # tl.dot needs at least 16 rows per operand
MAX_DOT_ROWS = 64


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


def next_power_of_2(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def interpreted(device: torch.device) -> bool:
    """Triton runs on a CPU tensor only in its interpreter (``TRITON_INTERPRET=1``)."""
    return device.type == "cpu"


def dot_in_fp32(device: torch.device, dtype: torch.dtype) -> bool:
    """Triton 3.9's interpreter computes bf16 ``tl.dot`` wrongly: kernels upcast to fp32 there. GPUs never do."""
    return interpreted(device) and dtype == torch.bfloat16


def dot_precision(dtype: torch.dtype) -> str:
    """Triton's ``input_precision`` for ``tl.dot`` over ``dtype`` operands. fp32 operands are multiplied as torch
    multiplies fp32 matrices: IEEE unless ``torch.set_float32_matmul_precision`` allows tf32, so a model run in
    fp32 scores as Hugging Face scores it (tf32 dots put fp32 log-probs 0.01 nats off HF's, measured on an H200).
    fp16/bf16 operands go through the tensor cores either way."""
    if dtype == torch.float32 and torch.get_float32_matmul_precision() == "highest":
        return "ieee"
    return "tf32"


def num_sms(device: torch.device) -> int:
    """Streaming multiprocessors of a CUDA device (``INTERPRETER_SMS`` on CPU)."""
    if device.type == "cuda":
        return torch.cuda.get_device_properties(device).multi_processor_count
    return INTERPRETER_SMS


def splits_to_fill(device: torch.device, programs: int) -> int:
    """How many splits of a reduction make ``programs`` (the grid without splits) about two waves of the GPU."""
    return cdiv(2 * num_sms(device), max(programs, 1))


def split_range(length: int, block: int, splits: int) -> tuple[int, int]:
    """Cuts ``[0, length)`` into at most ``splits`` contiguous ranges of whole ``block`` tiles, none empty.

    Returns ``(number of ranges, elements per range)``; ``(0, block)`` for an empty range.
    """
    if length <= 0:
        return 0, block
    tiles = cdiv(length, block)
    per = cdiv(tiles, max(1, splits))
    return cdiv(tiles, per), per * block


def dot_rows(rows: int) -> int:
    """``BLOCK_M`` for a program holding ``rows`` query rows of a ``tl.dot``: a power of 2 in [16, 64]."""
    return min(MAX_DOT_ROWS, max(MIN_DOT_ROWS, next_power_of_2(rows)))


def attention_blocks(head_dim: int, device: torch.device, block_n: int | None = None) -> tuple[int, int]:
    """``(BLOCK_D, BLOCK_N)`` of the attention kernels: the head dim padded to a power of 2 (>= 16), and
    keys per tile (small in the interpreter; on a GPU 64, or 32 for heads above 64 to bound registers).
    ``block_n`` overrides the key tile (tests)."""
    block_d = max(MIN_DOT_ROWS, next_power_of_2(head_dim))
    if block_n is None:
        block_n = 16 if interpreted(device) else (64 if block_d <= 64 else 32)
    return block_d, block_n

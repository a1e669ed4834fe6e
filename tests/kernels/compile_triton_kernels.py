"""Compiles every Triton kernel of ptsfast for one CUDA architecture without a GPU (PTX + ptxas).

Run as ``python compile_triton_kernels.py 90``; prints one ``ok``/``FAIL`` line per kernel and exits 1
if any failed. Used by test_triton_compile.py in a subprocess, without TRITON_INTERPRET.
"""

from __future__ import annotations

import os
import sys

os.environ.pop("TRITON_INTERPRET", None)

import triton  # noqa: E402
from triton.backends.compiler import GPUTarget  # noqa: E402
from triton.compiler import ASTSource  # noqa: E402

from ptsfast.kernels.triton import cascade_attention as triton_cascade  # noqa: E402
from ptsfast.kernels.triton import copy_blocks as triton_copy_blocks  # noqa: E402
from ptsfast.kernels.triton import logprobs as triton_logprobs  # noqa: E402
from ptsfast.kernels.triton import prefill_attention as triton_prefill_attention  # noqa: E402
from ptsfast.kernels.triton import sampling as triton_sampling  # noqa: E402


def _i32(*names):
    return {n: "i32" for n in names}


def _constexpr(**values):
    return {n: "constexpr" for n in values}, values


def _precision(dt: str) -> str:
    """``_launch.dot_precision`` of a pointer type (fp32 at torch's default matmul precision)."""
    return "ieee" if dt == "*fp32" else "tf32"


def kernels():
    """(name, jit function, signature, constexpr values) for every kernel and the dtypes that matter."""
    sig, const = _constexpr(BLOCK=1024)
    yield ("copy_blocks", triton_copy_blocks._copy_blocks_kernel,
           {"cache_ptr": "*i64", "src_ptr": "*i64", "dst_ptr": "*i64", **_i32("num_blocks", "words_per_block"), **sig},
           const)
    for top_k in (0, 5):
        for dt in ("*bf16", "*fp32"):
            sig, const = _constexpr(HAS_BIAS=True, TOP_K=top_k, KP=max(1, triton.next_power_of_2(top_k)),
                                    DOT_F32=False, DOT_PRECISION=_precision(dt), BLOCK_N=64, BLOCK_V=128,
                                    BLOCK_D=64)
            yield (f"logprobs top_k={top_k} {dt}", triton_logprobs._fused_logprobs_kernel,
                   {"h_ptr": dt, "w_ptr": dt, "b_ptr": dt, "tgt_ptr": "*i64", "m_out": "*fp32", "s_out": "*fp32",
                    "t_out": "*fp32", "topv_out": "*fp32", "topi_out": "*i64",
                    **_i32("N", "V", "D", "span", "stride_hn", "stride_hd", "stride_wv", "stride_wd"), **sig}, const)
    sig, const = _constexpr(BLOCK_V=2048, PRECISE_LOG=True)
    yield ("sample partial", triton_sampling._sample_partial_kernel,
           {"logits_ptr": "*bf16", "stride_b": "i32", "temp_ptr": "*fp32", "cutoff_ptr": "*fp32", "key_ptr": "*i64",
            "best_v_out": "*fp32", "best_i_out": "*i64", "best_x_out": "*fp32", "m_out": "*fp32", "s_out": "*fp32",
            **_i32("V", "span", "num_splits"), **sig}, const)
    sig, const = _constexpr(SPLITS_P=8)
    yield ("sample combine", triton_sampling._sample_combine_kernel,
           {"best_v_ptr": "*fp32", "best_i_ptr": "*i64", "best_x_ptr": "*fp32", "m_ptr": "*fp32", "s_ptr": "*fp32",
            "tokens_out": "*i64", "logprobs_out": "*fp32", "num_splits": "i32", **sig}, const)
    for dt in ("*bf16", "*fp16", "*fp32"):
        sig, const = _constexpr(BLOCK_M=16, BLOCK_N=32, BLOCK_D=128, DOT_F32=False, DOT_PRECISION=_precision(dt))
        yield (f"cascade partial {dt}", triton_cascade._cascade_partial_kernel,
               {"q_ptr": dt, "k_ptr": dt, "v_ptr": dt,
                **{n: "*i32" for n in ("table_ptr", "lens_ptr", "rows_ptr", "item_start_ptr", "item_count_ptr",
                                       "tile_item_ptr", "tile_m0_ptr")},
                "o_ptr": "*fp32", "lse_ptr": "*fp32",
                **_i32("stride_qb", "stride_qh", "stride_kb", "stride_ks", "stride_kh", "stride_table", "B", "Hq", "D",
                       "rep", "block_size", "split_len", "split_base"),
                "scale": "fp32", "window": "i32", **sig}, const)
    for dt in ("*bf16", "*fp16", "*fp32"):
        sig, const = _constexpr(BLOCK_M=64, BLOCK_N=32, BLOCK_D=128, DOT_F32=False, DOT_PRECISION=_precision(dt))
        yield (f"prefill attention {dt}", triton_prefill_attention._prefill_attention_kernel,
               {"q_ptr": dt, "k_ptr": dt, "v_ptr": dt, "o_ptr": dt, "cu_ptr": "*i32", "tile_seq_ptr": "*i32",
                "tile_m0_ptr": "*i32",
                **_i32("stride_qt", "stride_qh", "stride_kt", "stride_kh", "stride_vt", "stride_vh", "stride_ot",
                       "stride_oh", "rep", "D"),
                "scale": "fp32", **sig}, const)
    sig, const = _constexpr(SP=8, BLOCK_D=128, WRITE_LSE=True)
    yield ("merge", triton_cascade._merge_kernel,
           {"o_ptr": "*fp32", "lse_ptr": "*fp32", "out_ptr": "*bf16", "lse_out_ptr": "*fp32", **_i32("R", "D", "S"),
            **sig}, const)


def main(arch: int) -> int:
    target = GPUTarget("cuda", arch, 32)
    failed = 0
    for name, fn, signature, constexprs in kernels():
        try:
            compiled = triton.compile(ASTSource(fn=fn, signature=signature, constexprs=constexprs), target=target)
            print("ok  ", name, len(compiled.asm["ptx"]))
        except Exception as e:  # noqa: BLE001 - report every kernel, then fail
            failed += 1
            print("FAIL", name, type(e).__name__, str(e)[:2000])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))

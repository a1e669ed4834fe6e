"""Every Triton kernel compiles to a CUDA binary (PTX + ptxas) for sm_80 and sm_90 without a GPU.

The interpreter tests check the numerics; this catches what only the compiler rejects (types of
loop-carried values, scalar branches, libdevice calls). Runs in a subprocess without TRITON_INTERPRET.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = 'import os, sys\nos.environ.pop("TRITON_INTERPRET", None)\nimport triton\nfrom triton.backends.compiler import GPUTarget\nfrom triton.compiler import ASTSource\nfrom ptsfast.kernels import triton_copy_blocks as cb, triton_logprobs as lp, triton_sampling as sp, triton_cascade as cc\ntgt = GPUTarget("cuda", int(sys.argv[1]), 32)\nfailed = 0\ndef comp(fn, sig, consts, name):\n    global failed\n    try:\n        triton.compile(ASTSource(fn=fn, signature=sig, constexprs=consts), target=tgt)\n        print("ok  ", name)\n    except Exception as e:\n        failed += 1\n        print("FAIL", name, type(e).__name__, str(e)[:3000])\ndef comp(fn, sig, consts, name):\n    try:\n        k = triton.compile(ASTSource(fn=fn, signature=sig, constexprs=consts), target=tgt)\n        print("ok  ", name, len(k.asm["ptx"]))\n    except Exception as e:\n        print("FAIL", name, type(e).__name__, str(e)[:1500])\ncomp(cb._copy_blocks_kernel, {"cache_ptr":"*i64","src_ptr":"*i64","dst_ptr":"*i64","num_blocks":"i32","words_per_block":"i32","BLOCK":"constexpr"}, {"BLOCK":1024}, "copy_blocks")\nfor topk in (0, 5):\n  for dt in ("*bf16", "*fp32"):\n    sig = {"h_ptr":dt,"w_ptr":dt,"b_ptr":dt,"tgt_ptr":"*i64","m_out":"*fp32","s_out":"*fp32","t_out":"*fp32","topv_out":"*fp32","topi_out":"*i64",\n       "N":"i32","V":"i32","D":"i32","span":"i32","stride_hn":"i32","stride_hd":"i32","stride_wv":"i32","stride_wd":"i32",\n       "HAS_BIAS":"constexpr","TOP_K":"constexpr","KP":"constexpr","DOT_F32":"constexpr","BLOCK_N":"constexpr","BLOCK_V":"constexpr","BLOCK_D":"constexpr"}\n    comp(lp._fused_logprobs_kernel, sig, {"HAS_BIAS":True,"TOP_K":topk,"KP":max(1,triton.next_power_of_2(topk)),"DOT_F32":False,"BLOCK_N":64,"BLOCK_V":128,"BLOCK_D":64}, f"logprobs topk={topk} {dt}")\nsig = {"logits_ptr":"*bf16","stride_b":"i32","temp_ptr":"*fp32","cutoff_ptr":"*fp32","key_ptr":"*i64","best_v_out":"*fp32","best_i_out":"*i64","best_x_out":"*fp32","m_out":"*fp32","s_out":"*fp32",\n       "V":"i32","span":"i32","num_splits":"i32","BLOCK_V":"constexpr","PRECISE_LOG":"constexpr"}\ncomp(sp._sample_partial_kernel, sig, {"BLOCK_V":2048,"PRECISE_LOG":True}, "sample partial")\nsig = {"best_v_ptr":"*fp32","best_i_ptr":"*i64","best_x_ptr":"*fp32","m_ptr":"*fp32","s_ptr":"*fp32","tokens_out":"*i64","logprobs_out":"*fp32","num_splits":"i32","SPLITS_P":"constexpr"}\ncomp(sp._sample_combine_kernel, sig, {"SPLITS_P":8}, "sample combine")\nfor dt in ("*bf16","*fp16","*fp32"):\n  sig = {"q_ptr":dt,"k_ptr":dt,"v_ptr":dt,"table_ptr":"*i32","lens_ptr":"*i32","rows_ptr":"*i32","item_start_ptr":"*i32","item_count_ptr":"*i32","tile_item_ptr":"*i32","tile_m0_ptr":"*i32","o_ptr":"*fp32","lse_ptr":"*fp32",\n       "stride_qb":"i32","stride_qh":"i32","stride_kb":"i32","stride_ks":"i32","stride_kh":"i32","stride_table":"i32","B":"i32","Hq":"i32","D":"i32","rep":"i32","block_size":"i32","split_len":"i32","split_base":"i32","scale":"fp32",\n       "BLOCK_M":"constexpr","BLOCK_N":"constexpr","BLOCK_D":"constexpr","DOT_F32":"constexpr"}\n  comp(cc._cascade_partial_kernel, sig, {"BLOCK_M":16,"BLOCK_N":32,"BLOCK_D":128,"DOT_F32":False}, f"cascade partial {dt}")\nsig = {"o_ptr":"*fp32","lse_ptr":"*fp32","out_ptr":"*bf16","lse_out_ptr":"*fp32","R":"i32","D":"i32","S":"i32","SP":"constexpr","BLOCK_D":"constexpr","WRITE_LSE":"constexpr"}\ncomp(cc._merge_kernel, sig, {"SP":8,"BLOCK_D":128,"WRITE_LSE":True}, "merge")\nsys.exit(1 if failed else 0)\n'


def _cuda_backend_available() -> bool:
    try:
        from triton.backends.nvidia.compiler import CUDABackend  # noqa: F401
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _cuda_backend_available(), reason="Triton without its CUDA backend")
@pytest.mark.parametrize("arch", [80, 90])
def test_triton_kernels_compile_for_gpu(arch):
    env = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    res = subprocess.run([sys.executable, "-c", SCRIPT, str(arch)], capture_output=True, text=True, env=env,
                         timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("ok  ") == 11, res.stdout

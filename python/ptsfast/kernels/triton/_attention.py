"""``@triton.jit`` building blocks shared by the attention kernels (``cascade_attention``, ``prefill_attention``).

Imported only by Triton modules (it imports triton); a leaf of the kernels' import graph.
"""

from __future__ import annotations

import triton
import triton.language as tl


@triton.jit
def online_softmax_step(m_i, l_i, acc, s, v, DOT_PRECISION: tl.constexpr):
    """Folds one tile of keys into a running softmax-weighted sum (flash attention's update).

    m_i ``[M]`` running max, l_i ``[M]`` running sum of ``exp(s - m_i)``, acc ``[M, D]`` fp32 running
    ``sum exp(s - m_i) * v``; s ``[M, N]`` fp32 scaled scores of this tile (-inf = masked), v ``[N, D]``.
    ``DOT_PRECISION`` is ``_launch.dot_precision`` of v's dtype. A row with no valid key so far keeps
    ``m = -inf`` and ``l = 0`` (never ``-inf - -inf = NaN``).
    Returns the updated ``(m_i, l_i, acc)``.
    """
    m_new = tl.maximum(m_i, tl.max(s, 1))
    m_safe = tl.where(m_new == float("-inf"), 0.0, m_new)
    alpha = tl.exp(m_i - m_safe)
    p = tl.exp(s - m_safe[:, None])
    l_i = l_i * alpha + tl.sum(p, 1)
    acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v, input_precision=DOT_PRECISION)
    return m_new, l_i, acc

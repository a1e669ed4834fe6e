"""The Triton backends, one module per op (``<op>.py`` holds ``<op>_triton``), imported on first use.

Triton is optional: a dispatcher loads its module through ``_dispatch.triton_module`` only when Triton was
chosen. These modules import the kernels' leaves (``_dispatch``, ``_launch``, ``types``) and each other
(``_attention.py`` holds the ``@triton.jit`` steps the attention kernels share), never a dispatcher.
"""

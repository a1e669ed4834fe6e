"""Extracts the C++ headers of a CUDA build of torch into a folder (argv[1]) and prints it.

CI has nvcc but only the CPU build of torch, whose headers lack c10/cuda's generated files. The
headers of the CUDA wheel (the same major version line) let CI compile csrc/cuda/*.cu without a GPU.
"""

import glob
import os
import subprocess
import sys
import tempfile
import zipfile

dest = os.path.abspath(sys.argv[1])
if os.path.exists(os.path.join(dest, "torch/include/c10/cuda/impl/cuda_cmake_macros.h")):
    print(os.path.join(dest, "torch/include"))
    sys.exit(0)
spec = os.environ.get("TORCH_CUDA_WHEEL_SPEC", "torch==2.14.1")
with tempfile.TemporaryDirectory() as tmp:
    local = "/opt/pypi-more/simple"
    index = ["--index-url", "file://" + local] if os.path.isdir(local) else []
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
                    *index, spec, "-d", tmp], check=True, stdout=sys.stderr)
    (wheel,) = glob.glob(os.path.join(tmp, "torch-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        z.extractall(dest, [n for n in z.namelist() if n.startswith("torch/include/")])
print(os.path.join(dest, "torch/include"))

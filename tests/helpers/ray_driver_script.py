"""The driver of a Ray mining run, as a separate process (a test SIGKILLs it mid-run, then resumes).

usage: python tests/helpers/ray_driver_script.py MODEL_DIR OUT_DIR RAY_ADDRESS
"""

import sys
from pathlib import Path

from mine_script import OPTIONS, PROBLEMS

# the very oracle the test resumes with (a run resumes only with the same oracle), from the pipeline tests
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from test_ray import Oracle  # noqa: E402

from ptsfast.pipeline.ray import RayOptions, mine_ray


if __name__ == "__main__":
    options = OPTIONS.__class__(**{**OPTIONS.__dict__, "problems_per_batch": 4})
    print(mine_ray(sys.argv[1], PROBLEMS, sys.argv[2], options, RayOptions(address=sys.argv[3], workers=2),
                   model_name="tiny", oracle=Oracle(), progress=False))

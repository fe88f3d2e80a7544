"""Every course-note example prints exactly what real PyTorch printed (expected/*.txt was
recorded from torch 2.13), when run with `import torch` mapped to the engine."""
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
EXAMPLES = sorted((HERE / "course_examples").glob("[0-9]*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_prints_what_torch_prints(script):
    expected = (HERE / "course_examples" / "expected" / (script.stem + ".txt")).read_text()
    proc = subprocess.run([sys.executable, str(HERE / "run_as_torch.py"), str(script)],
                          capture_output=True, text=True, timeout=120, cwd=HERE.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == expected

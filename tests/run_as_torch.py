"""Run a Python script with `import torch` (and its submodules) resolving to the engine.

    python tests/run_as_torch.py path/to/script.py
"""
from __future__ import annotations

import pathlib
import runpy
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import engine  # noqa: E402


def alias_engine_as_torch() -> None:
    """Register engine and every loaded engine.* submodule under the torch.* names."""
    sys.modules["torch"] = engine
    for name, module in list(sys.modules.items()):
        if name.startswith("engine."):
            sys.modules["torch." + name[len("engine."):]] = module


if __name__ == "__main__":
    alias_engine_as_torch()
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")

"""A warning at the line that called into the engine, as PyTorch attributes its kernels'
warnings to the Python line that called them: however many engine frames (argument binding,
helpers) lie between, which a fixed stacklevel cannot know."""
from __future__ import annotations

import os
import sys
import warnings

_ENGINE = os.path.dirname(os.path.abspath(__file__)) + os.sep

__all__ = ["warn", "warn_once"]

_WARNED: set = set()    # what warn_once has said in this process


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def warn_once(message: str, category: type[Warning] = UserWarning) -> None:
    """PyTorch's TORCH_WARN_ONCE: the first time in a process only."""
    if message not in _WARNED:
        _WARNED.add(message)
        warn(message, category)

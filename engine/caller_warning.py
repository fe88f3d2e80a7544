"""A warning at the line that called into the engine, as PyTorch attributes its kernels'
warnings to the Python line that called them: however many engine frames (argument binding,
helpers) lie between, which a fixed stacklevel cannot know."""
from __future__ import annotations

import os
import sys
import warnings

_ENGINE = os.path.dirname(os.path.abspath(__file__)) + os.sep

__all__ = ["warn"]


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)

"""Import up front everything a run may reach, because a run process may open no file.

A module first imported inside a run would be read from disk, which Landlock and seccomp
refuse; so the worker imports the whole engine, the explorer's run-side modules, and the parts
of the standard library and NumPy that they or learner code load lazily."""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["preload"]

# Loaded lazily by NumPy, the standard library or the engine on first use.
_LAZY = ("numpy.linalg", "numpy.fft", "numpy.random", "numpy.lib.stride_tricks",
         "numpy.lib.recfunctions", "numpy.ma", "numpy.polynomial", "numpy._core._exceptions",
         "numpy._core._internal", "numpy._core._dtype", "numpy._core._methods",
         "numpy._core.arrayprint", "encodings.ascii", "encodings.latin_1", "encodings.utf_8",
         "encodings.utf_16", "encodings.utf_32", "encodings.idna", "encodings.unicode_escape",
         "encodings.cp437", "encodings.utf_8_sig", "zipfile", "zlib", "binascii", "base64",
         "encodings.raw_unicode_escape", "unicodedata", "decimal", "fractions", "statistics",
         "traceback", "linecache", "tokenize", "difflib", "textwrap", "pprint", "json",
         "collections.abc", "copy", "itertools", "functools", "operator", "string", "re",
         "dataclasses", "typing", "warnings", "contextlib", "math", "cmath", "random", "time")


def _walk(package: str) -> None:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


def preload(backend: str = "engine") -> None:
    """Import the engine (or leave PyTorch to its own warm-up), the explorer's modules that run
    inside a run process, and the lazily loaded modules above."""
    for name in _LAZY:
        importlib.import_module(name)
    from ..texts import LANGUAGES, ROOT, table
    for lang in LANGUAGES:        # explanations are read from these files (cached per call form)
        table(lang)
        table(lang, ROOT)
    if backend == "engine":
        _walk("engine")
    for name in ("explorer.sandbox.execute", "explorer.sandbox.namespace",
                 "explorer.sandbox.policy", "explorer.recorder", "explorer.compare",
                 "explorer.gradcheck", "explorer.explain", "explorer.sandbox.fit",
                 "RestrictedPython", "RestrictedPython.Guards", "RestrictedPython.Eval"):
        importlib.import_module(name)

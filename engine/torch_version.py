"""torch.__version__: a str that compares as a version ("2.13.0+cpu" >= "2.0", < (3, 0)),
as PyTorch's TorchVersion does with packaging's rules for the cases programs check."""
from __future__ import annotations

import re

__all__ = ["TorchVersion", "__version__"]


def _key(version) -> tuple:
    """(release numbers, pre-release flag, local label): enough to order the versions programs
    compare against ("1.13", "2.0.1", "2.1.0a0", (2, 0), "2.13.0+cpu")."""
    if isinstance(version, (tuple, list)):   # as TorchVersion: (2, 0) means "2.0"
        version = ".".join(str(v) for v in version)
    if not isinstance(version, str):
        raise TypeError(f"'{type(version).__name__}' object is not a version")
    public, _, local = version.strip().lstrip("v").partition("+")
    match = re.match(r"(\d+(?:\.\d+)*)(.*)", public)
    if match is None:
        raise ValueError(f"Invalid version: '{version}'")
    release = tuple(int(p) for p in match.group(1).split("."))
    return release, 0 if match.group(2) else 1, local


def _compare(a, b) -> int:
    (ra, pa, la), (rb, pb, lb) = _key(a), _key(b)
    width = max(len(ra), len(rb))
    ra, rb = ra + (0,) * (width - len(ra)), rb + (0,) * (width - len(rb))
    left, right = (ra, pa, la), (rb, pb, lb)
    return (left > right) - (left < right)


class TorchVersion(str):
    """A version string that compares with strings and tuples as versions."""

    def __lt__(self, other) -> bool:
        return _compare(self, other) < 0

    def __le__(self, other) -> bool:
        return _compare(self, other) <= 0

    def __gt__(self, other) -> bool:
        return _compare(self, other) > 0

    def __ge__(self, other) -> bool:
        return _compare(self, other) >= 0

    def __eq__(self, other) -> bool:
        try:
            return _compare(self, other) == 0
        except (TypeError, ValueError):
            return False

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


TorchVersion.__module__ = "torch.torch_version"
__version__ = TorchVersion("2.13.0+cpu")

"""The course as a path: lessons in order, the next one, and which the learner has done.

Progress travels in the URL as the done lessons' ids in course order (`done=dtypes,broadcasting`),
so a copied link keeps the ticks; anything in it that names no lesson is dropped."""
from __future__ import annotations

from collections.abc import Iterable

__all__ = ["next_lesson", "parse_done", "format_done"]


def next_lesson(order: tuple[str, ...], current: str) -> str | None:
    """The lesson after `current`, or None at the end of the course."""
    position = order.index(current)
    return order[position + 1] if position + 1 < len(order) else None


def parse_done(order: tuple[str, ...], text: str | None) -> frozenset[str]:
    """The done lessons a URL's `done=` lists (unknown ids ignored)."""
    return frozenset(part for part in (text or "").split(",") if part in order)


def format_done(order: tuple[str, ...], done: Iterable[str]) -> str:
    """The URL's `done=` value: the done lessons' ids in course order."""
    chosen = set(done)
    return ",".join(lesson_id for lesson_id in order if lesson_id in chosen)

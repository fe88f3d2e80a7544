"""Every sentence the app shows, in one place per language: `<lang>/ui.toml` for the interface
and `<lang>/lessons.toml` for the lessons.

    from explorer.texts import t
    t("lesson.broadcasting.title", "zh-CN")

Nested TOML tables become dotted keys. Pages never hold prose of their own, so adding a language
means adding one folder, and a test keeps the languages' keys identical."""
from __future__ import annotations

import functools
import pathlib
import tomllib

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANGUAGE_NAMES", "ROOT", "pick_language", "t",
           "table"]

LANGUAGES = ("en", "zh-CN")
LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}
DEFAULT_LANGUAGE = "en"
ROOT = pathlib.Path(__file__).parent


def pick_language(requested: str | None) -> str:
    """A supported language code for whatever a URL or a browser asked for (case-insensitive,
    "zh" alone means Simplified Chinese); English when nothing fits."""
    wanted = (requested or "").strip().lower()
    for code in LANGUAGES:
        if wanted in (code.lower(), code.split("-")[0].lower()):
            return code
    return DEFAULT_LANGUAGE


def _flatten(prefix: str, value: object, into: dict, source: pathlib.Path) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _flatten(f"{prefix}.{name}" if prefix else name, inner, into, source)
    elif isinstance(value, str):
        if prefix in into:
            raise ValueError(f"text key {prefix!r} is defined twice ({source.name})")
        into[prefix] = value
    else:
        raise TypeError(f"text {prefix!r} in {source} must be a string")


@functools.cache
def table(lang: str, root: pathlib.Path = ROOT) -> dict[str, str]:
    """All texts of one language, as {dotted key: text}, read from every .toml in its folder."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    texts: dict[str, str] = {}
    for path in sorted((root / lang).glob("*.toml")):
        with path.open("rb") as f:
            _flatten("", tomllib.load(f), texts, path)
    return texts


def t(key: str, lang: str, **fmt: object) -> str:
    """The text for `key` in `lang`, with `{name}` fields filled from `fmt` when given.

    A key missing in a translation falls back to English (tests/test_texts.py lists such keys
    and fails); a key missing in English is a bug and raises KeyError."""
    text = table(lang, ROOT).get(key)
    if text is None:
        text = table(DEFAULT_LANGUAGE, ROOT)[key]
    return text.format(**fmt) if fmt else text

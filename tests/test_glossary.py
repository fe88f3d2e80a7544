"""One glossary (explorer/texts/glossary.toml) that both languages' texts follow: every zh-CN text
avoids the words the glossary forbids (步长 is stride only, never a slice's step; broadcasting is
广播 and a size-1 dimension is 扩展, never 拉伸; in-place is 原地), and for a paired term each
English text that uses it has the chosen Chinese word in its translation."""
import re
import tomllib

import pytest

from explorer.texts import LANGUAGES, ROOT, table

GLOSSARY_PATH = ROOT / "glossary.toml"
with GLOSSARY_PATH.open("rb") as _f:
    GLOSSARY = tomllib.load(_f)


def forbidden_uses(texts: dict[str, str], glossary: dict) -> list[tuple[str, str, str]]:
    """(text key, term, forbidden word) for every forbidden word a text uses."""
    return [(key, term, word) for key, text in sorted(texts.items())
            for term, entry in glossary.items() for word in entry.get("forbidden", ())
            if word in text]


def unpaired(english: dict[str, str], chinese: dict[str, str], glossary: dict) -> list:
    """(text key, term) where the English text uses a paired term and the Chinese one lacks
    the glossary's word for it."""
    return [(key, term) for term, entry in glossary.items() if entry.get("paired")
            for key, text in sorted(english.items())
            if re.search(rf"\b{re.escape(entry['en'])}", text, re.IGNORECASE)
            and entry["zh-CN"] not in chinese.get(key, "")]


def test_the_glossary_is_well_formed():
    assert {"stride", "step", "broadcasting", "expand", "in-place", "batch", "buffer",
            "learning-rate"} <= set(GLOSSARY)
    chosen = {entry["zh-CN"] for entry in GLOSSARY.values()}
    for term, entry in GLOSSARY.items():
        assert set(entry) <= {"en", "zh-CN", "why", "forbidden", "paired"}, term
        assert entry["en"] and entry["zh-CN"] and entry["why"], term
        # a forbidden word never rules out a chosen one (e.g. forbidding 步长 would forbid stride)
        assert not any(word in ok for word in entry.get("forbidden", ())
                       for ok in chosen), term
    assert GLOSSARY["stride"]["zh-CN"] == "步长" and GLOSSARY["step"]["zh-CN"] != "步长"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_no_chinese_text_uses_a_word_the_glossary_forbids(lang):
    assert forbidden_uses(table(lang), GLOSSARY) == []


def test_a_paired_term_in_english_has_its_chinese_word_in_the_translation():
    assert unpaired(table("en"), table("zh-CN"), GLOSSARY) == []


def test_the_checks_catch_the_old_mixed_words():
    """The texts as they were: 步长 for a slice's step, 拉伸 for broadcasting, 原位, stride."""
    old = {"a": "切片里的步长会让 stride 成倍增大", "b": "大小为 1 的维度会被“拉伸”",
           "c": "原位操作必须把结果写回", "d": "沿第 0 维的 stride 为 0"}
    assert {(key, term) for key, term, _ in forbidden_uses(old, GLOSSARY)} >= {
        ("a", "step"), ("b", "broadcasting"), ("b", "expand"), ("c", "in-place")}
    english = {"d": "stretched (stride 0 along dim 0)", "c": "An in-place operation"}
    assert sorted(unpaired(english, old, GLOSSARY)) == [("c", "in-place"), ("d", "stride")]

"""The interface and lesson texts exist in every language with the same keys, none is empty, the
Chinese ones are really Chinese, and the loader falls back to English only for a missing key."""
import re

import pytest

from explorer import texts
from explorer.texts import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    pick_language,
    t,
    table,
)

CJK = re.compile(r"[\u3400-\u9fff]")
# Two English words in a row: a phrase someone forgot to translate. Labels such as "DOT", "SVG"
# or "grad_fn" may rightly stay as they are.
ENGLISH_PHRASE = re.compile(r"[A-Za-z]{2,} [a-z]{2,}")


def test_every_language_has_exactly_the_same_keys():
    english = set(table("en"))
    assert any(key.startswith("lesson.") for key in english)
    for lang in LANGUAGES:
        keys = set(table(lang))
        assert sorted(english - keys) == [], f"missing in {lang}"
        assert sorted(keys - english) == [], f"only in {lang}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_is_empty(lang):
    assert [key for key, text in table(lang).items() if not text.strip()] == []


def test_chinese_texts_are_chinese():
    english = table("en")
    untranslated = [key for key, text in table("zh-CN").items()
                    if not CJK.search(text)
                    and (text != english[key] or ENGLISH_PHRASE.search(text))]
    assert untranslated == []


def test_languages_have_display_names_and_a_default():
    assert set(LANGUAGE_NAMES) == set(LANGUAGES) and DEFAULT_LANGUAGE in LANGUAGES
    assert pick_language("zh-CN") == "zh-CN" and pick_language("zh-cn") == "zh-CN"
    assert pick_language("zh") == "zh-CN" and pick_language("EN") == "en"
    assert pick_language(None) == "en" and pick_language("fr") == "en"


def test_t_reads_the_language_fills_fields_and_falls_back_to_english(tmp_path, monkeypatch):
    (tmp_path / "en").mkdir()
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "en" / "ui.toml").write_text('[run]\nbutton = "Run"\n'
                                             'count = "{n} steps"\nbrace = "a {b}"\n')
    (tmp_path / "en" / "lessons.toml").write_text('[lesson.x]\ntitle = "X"\n')
    (tmp_path / "zh-CN" / "ui.toml").write_text('[run]\nbutton = "运行"\n')
    (tmp_path / "zh-CN" / "lessons.toml").write_text('[lesson.x]\ntitle = "乙"\n')
    monkeypatch.setattr(texts, "ROOT", tmp_path)
    assert t("run.button", "zh-CN") == "运行"
    assert t("lesson.x.title", "zh-CN") == "乙"           # both files are read
    assert t("run.count", "zh-CN", n=3) == "3 steps"       # missing in zh-CN: English
    assert t("run.brace", "en") == "a {b}"                 # no fields given: left as written
    with pytest.raises(KeyError):
        t("run.nothing", "en")
    with pytest.raises(ValueError, match="unknown language"):
        t("run.button", "fr")


def test_a_key_defined_twice_or_a_non_string_is_refused(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.toml").write_text('[x]\ny = "1"\n')
    (tmp_path / "en" / "b.toml").write_text('x.y = "2"\n')
    with pytest.raises(ValueError, match="defined twice"):
        table("en", tmp_path)
    (tmp_path / "en" / "b.toml").write_text("n = 2\n")
    with pytest.raises(TypeError, match="must be a string"):
        table("en", tmp_path)   # a failed load is not cached

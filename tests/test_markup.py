"""explorer.markup: learner text made safe for Markdown and for any widget. (What a real browser
does with it is tested end to end in test_e2e_hostile.py.)"""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from explorer.markup import clean, clean_rows, clean_tree, code, escape, one_line

ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def test_lone_surrogates_become_the_replacement_character_and_pairs_their_character():
    assert clean("a\ud800b") == "a\ufffdb"
    assert clean("\udc00") == "\ufffd"
    assert clean("a\ud800\ud800b") == "a\ufffd\ufffdb"
    assert clean("\ud83d\ude00") == "\U0001F600"          # a pair written as two halves
    assert clean("plain ascii") == "plain ascii"
    assert clean("中文 ✓") == "中文 ✓"
    assert clean(42) == "42"


@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF,
                                      blacklist_categories=())))
def test_cleaned_text_always_encodes_and_keeps_what_was_valid(text):
    cleaned = clean(text)
    cleaned.encode("utf-8")                                  # never raises
    if not re.search("[\ud800-\udfff]", text):
        assert cleaned == text


def test_code_spans_hold_any_text_on_one_line():
    assert code("x") == "`x`"
    assert code("a`b") == "``a`b``"
    assert code("``x") == "``` ``x ```"
    assert code(" a ") == "`  a  `"                       # CommonMark strips one space each side
    assert code("a\n\n# b\r\nc") == "`a  # b c`"          # no blank line, no heading
    assert code("") == ""
    assert code("a\ud800") == "`a\ufffd`"


def test_escaped_text_has_every_ascii_punctuation_mark_escaped_and_no_autolink_start():
    text = ("![x](http://127.0.0.1:9/p.png) <img src=x> [l](javascript:alert(1)) **b** _i_ "
            "$x$ :smile: :red[r] www.example.com a@b.example &amp; # h\n- item")
    escaped = escape(text)
    assert "\n" not in escaped
    unescaped = re.sub(r"\\(.)", "", escaped)
    assert not ASCII_PUNCTUATION.search(unescaped), unescaped
    assert "http:" not in escaped.replace("\\", "") and "www." not in escaped.replace("\\", "")
    assert "a@" not in escaped.replace("\\", "")
    # What a reader sees: the same characters (the word joiners are invisible).
    shown = re.sub(r"\\(.)", r"\1", escaped).replace("\u2060", "")
    assert shown == one_line(text)


def test_tables_and_chart_specs_are_cleaned_all_the_way_down():
    assert clean_rows([{"name\ud800": "w\ud800", "n": 1}]) == [{"name\ufffd": "w\ufffd", "n": 1}]
    spec = {"layout": {"title": {"text": "x\ud800"}}, "data": [{"y": ("a\ud800", 2.0)}]}
    assert clean_tree(spec) == {"layout": {"title": {"text": "x\ufffd"}},
                                "data": [{"y": ("a\ufffd", 2.0)}]}


@pytest.mark.parametrize("text", ["a\u2028b", "a\x85b", "a\rb", "a\fb"])
def test_every_line_break_python_knows_becomes_a_space(text):
    assert one_line(text) == "a b"

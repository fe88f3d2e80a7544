"""Share links round-trip the session's state through the URL exactly, whatever the code holds."""
from urllib.parse import parse_qs, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from explorer.share import share_link


@given(st.text(min_size=1), st.sampled_from(["en", "zh-CN"]))
def test_a_share_link_carries_the_code_and_language_unchanged(code, lang):
    link = share_link("http://localhost:8501/lessons?old=1", {"code": code, "lang": lang})
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "localhost:8501", "/lessons")
    assert parse_qs(parts.query, keep_blank_values=True) == {"code": [code], "lang": [lang]}


def test_empty_values_are_left_out_and_an_unknown_address_gives_a_relative_link():
    assert share_link(None, {"code": "x = 1", "var": None, "view": ""}) == "/?code=x%20%3D%201"

"""The error explanations: real messages get their sentence with the numbers filled in, in both
languages; a message the learner crafted can neither make the patterns backtrack (every repeat
is bounded and the patterns see only the capped first line) nor put Markdown into the page."""
from __future__ import annotations

import re

import pytest

from explorer import explain as explain_module
from explorer.explain import LESSON_OF, MESSAGE_CAP, explain, lesson_link
from explorer.texts import LANGUAGES, t

try:                                    # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:                     # pragma: no cover - older Pythons
    import sre_constants
    import sre_parse

REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT,
           getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT)}


# PyTorch 2.13's first lines (the engine's are pinned to them by the differential tests).
REAL = [
    ("RuntimeError", "The size of tensor a (3) must match the size of tensor b (2) at "
                     "non-singleton dimension 1", "broadcast_mismatch", ("3", "2", "1")),
    ("RuntimeError", "output with shape [3] doesn't match the broadcast shape [2, 3]",
     "inplace_broadcast", ("3", "2\\, 3")),
    ("RuntimeError", "shape '[4, -1]' is invalid for input of size 6", "reshape_size",
     ("4\\, \\-1", "6")),
    ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)", "matmul_shapes",
     ("2", "3", "2", "3")),
    ("IndexError", "index 5 is out of bounds for dimension 0 with size 3", "index_bounds",
     ("5", "0", "3")),
    ("RuntimeError", "expected scalar type Float but found Double", "dtype_mismatch",
     ("", "", "")),
    ("RuntimeError", "refusing to allocate a tensor of 10,000,000,000 elements (shape "
                     "[100000, 100000]): the limit here is 50,000,000 elements", "too_large",
     ("10\\,000\\,000\\,000",)),
    ("AttributeError", "module 'torch' has no attribute 'load' in Autograd Explorer",
     "module_attribute", ("torch", "load")),
    ("RuntimeError", "element 0 of tensors does not require grad and does not have a grad_fn",
     "no_grad_fn", ("0",)),
    # the meta device's own words for the same mistakes, and for reading values it has not got
    ("RuntimeError", "Attempting to broadcast a dimension of length 4 at -1! Mismatching argument "
                     "at index 1 had torch.Size([4]); but expected shape should be broadcastable "
                     "to [2, 3]", "broadcast_meta", ("4", "\\-1", "1", "4", "2\\, 3")),
    ("RuntimeError", "a and b must have same reduction dim, but got [2, 3] X [4, 5].",
     "matmul_shapes", ("2", "3", "4", "5")),
    ("RuntimeError", "Tensor on device cpu is not on the expected device meta!",
     "device_mismatch", ("cpu", "meta")),
    ("NotImplementedError", "Cannot copy out of meta tensor; no data!", "meta_no_data", ()),
    ("RuntimeError", "Tensor.item() cannot be called on meta tensors", "meta_no_data", ()),
    # old code's CUDA types: x.type(torch.cuda.FloatTensor), torch.cuda.FloatTensor([1.])
    ("RuntimeError", "Cannot initialize CUDA without ATen_cuda library. PyTorch splits its "
                     "backend into two shared libraries: a CPU library and a CUDA library",
     "no_cuda", ()),
    ("TypeError", "type torch.cuda.FloatTensor not available. Torch not compiled with CUDA "
                  "enabled.", "no_cuda", ()),
    ("NotImplementedError", "aten::_unique2: attempted to run this operator with Meta tensors, "
                            "but there was no fake impl or Meta kernel registered.", "meta_op",
     ()),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("error_type, message, key, fields", REAL,
                         ids=[case[2] for case in REAL])
def test_a_real_message_gets_its_sentence_with_the_numbers_filled_in(error_type, message, key,
                                                                    fields, lang):
    expected = t(f"explain.{key}", lang).format(*fields)
    if key in LESSON_OF:            # a mistake's explanation ends with a link to its lesson
        expected += " " + lesson_link(LESSON_OF[key], lang)
    assert explain(error_type, message, lang) == expected


def test_an_unmatched_message_falls_back_to_its_error_type_and_otherwise_says_nothing():
    assert explain("NameError", "name 'q' is not defined") == t("explain.type.NameError", "en")
    assert explain("ValueError", "something else entirely") == ""


def _unbounded_repeats(parsed) -> list[str]:
    """Every repeat in a parsed pattern (at any depth) whose upper bound is unlimited."""
    found = []
    for op, arg in parsed:
        if op in REPEATS and arg[1] == sre_constants.MAXREPEAT:
            found.append(f"{{{arg[0]},}}")
        stack = [arg]
        while stack:
            item = stack.pop()
            if isinstance(item, sre_parse.SubPattern):
                found += _unbounded_repeats(item)
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
    return found


def test_the_unbounded_checker_sees_what_the_old_patterns_had():
    for old in (r"output with shape \[(.*)\]", r"size (\d+)", r"(?:a|(b+))", r"x(?=y*)"):
        assert _unbounded_repeats(sre_parse.parse(old)), old
    assert not _unbounded_repeats(sre_parse.parse(r"size (\d{1,20}) [^\]]{0,200}"))


@pytest.mark.parametrize("key", list(explain_module._PATTERNS))
def test_no_pattern_has_an_unbounded_repeat(key):
    """A `(.*)` or `\\d+` backtracks without limit on a crafted message; bounded repeats on a
    capped message cannot."""
    patterns = explain_module._PATTERNS[key]     # one pattern, or a tuple of them
    for pattern in patterns if isinstance(patterns, tuple) else (patterns,):
        assert _unbounded_repeats(sre_parse.parse(pattern)) == [], pattern


class _Spy:
    """A compiled pattern that records the length of every text it is asked to search."""

    def __init__(self, pattern: re.Pattern, seen: list) -> None:
        self.pattern, self.seen = pattern, seen

    def search(self, text: str):
        self.seen.append(len(text))
        return self.pattern.search(text)


def test_the_patterns_see_at_most_the_capped_first_line_of_a_huge_message(monkeypatch):
    seen: list[int] = []
    spied = [(_Spy(pattern, seen), key) for pattern, key in explain_module._COMPILED]
    monkeypatch.setattr(explain_module, "_COMPILED", spied)
    # The old patterns' worst case: their literal prefix over and over, never completed.
    crafted = "output with shape [" * (2**20 // 19) + "\nshape '[1]' is invalid for input of size 1"
    assert len(crafted) > 2**20
    assert explain("RuntimeError", crafted) == ""            # the second line is never read
    assert seen and max(seen) <= MESSAGE_CAP
    seen.clear()
    first_line = "x" * 50 + "\nThe size of tensor a (3) must match the size of tensor b (2) at " \
                            "non-singleton dimension 1"
    assert explain("RuntimeError", first_line) == ""
    assert max(seen) == 50


_ESCAPED = re.compile(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~])*")


@pytest.mark.parametrize("message, key", [
    ("output with shape [<img src=http://127.0.0.1:9/p.png>] doesn't match the broadcast shape "
     "[<script>alert(1)</script>]", "inplace_broadcast"),
    ("shape '[<b>x</b> **bold** $x$ :smile: (http://127.0.0.1:9/p.png) a@b.example]' is invalid "
     "for input of size 6", "reshape_size"),
    ("module 'www.example.com' has no attribute 'evil' in Autograd Explorer", "module_attribute"),
])
def test_words_taken_from_a_crafted_message_are_escaped(message, key):
    why = explain("RuntimeError", message)
    if key in LESSON_OF:            # the link to the lesson is ours, not the message's
        why = why.removesuffix(" " + lesson_link(LESSON_OF[key], "en"))
    template = t(f"explain.{key}", "en")
    # The sentence's own words around the placeholders, and what filled each placeholder.
    pieces = re.split(r"\{\d\}", template)
    filled = re.fullmatch("(.*?)".join(map(re.escape, pieces)), why, re.S)
    assert filled, why
    for words in filled.groups():
        assert _ESCAPED.fullmatch(words), words    # every ASCII punctuation mark escaped
        assert "www." not in words and "http:" not in words and not re.search(r"\w@", words)

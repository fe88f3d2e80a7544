"""Labels for tensors no name is bound to stay cheap on hostile programs: a share link runs on
open and its labels are spelled on the server for every viewer (twelfth outside attack: a cat
of K tensors, each a cat of K, cost K**4 spellings; a 10,000-op squeeze chain overflowed the
stack)."""
from __future__ import annotations

from explorer.sandbox.execute import execute
from explorer.views import names
from explorer.views.graph import graph_dot
from explorer.views.names import expressions, tensor_names

CATS = 40
CATS_OF_CATS = ("import torch\nt = torch.zeros(0, requires_grad=True)\n"
                + f"t = torch.cat(\n    [t] * {CATS})\nt = t.unsqueeze(\n    0)\n" * 3
                + f"y = torch.cat(\n    [t] * {CATS})\nt = None\n")


def test_a_call_with_many_inputs_spells_the_first_few_and_each_tensor_once(monkeypatch):
    run = execute(CATS_OF_CATS)
    assert run.error is None, run.error
    spelled = []
    original = names._Speller._spelled
    monkeypatch.setattr(names._Speller, "_spelled",
                        lambda self, *args: spelled.append(args) or original(self, *args))
    found = expressions(run, tensor_names(run), list(run.graph.tensors))
    cats = [found[op.outputs[0]] for op in run.graph.ops if op.outputs[0] in found
            and op.op == "cat"]
    assert len(cats) == 3 and all(text.startswith("cat(") and text.endswith(", …)")
                                  for text in cats), cats
    assert len(spelled) <= 10 * len(run.graph.tensors), "each (tensor, depth) spelled once"


def test_a_long_squeeze_chain_is_walked_without_recursion():
    source = ("import torch\nt = torch.zeros(2, requires_grad=True)\nfor i in range(3000):\n"
              "    t = t.unsqueeze(\n        0)\n    t = t.squeeze(\n        )\n"
              "y = torch.cat([t, t])\nt = None\n")
    run = execute(source)
    assert run.error is None and len(run.graph.ops) > 6000
    found = expressions(run, tensor_names(run), list(run.graph.tensors))
    last = next(op for op in run.graph.ops if op.op == "cat").inputs[0]   # the last squeeze
    assert found[last].startswith("squeeze(")
    assert "<I>" in graph_dot(run)        # drawn, labels and all


def test_ops_a_backward_formula_made_are_spelled_with_torchs_function_names():
    """Double backward draws the ops backward formulas ran; a registry entry for one overload
    of a torch function (`mul_scalar`: torch.mul with a number) reads as that function, its
    number as "…" (issue 14: names a learner recognises; it read 'mul_scalar(pow(x))')."""
    import re
    source = ("import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x ** 3\n"
              "g, = torch.autograd.grad(y.sum(), x, create_graph=True)\n(g.pow(2)).sum().backward()\n")
    run = execute(source)
    spelled = set(re.findall(r"<I>(.*?)</I>", graph_dot(run)))
    assert "pow(x) * …" in spelled, spelled
    assert not [text for text in spelled if re.search(r"_(scalar|tensor|dim)\b", text)], spelled


def test_a_backwards_graph_names_inputs_made_outside_it_by_the_learners_text():
    """A backward's picture holds only the ops autograd recorded, yet the inputs it draws may
    have been made without grad (`xs[t]`, a slice of data): they keep the learner's text
    instead of reading '3 · float32' (issue 14: temporaries by the expression that made them)."""
    import re

    from explorer.views.graph import scoped
    source = ("import torch\nxs = torch.randn(4, 3)\nw = torch.randn(3, 3, requires_grad=True)\n"
              "h = torch.zeros(3)\nfor t in range(4):\n    h = torch.tanh(xs[t] + h @ w)\n"
              "h.sum().backward()\n")
    run = execute(source)
    spelled = set(re.findall(r"<I>(.*?)</I>", graph_dot(scoped(run, -1))))
    assert "xs[t]" in spelled, spelled


def test_the_learners_texts_are_found_in_one_pass_over_the_ops(monkeypatch):
    """Which tensors a Module call made was worked out once per tensor with a text, a pass over
    every op each time: 19,000 slices in a loop cost 5.8 s of server CPU per graph."""
    calls = []
    original = names._made_in_calls
    monkeypatch.setattr(names, "_made_in_calls", lambda run: calls.append(1) or original(run))
    run = execute("import torch\nx = torch.zeros(64)\nfor i in range(200):\n    x[i % 64:]\n")
    expressions(run, tensor_names(run), list(run.graph.tensors))
    assert len(calls) == 1

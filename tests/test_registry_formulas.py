"""Each op's formula text, the one the app shows a learner, names exactly the saved values its
gradient reads as the registry declares them (`saves`, and per input `reads`): what is saved is
stated, never parsed from display text, and the text cannot drift from it.

A formula names a saved value by its key (`self`, `dim`, `result`) or the way PyTorch's
derivatives.yaml spells it: `self.sizes()` for `self_sym_sizes`, `self.numel()` for
`self_sym_numel`, `indices` for a values/indices op's `result1`.
"""
from __future__ import annotations

import re

import pytest

import engine  # noqa: F401  (declares every op)
from engine.ops import REGISTRY

SPELLINGS = {"self.sizes()": "self_sym_sizes", "self.numel()": "self_sym_numel",
             "indices": "result1"}

# The op families declared in one form so far; the other op modules still have formula texts
# written as prose (issue 17 lists them).
FAMILIES = ("engine.ops.pointwise.", "engine.ops.reduction.")
OPS = [op for op in REGISTRY.values() if op.forward.__module__.startswith(FAMILIES)]


def named(op, text: str) -> set:
    """The saved keys and inputs a formula text names."""
    for spelled, key in SPELLINGS.items():
        if key in op.saves:
            text = text.replace(spelled, f" {key} ")
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)) & (set(op.inputs) | set(op.saves))


def declared_reads(op, name: str) -> set:
    return set(op.saves if op.reads is None else op.reads.get(name, ()))


@pytest.mark.parametrize("op, name", [pytest.param(op, name, id=f"{op.name}-{name}")
                                      for op in OPS for name in op.formulas])
def test_formula_names_what_its_gradient_reads(op, name):
    text = op.formulas[name]
    assert named(op, text) == declared_reads(op, name), (
        f"{op.name}: the formula for {name!r}, {text!r}, names {sorted(named(op, text))}; its "
        f"gradient reads {sorted(declared_reads(op, name))}")


@pytest.mark.parametrize("op", [op for op in OPS if op.grad_fn is not None],
                         ids=lambda op: op.name)
def test_gradients_of_several_inputs_state_what_they_read(op):
    """Where a saved input may be kept for one gradient but not another, `reads` says which."""
    differentiable = [n for n in op.inputs if op.differentiable(n)]
    saved_inputs = [k for k in op.saves if k in op.inputs]
    if len(differentiable) < 2 or not saved_inputs:
        return
    assert op.reads is not None, f"{op.name} saves {saved_inputs}: declare reads="
    for key in saved_inputs:
        assert any(key in keys for keys in op.reads.values()), \
            f"{op.name} saves {key!r} but no gradient reads it"


def test_a_saved_input_is_kept_only_for_a_gradient_that_reads_it():
    """mul with only `self` requiring grad keeps `other` (its gradient's factor), not `self`:
    changing `self` in place afterwards does not break backward, as in PyTorch."""
    a = engine.ones(3, requires_grad=True)
    b = engine.ones(3)
    y = a * b
    assert y.grad_fn._saved_self is None and y.grad_fn._saved_other is not None
    b2 = engine.ones(3)
    z = b2 * a
    b2.add_(1)   # saved for a's gradient: modified in place
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_the_families_are_found():
    assert {"mul", "exp", "where", "clamp_min_tensor", "sum", "softmax", "sort"} <= \
        {op.name for op in OPS}


def test_reads_must_name_saved_values():
    from engine.ops.registry import defop
    with pytest.raises(ValueError, match="not saved"):
        defop("test_only_bad_reads", "BadBackward0", inputs=("self", "other"), saves=("self",),
              reads={"self": ("other",)})

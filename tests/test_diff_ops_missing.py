"""Ops learners paste from PyTorch's tutorials that the engine once lacked (issue 16): trace,
tile, kron, cross, einsum, unique and histc, against real torch: values, dtype, strides,
grad_fn names (the whole chain for the composites), gradients and error first lines."""
import warnings

import numpy as np
import pytest
import torch

import engine
from difftest import each, run_both

RNG = np.random.default_rng(16)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def chain(fn):
    """A grad_fn and every node under it, as nested (name, children)."""
    if fn is None:
        return None
    return (type(fn).__name__, tuple(chain(g) for g, _ in fn.next_functions))


def same_chain(fn, *args):
    """The composite builds the same graph as torch's (AccumulateGrad leaves included)."""
    e, t = run_both(fn, *args, backward=True)
    if t is not None:
        assert chain(e.grad_fn) == chain(t.grad_fn)


def test_trace():
    each([(f"{shape} {dt}", lambda a=rand(*shape, dtype=dt): run_both(
        lambda lib, x: lib.trace(x), a, backward=True))
        for shape in [(3, 3), (2, 4), (4, 2), (3,), (2, 2, 2)]
        for dt in [np.float32, np.float64, np.int32, np.int64, np.bool_]]
         + [("method", lambda: run_both(lambda lib, x: x.trace(), rand(3, 3), backward=True))])


def test_tile():
    each([(f"{shape} {dims}", lambda a=rand(*shape), d=dims: same_chain(
        lambda lib, x: lib.tile(x, d), a))
        for shape in [(2, 3), (3,), ()] for dims in [(2,), (2, 1), (1, 2, 2), (3, 1, 1, 2)]]
         + [("method varargs", lambda: same_chain(lambda lib, x: x.tile(2, 2), rand(2, 3))),
            ("method tuple", lambda: same_chain(lambda lib, x: x.tile((2,)), rand(2, 3)))])


def test_kron():
    shapes = [((2, 3), (4, 5)), ((2,), (3,)), ((2, 3), (4,)), ((3,), (2, 2, 2))]
    each([(f"{a} {b}", lambda a=rand(*a), b=rand(*b): same_chain(
        lambda lib, x, y: lib.kron(x, y), a, b)) for a, b in shapes]
         + [("int and float", lambda: run_both(lambda lib, x, y: lib.kron(x, y),
                                                np.arange(6, dtype=np.int32).reshape(2, 3),
                                                rand(2)))])


def test_kron_of_a_transposed_input_fails_like_torch():
    same_chain(lambda lib, x, y: lib.kron(x.t(), y), rand(3, 2), rand(2, 2))


def test_cross():
    cases = [
        ("linalg default", lambda lib, x, y: lib.linalg.cross(x, y), rand(4, 3), rand(4, 3)),
        ("linalg dim 0", lambda lib, x, y: lib.linalg.cross(x, y, dim=0), rand(3, 4), rand(3, 4)),
        ("broadcast", lambda lib, x, y: lib.linalg.cross(x, y), rand(4, 3), rand(1, 3)),
        ("cross dim", lambda lib, x, y: lib.cross(x, y, dim=1), rand(2, 3), rand(2, 3)),
        ("method", lambda lib, x, y: x.cross(y, dim=-1), rand(2, 3), rand(2, 3)),
        ("bad length", lambda lib, x, y: lib.linalg.cross(x, y), rand(3, 4), rand(3, 4)),
        ("bad rank", lambda lib, x, y: lib.linalg.cross(x, y), rand(3), rand(2, 3)),
        ("no broadcast", lambda lib, x, y: lib.linalg.cross(x, y), rand(2, 3), rand(4, 3)),
        ("dtypes", lambda lib, x, y: lib.linalg.cross(x, y), rand(2, 3),
         rand(2, 3, dtype=np.float64)),
        ("ints", lambda lib, x, y: lib.linalg.cross(x, y), np.arange(6).reshape(2, 3),
         np.arange(6).reshape(2, 3)[::-1].copy()),
        ("no size 3", lambda lib, x, y: lib.cross(x, y), rand(2, 4), rand(2, 4)),
    ]
    each([(label, lambda f=f, a=a: run_both(f, *a, backward=True)) for label, f, *a in cases])


def test_cross_without_dim_warns_once_like_torch():
    """torch warns once per process (TORCH_WARN_ONCE): its text comes from a fresh process."""
    import subprocess
    import sys
    torch_text = subprocess.run(
        [sys.executable, "-c", "import warnings, torch\n"
         "with warnings.catch_warnings(record=True) as w:\n"
         "    warnings.simplefilter('always')\n"
         "    torch.cross(torch.ones(3, 4), torch.ones(3, 4))\n"
         "    torch.cross(torch.ones(3, 4), torch.ones(3, 4))\n"
         "print(repr([str(m.message).split(' (Triggered')[0] for m in w]))"],
        capture_output=True, text=True, check=True).stdout.strip()
    from engine import caller_warning
    caller_warning._WARNED.clear()      # once per process: this test's process may have warned
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        engine.cross(engine.ones(3, 4), engine.ones(3, 4))
        engine.cross(engine.ones(3, 4), engine.ones(3, 4))
    assert repr([str(w.message) for w in caught]) == torch_text
    run_both(lambda lib, x, y: lib.cross(x, y), rand(3, 4), rand(3, 4), backward=True)


EINSUM = [
    ("ij,jk->ik", (3, 4), (4, 5)),
    ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("ii->", (3, 3)),
    ("ii->i", (3, 3)),
    ("ii", (3, 3)),
    ("i,j->ij", (3,), (4,)),
    ("ij->ji", (3, 4)),
    ("ij->i", (3, 4)),
    ("ij->j", (3, 4)),
    ("ij->", (3, 4)),
    ("ij,ij->ij", (3, 4), (3, 4)),
    ("ij,j->i", (3, 4), (4,)),
    ("i,i->", (3,), (3,)),
    ("ij,jk", (3, 4), (4, 5)),
    ("ij,kj->ik", (3, 4), (5, 4)),
    ("bhqd,bhkd->bhqk", (2, 2, 3, 4), (2, 2, 5, 4)),
    ("...ij,...jk->...ik", (2, 3, 4), (4, 5)),
    ("ij,jk,kl->il", (2, 3), (3, 4), (4, 2)),
    ("bi,bi->b", (3, 4), (3, 4)),
    ("ijk->kji", (2, 3, 4)),
]


@pytest.mark.parametrize("equation,shapes", [(e, s) for e, *s in EINSUM],
                         ids=[e for e, *_ in EINSUM])
def test_einsum_values_grads_and_graph(equation, shapes):
    same_chain(lambda lib, *ops: lib.einsum(equation, *ops), *[rand(*s) for s in shapes])


def test_einsum_list_of_operands_and_errors():
    each([
        ("list", lambda: same_chain(lambda lib, x, y: lib.einsum("ij,jk->ik", [x, y]),
                                    rand(2, 3), rand(3, 2))),
        ("too few dims", lambda: run_both(lambda lib, x: lib.einsum("ijk->i", x), rand(2, 3))),
        ("missing operand", lambda: run_both(lambda lib, x: lib.einsum("ij,jk->ik", x),
                                             rand(2, 3))),
        ("unknown output", lambda: run_both(lambda lib, x: lib.einsum("ij->k", x), rand(2, 3))),
        ("sizes that do not broadcast", lambda: run_both(
            lambda lib, x, y: lib.einsum("ij,jk->ik", x, y), rand(2, 3), rand(2, 2))),
        ("through an ellipsis", lambda: run_both(
            lambda lib, x, y: lib.einsum("...j,jk", x, y), rand(4, 2, 3), rand(2, 2))),
        ("a third operand", lambda: run_both(
            lambda lib, x, y, z: lib.einsum("i,i,i", x, y, z), rand(3), rand(1), rand(2))),
        ("a size of 1 broadcasts", lambda: run_both(
            lambda lib, x, y: lib.einsum("ij,jk", x, y), rand(2, 1), rand(3, 2))),
        ("a repeated subscript", lambda: run_both(lambda lib, x: lib.einsum("ii->i", x),
                                                  rand(2, 3))),
    ])


def test_unique():
    data = [np.array([3, 1, 2, 3, 1]), np.array([[3., 1.], [2., 3.]], np.float32),
            np.array(5), np.array([True, False, True])]
    cases = []
    for a in data:
        for inverse in (False, True):
            for counts in (False, True):
                cases.append((f"{a.tolist()} {inverse} {counts}",
                              lambda a=a, i=inverse, c=counts: run_both(
                                  lambda lib, x: lib.unique(x, return_inverse=i,
                                                            return_counts=c), a)))
    cases += [("method", lambda: run_both(lambda lib, x: x.unique(return_counts=True),
                                          np.array([2, 2, 1]))),
              ("grad_fn", lambda: run_both(lambda lib, x: lib.unique(x), rand(4),
                                           requires_grad=True)),
              ("dim 0", lambda: run_both(lambda lib, x: lib.unique(x, dim=0, return_inverse=True,
                                                                   return_counts=True),
                                         np.array([[1, 2], [1, 2], [0, 3]]))),
              ("dim 1", lambda: run_both(lambda lib, x: lib.unique(x, dim=1),
                                         np.array([[1, 2, 1], [3, 4, 3]])))]
    each(cases)


def test_unique_has_no_derivative_like_torch():
    errors = []
    for lib in (torch, engine):
        x = lib.tensor([1., 2., 2.], requires_grad=True)
        with pytest.raises(RuntimeError) as caught:
            lib.unique(x).sum().backward()
        errors.append(str(caught.value).splitlines()[0])
    assert errors[1] == errors[0]


def test_histc():
    each([
        ("default range", lambda: run_both(lambda lib, x: lib.histc(x, bins=5), rand(50))),
        ("given range", lambda: run_both(lambda lib, x: lib.histc(x, 4, -1, 1), rand(50))),
        ("float64 grad", lambda: run_both(lambda lib, x: lib.histc(x, bins=3),
                                          rand(20, dtype=np.float64), requires_grad=True)),
        ("constant", lambda: run_both(lambda lib, x: lib.histc(x, bins=3), np.ones(3, np.float32))),
        ("empty", lambda: run_both(lambda lib, x: lib.histc(x, bins=2), np.zeros(0, np.float32))),
        ("default bins", lambda: run_both(lambda lib, x: lib.histc(x), rand(200))),
        ("ints", lambda: run_both(lambda lib, x: lib.histc(x), np.arange(5))),
        ("min > max", lambda: run_both(lambda lib, x: lib.histc(x, 3, 2, 1), rand(4))),
        ("method", lambda: run_both(lambda lib, x: x.histc(4), rand(10))),
    ])


def test_through_the_sandbox():
    from explorer import run_code
    run = run_code("import torch\nprint(torch.trace(torch.eye(3)))\n"
                   "print(torch.einsum('ii->', torch.eye(2)))\n"
                   "print(torch.unique(torch.tensor([2, 1, 2])))\n")
    assert run.error is None, run.error
    assert run.stdout == "tensor(3.)\ntensor(2.)\ntensor([1, 2])\n"

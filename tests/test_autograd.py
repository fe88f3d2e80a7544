"""Autograd semantics, differentially against real PyTorch: requires_grad, grad_fn graphs,
saved tensors, backward/grad, grad modes, hooks, version counters, the order backward runs nodes
in, higher-order gradients and the matrix products.

Each test is a scenario run on torch and on the engine (see `differential`); every value,
grad_fn name and error first line the scenario logs must agree.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
import torch

import engine
from difftest import first_line


class Log:
    def __init__(self, lib) -> None:
        self.lib = lib
        self.items: list = []

    def __call__(self, *values) -> None:
        self.items.extend(observe(v) for v in values)

    def error(self, fn):
        """Run fn; log its result, or the exception's type and first line."""
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - the exception is what we compare
            self.items.append(("raised", type(exc).__name__, first_line(exc)))
            return None
        self.items.append(("returned", observe(result)))
        return result


def observe(x):
    """A library-independent description of a value."""
    if isinstance(x, (torch.Tensor, engine.Tensor)):
        fn = x.grad_fn
        return ("tensor", str(x.dtype), tuple(x.shape), np.asarray(x.detach().numpy(), float),
                x.requires_grad, x.is_leaf, fn.name() if fn is not None else None)
    if isinstance(x, (torch.autograd.graph.Node, engine.autograd.graph.Node)):
        return ("node", x.name())
    if isinstance(x, (torch.Size, engine.Size)):
        return ("size", tuple(x))
    if isinstance(x, (torch.dtype, engine.dtype)):
        return ("dtype", str(x))
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, tuple(observe(v) for v in x))
    if isinstance(x, dict):
        return ("dict", tuple((k, observe(v)) for k, v in x.items()))
    if isinstance(x, float):
        return ("float", np.asarray(x))
    return x


def assert_same_log(e, t, where: str = "log") -> None:
    if isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray) and e.shape == t.shape, f"{where}: {e!r} != {t!r}"
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=where)
    elif isinstance(t, tuple):
        assert isinstance(e, tuple) and len(e) == len(t), f"{where}:\n engine {e!r}\n torch  {t!r}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same_log(a, b, f"{where}[{i}]")
    else:
        assert e == t, f"{where}:\n engine {e!r}\n torch  {t!r}"


def run_scenario(fn, lib) -> list:
    log = Log(lib)
    fn(lib, log)
    return log.items


def differential(fn):
    """Turn fn(lib, log) into a test comparing the engine's log with torch's."""
    @functools.wraps(fn)
    def test(*args, **kwargs):
        bound = functools.partial(fn, *args, **kwargs) if args or kwargs else fn
        expected = run_scenario(lambda lib, log: bound(lib, log), torch)
        got = run_scenario(lambda lib, log: bound(lib, log), engine)
        assert expected, "the scenario logged nothing"
        assert_same_log(tuple(got), tuple(expected))
    test.__signature__ = _without_lib_log(fn)
    return test


def _without_lib_log(fn):
    import inspect
    sig = inspect.signature(fn)
    params = [p for name, p in sig.parameters.items() if name not in ("lib", "log")]
    return sig.replace(parameters=params)


def graph(t) -> tuple:
    """t's backward graph as nested tuples: name, output_nr of each edge, shared nodes by number,
    AccumulateGrad by which leaf (position in `leaves`) it accumulates into."""
    ids: dict = {}

    def walk(fn):
        if fn is None:
            return None
        if id(fn) in ids:
            return ("same as", ids[id(fn)])
        ids[id(fn)] = len(ids)
        extra = ()
        if type(fn).__name__ == "AccumulateGrad":
            extra = (tuple(fn.variable.shape),)
        return (fn.name(),) + extra + (tuple((walk(f), nr) for f, nr in fn.next_functions),)

    return walk(t.grad_fn)


def execution_order(lib, roots, leaves, grads=None, **kw) -> list:
    """Names of the nodes in the order backward runs them (pre-hooks), and leaf hooks."""
    seen, stack, nodes = set(), [r.grad_fn for r in roots], []
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        nodes.append(n)
        stack.extend(f for f, _ in n.next_functions)
    label = {n: f"{n.name()}#{i}" for i, n in enumerate(nodes)}
    order: list = []
    for n in nodes:
        n.register_prehook(lambda g, n=n: order.append(label[n]))
    for i, leaf in enumerate(leaves):
        leaf.register_hook(lambda g, i=i: order.append(f"leaf{i}"))
    lib.autograd.backward(roots, grads or [lib.ones_like(r) for r in roots], **kw)
    return order


def scenario_inputs(lib):
    x = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = lib.tensor([1.5, 0.25, -0.75], requires_grad=True)
    c = lib.tensor([2.0, 3.0, 4.0])
    return x, w, c


# ---- requires_grad, leaves, grad_fn names and the graph structure ------------------------------
@differential
def test_requires_grad_propagates_and_leaves_are_marked(lib, log):
    x, w, c = scenario_inputs(lib)
    for t in (x, c, x * c, c * 2, c + w, (c * 2).sum(), x.detach(), x.detach() * w):
        log(t.requires_grad, t.is_leaf, t.grad_fn)
    log(x.grad, c.grad, x.output_nr, (x * 2).output_nr)
    with lib.no_grad():
        y = x * 2
    log(y.requires_grad, y.is_leaf, y.grad_fn)


EXPRESSIONS = {
    "scalar mul": lambda t, x, w, c: x * 2,
    "rmul": lambda t, x, w, c: 2 * x,
    "add scalar": lambda t, x, w, c: x + 2,
    "rsub": lambda t, x, w, c: 2 - x,
    "sub": lambda t, x, w, c: x - w,
    "rdiv": lambda t, x, w, c: 2 / x,
    "div": lambda t, x, w, c: x / w,
    "rpow": lambda t, x, w, c: 2 ** x,
    "pow": lambda t, x, w, c: x ** 2,
    "pow tensor": lambda t, x, w, c: c ** x,
    "neg": lambda t, x, w, c: -x,
    "constant tensor on the left": lambda t, x, w, c: c * x,
    "shared leaf": lambda t, x, w, c: (x * x + x).sum(),
    "shared node": lambda t, x, w, c: (lambda h: h * h + h.exp())(x * w),
    "two leaves": lambda t, x, w, c: (x * w).exp().mean(),
    "sum times mean": lambda t, x, w, c: x.sum() * x.mean(),
    "unary chain": lambda t, x, w, c: x.sigmoid().tanh().relu(),
    "max": lambda t, x, w, c: x.max(),
    "to double": lambda t, x, w, c: x.double() * 2,
    "views": lambda t, x, w, c: x.unsqueeze(0).expand(2, 3).t(),
    "unbind outputs": lambda t, x, w, c: (lambda a, b, d: a * b + d)(*x.unbind()),
    "cat": lambda t, x, w, c: t.cat([x, x * 2, c]),
    "stack": lambda t, x, w, c: t.stack([x, w]),
    "in-place on a non-leaf": lambda t, x, w, c: x.clone().add_(1).mul_(w),
    "item assignment": lambda t, x, w, c: (lambda y: (y.__setitem__(0, 5.0), y)[1])(x * 1),
    "mm": lambda t, x, w, c: x.unsqueeze(1) @ w.unsqueeze(0),
    "outer": lambda t, x, w, c: t.outer(x, w),
    "dot": lambda t, x, w, c: t.dot(x, w),
    "mv": lambda t, x, w, c: t.mv(t.outer(x, c), w),
}


@pytest.mark.parametrize("name", EXPRESSIONS)
@differential
def test_graph_structure_matches_torch(lib, log, name):
    """grad_fn names, next_functions with output_nr, (None, 0) for constants and wrapped
    Python numbers, shared nodes and AccumulateGrad leaves: the whole graph."""
    x, w, c = scenario_inputs(lib)
    y = EXPRESSIONS[name](lib, x, w, c)
    log(y, graph(y), y.grad_fn.name(), type(y.grad_fn).__name__, repr(y))


@differential
def test_accumulate_grad_points_at_its_leaf(lib, log):
    x, w, c = scenario_inputs(lib)
    y = x * w + x
    acc_x = y.grad_fn.next_functions[0][0].next_functions[0][0]
    log(acc_x.name(), type(acc_x).__name__, acc_x.variable is x, acc_x.next_functions)
    log(y.grad_fn.next_functions[1][0] is acc_x)           # one AccumulateGrad per leaf
    log(isinstance(y.grad_fn, lib.autograd.graph.Node), y.grad_fn.requires_grad)
    log(y.grad_fn.next_functions[0][0]._sequence_nr() < y.grad_fn._sequence_nr())


# ---- saved tensors -------------------------------------------------------------------------------
@differential
def test_saved_tensors_are_visible_like_torch(lib, log):
    x, w, c = scenario_inputs(lib)
    m = x * w
    log(m.grad_fn._saved_self is x, m.grad_fn._saved_other is w)
    e = x.exp()
    r = e.grad_fn._saved_result
    log(r, r is e, r.grad_fn is e.grad_fn, r._version)
    p = x.pow(3)
    log(p.grad_fn._saved_self is x, p.grad_fn._saved_exponent)
    s = x.sum(0, keepdim=True)
    log(s.grad_fn._saved_dim, s.grad_fn._saved_keepdim, s.grad_fn._saved_self_sym_sizes)
    a = x.add(w, alpha=2)
    log(a.grad_fn._saved_alpha)
    k = x * 2
    log(k.grad_fn._saved_other, k.grad_fn._saved_self is x)
    mm = x.unsqueeze(0).mm(w.unsqueeze(1))
    log(mm.grad_fn._saved_self, mm.grad_fn._saved_mat2)
    log("_saved_self" in dir(m.grad_fn), "_saved_result" in dir(e.grad_fn))


@differential
def test_only_the_saved_tensors_a_needed_gradient_reads_are_kept(lib, log):
    """mul saves `self` only for other's gradient, `other` only for self's."""
    x, w, c = scenario_inputs(lib)
    m = x * c
    log(m.grad_fn._saved_self, m.grad_fn._saved_other)
    m = c * x
    log(m.grad_fn._saved_self, m.grad_fn._saved_other is x)
    d = c / x
    log(d.grad_fn._saved_self, d.grad_fn._saved_other)
    mm = c.unsqueeze(0).mm(x.unsqueeze(1))
    log(mm.grad_fn._saved_self, mm.grad_fn._saved_mat2)
    # so modifying the unsaved operand in place afterwards is no error
    h = x * 1
    y = h * c
    h.add_(1)
    y.sum().backward()
    log(x.grad)


@differential
def test_saved_tensors_are_freed_by_backward(lib, log):
    x, w, c = scenario_inputs(lib)
    y = x * w
    s = x.sum(0)
    y.sum().backward()
    log.error(lambda: y.grad_fn._saved_self)
    log.error(lambda: y.grad_fn._saved_other)
    (s * 1).backward()
    log(s.grad_fn._saved_dim)                          # non-tensors survive
    log.error(lambda: y.sum().backward())              # second time through freed buffers
    z = (x + 1).sum()                                  # nothing saved: may run again
    z.backward()
    log.error(lambda: z.backward())
    log(x.grad)
    e = x.exp()
    e.sum().backward(retain_graph=True)
    log(e.grad_fn._saved_result)
    e.sum().backward()
    log.error(lambda: e.grad_fn._saved_result)
    log(x.grad)


# ---- version counters and in-place --------------------------------------------------------------
@differential
def test_version_counters_are_shared_by_views_and_detach_not_data(lib, log):
    x = lib.ones(2, 3)
    v, d, dd = x[0], x.detach(), x.data
    log(x._version, x._version + 1, x._version == 0)
    x.add_(1)
    log(x._version, v._version, d._version, dd._version)
    v.mul_(2)
    dd.mul_(2)
    log(x._version, v._version, d._version, dd._version, x)
    log(d._is_view(), dd._is_view(), v._is_view(), x[0].detach()._is_view())


@pytest.mark.parametrize("case", ["exp output", "sigmoid output", "tanh output", "pow input",
                                  "mul input", "leaf via detach", "0-dim output",
                                  "view of saved input", "saved by a custom op chain"])
@differential
def test_modified_saved_tensor_raises_torch_error(lib, log, case):
    x = lib.tensor([0.5, 1.0, 2.0], requires_grad=True)
    if case == "exp output":
        y = x.exp()
        y.mul_(2)
    elif case == "sigmoid output":
        y = x.sigmoid()
        y.add_(1)
    elif case == "tanh output":
        y = x.tanh()
        y[0] = 0.0
    elif case == "pow input":
        a = x * 1
        y = a ** 2
        a.add_(1)
    elif case == "mul input":
        a, b = x * 1, x * 2
        y = a * b
        b.zero_()
    elif case == "leaf via detach":
        y = x * x
        x.detach().mul_(100)
    elif case == "0-dim output":
        y = x.sum().exp()
        y.add_(1)
    elif case == "view of saved input":
        a = x * 1
        y = a.sin()
        a[1:].mul_(3)
    else:
        a = x.relu()
        y = a.exp() * a
        a.sub_(1)
    log.error(lambda: y.sum().backward())
    log(x.grad)


@differential
def test_data_bypasses_the_version_check(lib, log):
    x = lib.ones(1, requires_grad=True)
    y = x * x
    x.data *= 100
    y.backward()
    log(x.grad, x._version)


@differential
def test_inplace_on_leaf_requiring_grad_is_refused(lib, log):
    w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    log.error(lambda: w.add_(1))
    log.error(lambda: w.mul_(w))
    log.error(lambda: w.__setitem__(0, 5.0))
    log.error(lambda: w[1:].zero_())
    log.error(lambda: w.exp_())
    with lib.no_grad():
        w -= 0.5
        w[0] = 7.0
    log(w, w.is_leaf, w._version)
    h = w * 2
    h.add_(1)
    log(h, h.grad_fn.name(), h.grad_fn.next_functions[0][0].name())


# ---- backward: gradients, vector-Jacobian products, accumulation, retain_graph -------------------
@differential
def test_backward_with_gradient_is_a_vector_jacobian_product(lib, log):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = lib.stack([x[0] * x[1], x[1] + x[2] ** 2, x[0] * x[1] * x[2]])
    y.backward(lib.tensor([1.0, 0.5, -1.0]))
    log(x.grad)
    b = lib.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    (b * b * 3).backward(lib.ones(2, 2))
    log(b.grad)
    s = lib.tensor(1.5, requires_grad=True)
    lib.sin(s ** 2).backward(lib.tensor(2.0))
    log(s.grad)
    d = lib.tensor([1.0, 2.0], requires_grad=True)
    h = d * 2
    h.retain_grad()
    h.backward(lib.tensor([3.0, 4.0], dtype=lib.float64))    # cast to the output's dtype
    log(d.grad, h.grad)


@differential
def test_backward_errors_match_torch(lib, log):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    log.error(lambda: y.backward())
    log.error(lambda: y.backward(lib.ones(2)))
    log.error(lambda: y.backward(lib.ones(2, 3)))
    log.error(lambda: y.sum().backward(lib.ones(3)))
    log.error(lambda: y.backward(1.0))
    log.error(lambda: lib.ones(3).backward())
    log.error(lambda: lib.ones(()).backward())
    log.error(lambda: lib.autograd.backward([y.sum(), lib.ones(())]))
    log.error(lambda: lib.autograd.backward([y.sum(), y.sum()], [None]))
    log.error(lambda: y.sum().backward(inputs=[]))
    log.error(lambda: y.sum().backward(inputs=[lib.ones(3)]))
    log.error(lambda: (x.long() * 2).sum().backward())
    log(x.grad)


@differential
def test_gradients_accumulate_and_retain_graph(lib, log):
    x1 = lib.tensor(1.0, requires_grad=True)
    x2 = lib.tensor(2.0, requires_grad=True)
    for _ in range(3):
        (x1 + 2 * x2).backward()
        log(x1.grad, x2.grad)
    x1.grad.zero_()
    x2.grad = None
    (x1 * x2).backward()
    log(x1.grad, x2.grad)
    w = lib.ones(1, requires_grad=True)
    b = lib.ones(1, requires_grad=True)
    y = w * lib.tensor([0.2249])
    z = y + b
    z.backward(retain_graph=True)
    log(w.grad, b.grad)
    y.backward()
    log(w.grad, b.grad)
    p = lib.tensor([3.0], requires_grad=True)
    q = p * p
    q.backward(retain_graph=True)
    q.backward(retain_graph=True)
    log(p.grad)
    q.backward()
    log.error(lambda: q.backward())
    g = p.grad
    (p * 5).backward()
    log(p.grad is g, p.grad)                 # accumulated in place into the same tensor


@differential
def test_grad_of_non_contiguous_leaf_follows_its_layout(lib, log):
    base = lib.arange(6.0).reshape(2, 3)
    x = base.t().detach().requires_grad_()
    (x * x).sum().backward()
    log(x.grad, x.grad.stride(), x.grad.is_contiguous())
    y = lib.ones(3, 2).requires_grad_()
    y.expand(4, 3, 2).sum().backward()
    log(y.grad, y.grad.stride())


@differential
def test_backward_inputs_accumulates_only_into_them(lib, log):
    x, w, c = scenario_inputs(lib)
    h = x * w
    out = (h * h + w).sum()
    out.backward(inputs=[w], retain_graph=True)
    log(x.grad, w.grad)
    out.backward(inputs=[h])
    log(x.grad, w.grad, h.grad, h.retains_grad)


@differential
def test_grad_attribute_of_non_leaf_warns_and_assignment_is_checked(lib, log):
    x, w, c = scenario_inputs(lib)
    h = x * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log(h.grad)
        log([str(m.message).split(" (Triggered")[0] for m in caught])
        log([m.category.__name__ for m in caught])
    def assign(t, g):
        t.grad = g
    log.error(lambda: assign(x, lib.ones(2)))
    log.error(lambda: assign(x, lib.ones(3, dtype=lib.float64)))
    log.error(lambda: assign(x, 3))
    log.error(lambda: assign(lib.ones(2, dtype=lib.int64), lib.ones(2)))
    log.error(lambda: assign(x, lib.full((3,), 4.0)))
    log(x.grad)
    del x.grad
    log(x.grad)


# ---- create_graph and higher-order gradients ----------------------------------------------------
HIGHER_ORDER = {
    "cubic": lambda x: x ** 3 - 2 * x ** 2 + x,
    "tanh": lambda x: x.tanh(),
    "exp": lambda x: (2 * x).exp(),
    "sin": lambda x: x.sin() * x,
    "sigmoid": lambda x: x.sigmoid(),
    "log": lambda x: (x * x + 1).log(),
    "sqrt": lambda x: (x * x + 1).sqrt(),
    "reciprocal": lambda x: 1 / (x + 3),
    "product": lambda x: x * x.exp() / (x + 3),
    "softplus-like": lambda x: (1 + x.exp()).log(),
}


@pytest.mark.parametrize("name", list(HIGHER_ORDER))
@differential
def test_second_and_third_derivatives(lib, log, name):
    x = lib.tensor([-0.5, 0.25, 1.5], dtype=lib.float64, requires_grad=True)
    y = HIGHER_ORDER[name](x).sum()
    (d1,) = lib.autograd.grad(y, x, create_graph=True)
    log(d1)
    (d2,) = lib.autograd.grad(d1.sum(), x, create_graph=True)
    log(d2)
    (d3,) = lib.autograd.grad(d2.sum(), x)
    log(d3)


@differential
def test_create_graph_backward_keeps_the_grad_graph(lib, log):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (x ** 3).sum().backward(create_graph=True)
        log(x.grad, x.grad.grad_fn)                   # CopyBackwards, then AddBackward0
        (x ** 2).sum().backward(create_graph=True)
    log(x.grad, x.grad.grad_fn)
    g = x.grad
    x.grad = None
    g.sum().backward()
    log(x.grad)
    y = lib.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (y.sum() * 2).backward(create_graph=True)     # a constant gradient: no graph
    log(y.grad)


@differential
def test_mixed_partials_and_hessian_vector_product(lib, log):
    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
    f = (x * x * y + y.exp() * x).sum()
    gx, gy = lib.autograd.grad(f, [x, y], create_graph=True)
    log(gx, gy)
    log(lib.autograd.grad(gx.sum(), [x, y], retain_graph=True))
    log(lib.autograd.grad(gy, [x, y], grad_outputs=lib.tensor([1.0, 2.0], dtype=lib.float64)))


# ---- torch.autograd.grad ------------------------------------------------------------------------
@differential
def test_autograd_grad_options_and_errors(lib, log):
    x, w, c = scenario_inputs(lib)
    unused = lib.ones(2, requires_grad=True)
    y = (x * w).sum()
    log(lib.autograd.grad(y, x, retain_graph=True), x.grad, w.grad)
    log(lib.autograd.grad(y, [x, w], retain_graph=True))
    log(lib.autograd.grad(y, (w,), grad_outputs=lib.tensor(2.0), retain_graph=True))
    log.error(lambda: lib.autograd.grad(y, [x, unused], retain_graph=True))
    log(lib.autograd.grad(y, [x, unused], allow_unused=True, retain_graph=True))
    log(lib.autograd.grad(y, [x, unused], materialize_grads=True, retain_graph=True))
    log.error(lambda: lib.autograd.grad(y, [x], materialize_grads=True, allow_unused=False))
    log.error(lambda: lib.autograd.grad(y, [lib.ones(3)], retain_graph=True))
    log.error(lambda: lib.autograd.grad(y, [], retain_graph=True))
    log.error(lambda: lib.autograd.grad(lib.ones(3), [x]))
    log.error(lambda: lib.autograd.grad(x * 2, [x]))
    log.error(lambda: lib.autograd.grad([y, y], [x], grad_outputs=[None], retain_graph=True))
    log.error(lambda: lib.autograd.grad(y, x, grad_outputs=lib.ones(3), retain_graph=True))
    log(lib.autograd.grad(y, {"a": x, "b": w}, retain_graph=True))
    log(lib.autograd.grad(x, x, lib.ones(3)))                # a leaf is its own input
    h = x * w
    z = (h.exp() * x).sum()
    log(lib.autograd.grad(z, [h, x], retain_graph=True))     # through a non-leaf input
    log(lib.autograd.grad(z, h))
    log.error(lambda: lib.autograd.grad(z, h))
    log(x.grad, w.grad)


@differential
def test_autograd_grad_skips_and_keeps_unneeded_parts(lib, log):
    """Nodes that lead to no requested input neither run nor free their saved tensors."""
    x, w, c = scenario_inputs(lib)
    a = x.exp()
    b = a * w
    log(lib.autograd.grad(b.sum(), w))
    a.sum().backward()                         # ExpBackward0 did not run: still usable
    log(x.grad)


@differential
def test_autograd_functional_jacobian_and_hessian(lib, log):
    F = lib.autograd.functional

    def f(x):
        return lib.stack([x[0] * x[1], x[1] + x[2] ** 2, x[0] * x[1] * x[2]])

    x = lib.tensor([1.0, 2.0, 3.0])
    log(F.jacobian(f, x))
    log(F.jacobian(lambda a, b: a * b.sum(), (x, x + 1)))
    log(F.hessian(lambda t: (t ** 3).sum() + t[0] * t[1], x))
    log(F.vjp(f, x, lib.tensor([1.0, 0.5, -1.0])))
    log(F.jvp(f, x, lib.tensor([1.0, 0.0, 2.0])))
    log(F.hvp(lambda t: (t ** 3).sum(), x, lib.ones(3)))


# ---- grad modes --------------------------------------------------------------------------------
@differential
def test_grad_modes_as_context_managers(lib, log):
    x, w, c = scenario_inputs(lib)
    log(lib.is_grad_enabled())
    with lib.no_grad():
        log((x * 2).requires_grad, lib.is_grad_enabled())
        with lib.enable_grad():
            log((x * 2).requires_grad, lib.is_grad_enabled())
        with lib.set_grad_enabled(True):
            log((x * 2).grad_fn)
        log((x * 2).requires_grad)
    with lib.set_grad_enabled(False):
        log((x * 2).requires_grad)
    log(lib.is_grad_enabled())
    lib.set_grad_enabled(False)
    log((x * 2).requires_grad, lib.is_grad_enabled())
    lib.set_grad_enabled(True)
    with lib.inference_mode():
        log((x * 2).requires_grad, lib.is_grad_enabled())
    with lib.inference_mode(False):
        log((x * 2).requires_grad)
    try:
        with lib.no_grad():
            raise KeyError("inside")
    except KeyError:
        pass
    log(lib.is_grad_enabled())


@differential
def test_grad_mode_belongs_to_the_thread_that_set_it(lib, log):
    import threading
    x, w, c = scenario_inputs(lib)
    seen = []

    def other_thread():
        seen.append((lib.is_grad_enabled(), (x * 2).requires_grad))
        with lib.no_grad():
            ready.set()
            resume.wait(5)

    ready, resume = threading.Event(), threading.Event()
    with lib.no_grad():
        worker = threading.Thread(target=other_thread)
        worker.start()
        ready.wait(5)
    log((x * 2).requires_grad, lib.is_grad_enabled())   # the other thread is still in no_grad
    resume.set()
    worker.join(5)
    log(seen)


@differential
def test_grad_modes_as_decorators(lib, log):
    x, w, c = scenario_inputs(lib)

    @lib.no_grad()
    def triple(t):
        return t * 3

    @lib.no_grad
    def double(t):
        return t * 2

    @lib.enable_grad()
    def square(t):
        return t * t

    @lib.set_grad_enabled(False)
    def halve(t):
        return t / 2

    @lib.inference_mode()
    def neg(t):
        return -t

    @lib.no_grad()
    def steps(t):
        yield (t * 1).requires_grad
        yield lib.is_grad_enabled()

    log(lib.is_grad_enabled())
    log(triple(x).requires_grad, double(x).requires_grad, halve(x).requires_grad,
        neg(x).requires_grad)
    with lib.no_grad():
        log(square(x).requires_grad, square(x).grad_fn)
    gen = steps(x)
    log(next(gen), lib.is_grad_enabled(), next(gen), lib.is_grad_enabled())
    log(triple.__name__, double.__name__)


@differential
def test_inference_mode_flag(lib, log):
    log(lib.is_inference_mode_enabled())
    with lib.inference_mode():
        log(lib.is_inference_mode_enabled())


# ---- detach, .data, requires_grad_, retain_grad --------------------------------------------------
@differential
def test_detach_data_and_requires_grad_(lib, log):
    x, w, c = scenario_inputs(lib)
    d = x.detach()
    log(d, d.requires_grad, d.is_leaf, d.data_ptr() == x.data_ptr())
    y = (x * d).sum()
    y.backward()
    log(x.grad)
    h = x * 2
    log(h.detach_(), h.requires_grad, h.is_leaf, h.grad_fn)
    log.error(lambda: (x * 2).requires_grad_(False))
    log((x * 2).requires_grad_(True).grad_fn)
    log.error(lambda: lib.ones(3, dtype=lib.int64).requires_grad_())
    a = lib.tensor([[-0.2342, -1.2398], [-0.8127, -0.9557]])
    log(a.requires_grad_(), a.detach_(), a.requires_grad)
    log(x.data, x.data.requires_grad, x.data.is_leaf)
    v = x[1:]
    log.error(lambda: v.detach_())
    z = lib.ones(2)
    z.requires_grad = True
    log(z)
    def set_flag():
        (z * 2).requires_grad = False
    log.error(set_flag)
    e = lib.ones(3, requires_grad=True)
    e.data = lib.tensor([1.0, 2.0, 3.0])
    (e * e).sum().backward()
    log(e, e.grad)


@differential
def test_retain_grad_on_intermediate_results(lib, log):
    a = lib.tensor([2.0, 3.0], requires_grad=True)
    h = a * a
    log(h.retains_grad, a.retains_grad)
    h.retain_grad()
    h.retain_grad()
    a.retain_grad()
    log(h.retains_grad, a.retains_grad)
    (h * 4).sum().backward(retain_graph=True)
    log(h.grad, a.grad)
    (h * 4).sum().backward()
    log(h.grad, a.grad)
    log.error(lambda: lib.ones(2).retain_grad())
    u = a * 3
    u.retain_grad()
    lib.autograd.grad((u * u).sum(), a)          # retain_grad also fills in during grad()
    log(u.grad, a.grad)
    v = a * 1
    v.retain_grad()
    v.mul_(3)                                    # retain_grad follows the new history
    (v * v).sum().backward()
    log(v.grad)


# ---- hooks ---------------------------------------------------------------------------------------
@differential
def test_tensor_hooks_modify_gradients_and_can_be_removed(lib, log):
    x, w, c = scenario_inputs(lib)
    seen = []
    h1 = x.register_hook(lambda g: seen.append(("x", g.clone())) or g * 10)
    h = x * w
    hh = h.register_hook(lambda g: g + 1)
    h.register_hook(lambda g: seen.append(("h", g.clone())))
    h.sum().backward(retain_graph=True)
    log(x.grad, w.grad, seen)
    h1.remove()
    hh.remove()
    hh.remove()
    x.grad = w.grad = None
    seen.clear()
    h.sum().backward()
    log(x.grad, w.grad, seen)
    log.error(lambda: lib.ones(3).register_hook(lambda g: g))
    log.error(lambda: (x * 2).register_post_accumulate_grad_hook(lambda t: None))


@differential
def test_hooks_apply_in_autograd_grad_and_before_retain_grad(lib, log):
    x = lib.ones(3, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    log(lib.autograd.grad((x * 2).sum(), x))
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda g: g * 3)
    (h * 1).sum().backward()
    log(h.grad, x.grad)


@differential
def test_hook_receives_none_for_unused_output_and_bad_results_fail(lib, log):
    x = lib.ones(2, 3, requires_grad=True)
    a, b = x.unbind()
    calls = []
    a.register_hook(lambda g: calls.append(g))
    b.sum().backward()
    log(calls, x.grad)
    y = lib.ones(3, requires_grad=True)
    z = y * 2
    z.register_hook(lambda g: 5)
    log.error(lambda: z.sum().backward(retain_graph=True))
    z2 = y * 3
    z2.register_hook(lambda g: lib.ones(2))
    log.error(lambda: z2.sum().backward())
    z3 = y * 4

    def to_double(g):
        return g.double()
    z3.register_hook(to_double)
    log.error(lambda: z3.sum().backward())


@differential
def test_hooks_registered_before_inplace_stay_with_old_value(lib, log):
    x = lib.ones(3, requires_grad=True)
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(("old", g)))
    h.mul_(3)
    h.register_hook(lambda g: seen.append(("new", g)))
    (h * h).sum().backward()
    log(seen, x.grad)


@differential
def test_node_hooks_and_post_accumulate_grad_hooks(lib, log):
    x, w, c = scenario_inputs(lib)
    y = x * w
    z = y.exp().sum()
    events = []
    y.grad_fn.register_prehook(lambda go: events.append(("pre", go)) or (go[0] * 2,))
    handle = y.grad_fn.register_hook(lambda gi, go: events.append(("post", gi, go)))
    x.register_post_accumulate_grad_hook(lambda t: events.append(("acc", t.grad)))
    z.backward(retain_graph=True)
    log(events, x.grad, w.grad)
    handle.remove()
    events.clear()
    y.grad_fn.register_hook(lambda gi, go: (gi[0], None))
    z.backward()
    log(events, x.grad, w.grad)


@differential
def test_calling_grad_fn_directly(lib, log):
    x = lib.ones(3, requires_grad=True)
    y = x * lib.ones(2, 1)
    log(y.grad_fn(lib.ones(2, 3)))                 # no summing back over broadcast dims
    log(x.exp().grad_fn(lib.ones(3)))


# ---- the order backward runs nodes in ------------------------------------------------------------
def _leaves(lib, n, shape=(3,)):
    return [lib.linspace(0.5, 1.5, shape[0]).reshape(shape).requires_grad_() for _ in range(n)]


GRAPHS = {  # name: (number of leaves, build(lib, *leaves) -> (roots, leaves to watch))
    "diamond": (1, lambda t, x: ([(x.exp() * x.sin()).sum()], [x])),
    "shared subexpression": (2, lambda t, x, w: (
        lambda h: ([(h * h + h.exp()).sum()], [x, w]))(x * w)),
    "multiple roots": (2, lambda t, x, w: (
        lambda h: ([h.sum(), (h * w).mean(), (x + 1).sum()], [x, w]))(x * 2)),
    "same root twice": (1, lambda t, x: (lambda h: ([h, h * 2, h], [x]))(x.exp())),
    "five leaves ready together": (5, lambda t, *xs: ([t.cat(xs).sum()], list(xs))),
    "eight leaves ready together": (8, lambda t, *xs: ([t.stack(xs).sum()], list(xs))),
    "four leaves and a node": (4, lambda t, a, b, c, d: (
        [t.stack([a * 2, b, c.exp(), d, a]).sum()], [a, b, c, d])),
    "late leaf": (1, lambda t, x: (lambda y: ([(y.tanh() + x.sigmoid() + y).sum()], [x]))(x * 3)),
    "unbind": (1, lambda t, x: (
        lambda a, b, c: ([(a * b + c.exp() * a).sum()], [x]))(*x.unbind())),
    "in-place": (1, lambda t, x: (lambda h: (h.mul_(2), [h.sum() + x.sum()], [x])[1:])(x.clone())),
    "mlp": (3, lambda t, w1, b1, w2: (
        [((t.ones(4, 3) @ w1.reshape(3, 1).expand(3, 5) + b1.sum()).relu()
          @ w2.reshape(1, 3)[:, :1].expand(5, 2)).sigmoid().sum()], [w1, b1, w2])),
}


@pytest.mark.parametrize("name", GRAPHS)
@differential
def test_backward_runs_nodes_in_torch_order(lib, log, name):
    n_leaves, build = GRAPHS[name]
    roots, leaves = build(lib, *_leaves(lib, n_leaves))
    order = execution_order(lib, roots, leaves)
    log(order, [leaf.grad for leaf in leaves])
    assert len(order) > 2 * len(leaves)


@differential
def test_grad_runs_only_the_needed_nodes_in_order(lib, log):
    x, w, c = scenario_inputs(lib)
    a = x.exp()
    b = a * w + x.sin()
    order = []
    for fn in (b.grad_fn, b.grad_fn.next_functions[0][0], a.grad_fn):
        fn.register_prehook(lambda g, fn=fn: order.append(fn.name()))
    lib.autograd.grad(b.sum(), [w])
    log(order)


# ---- matrix products -----------------------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3, 4)), ((2, 2, 3), (3,)), ((3,), (2, 3, 4)), ((2, 3), (2, 3, 4)),
                 ((2, 2, 3), (2, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((2, 1, 2, 3), (3, 3, 2)),
                 ((0, 3), (3,)), ((2, 0, 3), (3, 2))]


@pytest.mark.parametrize("grads", ["both", "left", "right"])
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@differential
def test_matmul_dispatch_values_grads_and_graph(lib, log, shapes, grads):
    """matmul folds, expands or squeezes exactly as PyTorch does, so the graph shows the same
    mm/mv/bmm/dot and view nodes (UnsafeViewBackward0 for batches, SqueezeBackward4, ...)."""
    sa, sb = shapes
    a = lib.arange(float(np.prod(sa))).reshape(sa) / 3 - 1
    b = lib.arange(float(np.prod(sb))).reshape(sb) / 5 + 0.5
    a.requires_grad_(grads in ("both", "left"))
    b.requires_grad_(grads in ("both", "right"))
    y = a @ b
    log(y, y.stride(), graph(y))
    y.sum().backward()
    log(a.grad, b.grad)


@differential
def test_matmul_on_non_contiguous_batch(lib, log):
    a = lib.arange(24.0).reshape(2, 4, 3).transpose(0, 1)
    b = lib.ones(3, 2, requires_grad=True)
    y = a @ b
    log(y, graph(y))
    c = lib.arange(24.0).reshape(2, 4, 3).transpose(0, 1)
    y = c @ lib.ones(3, 2)
    log(y, y.stride())


LINALG_ERRORS = [
    lambda t: t.mm(t.ones(2, 3), t.ones(4, 5)),
    lambda t: t.mm(t.ones(3), t.ones(3, 5)),
    lambda t: t.mm(t.ones(2, 3), t.ones(3)),
    lambda t: t.mm(t.ones(2, 3), t.ones(3, 2, dtype=t.float64)),
    lambda t: t.bmm(t.ones(2, 3), t.ones(2, 3, 4)),
    lambda t: t.bmm(t.ones(2, 2, 3), t.ones(2, 3)),
    lambda t: t.bmm(t.ones(2, 2, 3), t.ones(3, 3, 4)),
    lambda t: t.bmm(t.ones(2, 2, 3), t.ones(2, 4, 4)),
    lambda t: t.bmm(t.ones(2, 2, 3), t.ones(2, 3, 4, dtype=t.float64)),
    lambda t: t.mv(t.ones(2, 3), t.ones(4)),
    lambda t: t.mv(t.ones(3), t.ones(3)),
    lambda t: t.mv(t.ones(2, 3), t.ones(3, dtype=t.float64)),
    lambda t: t.mv(t.ones(2, 3, dtype=t.float64), t.ones(3)),
    lambda t: t.dot(t.ones(3), t.ones(4)),
    lambda t: t.dot(t.ones(3, 1), t.ones(3)),
    lambda t: t.dot(t.ones(3), t.ones(3, dtype=t.float64)),
    lambda t: t.matmul(t.ones(()), t.ones(3)),
    lambda t: t.matmul(t.ones(2, 3), t.ones(4)),
    lambda t: t.matmul(t.ones(3), t.ones(4, 5)),
    lambda t: t.matmul(t.ones(2, 2, 3), t.ones(4)),
    lambda t: t.matmul(t.ones(2, 2, 3), t.ones(4, 5)),
    lambda t: t.matmul(t.ones(2, 2, 3), t.ones(3, 4, 5)),
    lambda t: t.matmul(t.ones(3), t.ones(2, 3, 4, dtype=t.float64)),
    lambda t: t.matmul(t.ones(2, 2, 3), t.ones(3, dtype=t.float64)),
    lambda t: t.outer(t.ones(2, 3), t.ones(3)),
    lambda t: t.outer(t.ones(3), t.ones(3, 1)),
    lambda t: t.ones(2, 3, dtype=t.int64) @ t.ones(3, 4, dtype=t.int64),
    lambda t: t.outer(t.ones(3), t.arange(2)),
]


@pytest.mark.parametrize("i", range(len(LINALG_ERRORS)))
@differential
def test_matrix_product_errors_and_dtypes(lib, log, i):
    log.error(lambda: LINALG_ERRORS[i](lib))


@differential
def test_anomaly_mode_changes_the_hint(lib, log):
    x = lib.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            log.error(lambda: y.sum().backward(retain_graph=True))
        log([str(w.message) for w in caught if "Anomaly" in str(w.message)])
        log.error(lambda: y.sum().backward(retain_graph=True))
        lib.autograd.set_detect_anomaly(True)
        try:
            log.error(lambda: y.sum().backward(retain_graph=True))
        finally:
            lib.autograd.set_detect_anomaly(False)
    log.error(lambda: y.sum().backward())


@differential
def test_is_anomaly_enabled_flag(lib, log):
    log(lib.is_anomaly_enabled())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lib.autograd.detect_anomaly():
            log(lib.is_anomaly_enabled())


@differential
def test_legacy_variable_wrapper(lib, log):
    v = lib.ones(2)
    w = lib.autograd.Variable(v, requires_grad=True)
    log(w, w is v, v.requires_grad, isinstance(v, lib.autograd.Variable))
    (w * 3).sum().backward()
    log(w.grad)

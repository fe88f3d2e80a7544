"""Custom torch.autograd.Function, differentially against real PyTorch: forward/backward/apply,
ctx.save_for_backward and saved_tensors, needs_input_grad, mark_dirty, mark_non_differentiable,
set_materialize_grads, non-tensor arguments, None gradients, <Name>Backward grad_fn nodes and the
errors for wrong gradient counts and shapes."""
from __future__ import annotations

import warnings

import pytest
import torch

import engine
from test_autograd import differential, graph


def functions(lib) -> dict:
    """The same Function classes, subclassing lib.autograd.Function."""
    Function = lib.autograd.Function

    class ReLUF(Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    class LinearF(Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    class Scale(Function):
        """A non-tensor argument, kept on ctx; the result is saved (an output)."""

        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            y = x.exp() * k
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y, None

    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Sort(Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return values, idx

        @staticmethod
        def backward(ctx, g_values, g_idx):
            (idx,) = ctx.saved_tensors
            return lib.zeros_like(g_values).scatter(0, idx, g_values)

    class Double_(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class TwoOut(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.seen = (g1 is None, g2 is None)
            out = 0
            if g1 is not None:
                out = out + g1 * 2
            if g2 is not None:
                out = out + g2 * 3
            return out

    class Materialized(Function):
        @staticmethod
        def forward(ctx, x, n):
            return x * n, x.long(), n

        @staticmethod
        def backward(ctx, g1, g2, g3):
            ctx.seen = (g1, g2, g3)
            return g1 * 2, None

    class Cube(Function):
        """Backward written in differentiable ops: double backward works."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    return {c.__name__: c for c in (ReLUF, LinearF, Scale, Identity, Sort, Double_, TwoOut,
                                     Materialized, Cube)}


def bad_functions(lib) -> dict:
    Function = lib.autograd.Function

    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class ExtraNones(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None, None

    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return lib.ones(2)

    class BroadcastGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.expand(4, 3)

    class GradForInt(Function):
        @staticmethod
        def forward(ctx, x, n):
            return x * n

        @staticmethod
        def backward(ctx, g):
            return g, g

    class SavesInt(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class ReturnsNumber(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return 1

    class DirtyLeaf(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class DirtyNotReturned(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    return {c.__name__: c for c in (TooMany, ExtraNones, WrongShape, BroadcastGrad, GradForInt,
                                     SavesInt, NoBackward, ReturnsNumber, DirtyLeaf,
                                     DirtyNotReturned)}


@differential
def test_relu_function_forward_backward_and_grad_fn(lib, log):
    F = functions(lib)
    a = lib.tensor([[-1.5, 0.7, 2.0], [0.3, -0.4, -2.2]], requires_grad=True)
    b = F["ReLUF"].apply(a)
    log(b, type(b.grad_fn).__name__, b.grad_fn.name(), graph(b))
    log(b.grad_fn.saved_tensors[0] is a, b.grad_fn.needs_input_grad)
    b.backward(lib.ones(2, 3))
    log(a.grad)
    log.error(lambda: b.grad_fn.saved_tensors)
    x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    loss = (F["ReLUF"].apply(x * 3 - 1) ** 2).sum()
    log(graph(loss))
    loss.backward()
    log(loss, x.grad)


@differential
def test_linear_function_needs_input_grad_and_optional_bias(lib, log):
    F = functions(lib)
    x = lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
    w = lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
    b = lib.tensor([0.5, -0.5], requires_grad=True)
    out = F["LinearF"].apply(x, w, b)
    log(out, graph(out), out.grad_fn.needs_input_grad)
    out.sum().backward()
    log(w.grad, b.grad)
    y = F["LinearF"].apply(x, w)
    log(graph(y), y.grad_fn.saved_tensors[2], y.grad_fn.needs_input_grad)
    y.sum().backward()
    log(w.grad)


@differential
def test_non_tensor_args_saved_outputs_and_double_backward(lib, log):
    F = functions(lib)
    x = lib.tensor([0.5, 1.0], dtype=lib.float64, requires_grad=True)
    y = F["Scale"].apply(x, 3)
    log(y, graph(y), y.grad_fn.k, y.grad_fn.needs_input_grad)
    saved = y.grad_fn.saved_tensors[0]
    log(saved, saved is y, saved.grad_fn is y.grad_fn)
    y.sum().backward(retain_graph=True)
    log(x.grad)
    y.add_(1)
    log.error(lambda: y.sum().backward())
    z = F["Cube"].apply(x)
    (g,) = lib.autograd.grad(z.sum(), x, create_graph=True)
    log(g)
    log(lib.autograd.grad(g.sum(), x))


@differential
def test_input_returned_as_is_becomes_a_new_alias(lib, log):
    F = functions(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = F["Identity"].apply(x)
    log(y is x, y._base is x, y, graph(y))
    y.sum().backward()
    log(x.grad)
    c = lib.tensor([1.0, 2.0])
    z = F["Identity"].apply(c)
    log(z is c, z._base is c, z)
    with lib.no_grad():
        w = F["Identity"].apply(x)
    log(w is x, w._base is x, w, w.requires_grad)


@differential
def test_mark_non_differentiable_and_integer_outputs(lib, log):
    F = functions(lib)
    x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
    values, idx = F["Sort"].apply(x)
    log(values, idx, idx.requires_grad, idx.grad_fn)
    values.sum().backward()
    log(x.grad)
    M = F["Materialized"]
    a, b, n = M.apply(x, 3)
    log(a, b, n, b.requires_grad)
    a.sum().backward()
    log(x.grad, a.grad_fn.seen)


@differential
def test_set_materialize_grads_false_passes_none(lib, log):
    F = functions(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    p, q = F["TwoOut"].apply(x)
    log(graph(p), p.output_nr, q.output_nr, q.grad_fn is p.grad_fn)
    p.sum().backward()
    log(x.grad, p.grad_fn.seen)


@differential
def test_mark_dirty_modifies_input_in_place(lib, log):
    F = functions(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    d = F["Double_"].apply(h)
    log(d is h, d, h._version, graph(d))
    d.sum().backward()
    log(x.grad)


@pytest.mark.parametrize("name", ["TooMany", "ExtraNones", "WrongShape", "BroadcastGrad",
                                  "GradForInt", "SavesInt", "NoBackward", "ReturnsNumber",
                                  "DirtyLeaf", "DirtyNotReturned"])
@differential
def test_function_errors_match_torch(lib, log, name):
    fn = bad_functions(lib)[name]
    x = lib.ones(3, requires_grad=True)
    args = (x, 2) if name == "GradForInt" else (x,)
    out = log.error(lambda: fn.apply(*args))
    if out is not None:
        log.error(lambda: out.sum().backward())
        log(x.grad)


@differential
def test_calling_a_function_instance_is_the_legacy_error(lib, log):
    F = functions(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        instance = F["Identity"]()
        log([w.category.__name__ for w in caught])
    log.error(lambda: instance(lib.ones(2)))


@differential
def test_saved_tensors_inside_forward_and_without_grad(lib, log):
    Function = lib.autograd.Function
    seen = []

    class Peek(Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(ctx.saved_tensors)
            ctx.save_for_backward(x, None)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

    x = lib.ones(2, requires_grad=True)
    y = Peek.apply(x)
    log(seen, y.grad_fn.saved_tensors[1], y.grad_fn.next_functions[0][0].variable is x)
    z = Peek.apply(lib.ones(2))
    log(z, z.grad_fn, z.requires_grad)


@differential
def test_setup_context_style_function(lib, log):
    Function = lib.autograd.Function

    class Mul(Function):
        @staticmethod
        def forward(x, y, scale=2.0):
            return x * y * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, scale = inputs
            ctx.save_for_backward(x, y)
            ctx.scale = scale

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y * ctx.scale, g * x * ctx.scale, None

    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=True)
    out = Mul.apply(a, b)
    out.sum().backward()
    log(out, a.grad, b.grad, out.grad_fn.name())


@differential
def test_once_differentiable_refuses_double_backward(lib, log):
    Function = lib.autograd.Function
    once = lib.autograd.function.once_differentiable

    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = lib.tensor([1.0, 3.0], requires_grad=True)
    (g,) = lib.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    log(g.detach(), g.requires_grad)
    log.error(lambda: g.sum().backward())
    y = Square.apply(x)
    y.sum().backward()
    log(x.grad)


def test_gradcheck_accepts_correct_and_rejects_wrong_functions():
    """gradcheck itself, against torch's verdicts on the same Functions."""
    for lib in (torch, engine):
        F = functions(lib)
        x = lib.tensor([[-1.5, 0.7, 2.0], [0.3, -0.4, -2.2]], dtype=lib.float64,
                       requires_grad=True)
        w = lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], dtype=lib.float64,
                       requires_grad=True)
        b = lib.tensor([0.5, -0.5], dtype=lib.float64, requires_grad=True)
        assert lib.autograd.gradcheck(F["ReLUF"].apply, (x,))
        assert lib.autograd.gradcheck(F["LinearF"].apply, (x, w, b))
        assert lib.autograd.gradcheck(F["Cube"].apply, (x,))
        assert lib.autograd.gradgradcheck(F["Cube"].apply, (x,))
        assert lib.autograd.gradcheck(lambda t: F["Scale"].apply(t, 3), (x,))
        assert lib.autograd.gradcheck(bad_functions(lib)["ExtraNones"].apply, (x,))
        Wrong = wrong_jacobian(lib)
        assert not lib.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False)
        assert lib.autograd.gradgradcheck(F["ReLUF"].apply, (x,))


def wrong_jacobian(lib):
    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    return Wrong


@differential
def test_gradcheck_errors_match_torch(lib, log):
    Wrong = wrong_jacobian(lib)
    x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
    log.error(lambda: lib.autograd.gradcheck(Wrong.apply, (x,)))
    log.error(lambda: lib.autograd.gradcheck(lambda t: t * 2, (lib.ones(2, dtype=lib.float64),)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        log.error(lambda: lib.autograd.gradcheck(lambda t: t * 2,
                                                 (lib.ones(2, requires_grad=True),)))
        log([str(w.message) for w in caught if "double" in str(w.message)])

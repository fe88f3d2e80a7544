"""The grad_fn chain view walks the same tree as PyTorch's next_functions, node for node, and
annotates each node with the registry's formula text."""
import pytest
import torch

from explorer.sandbox.execute import execute
from explorer.views.chain import chain_text, grad_fn_chain

CASES = {
    "mul_add": "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
               "w = torch.tensor([3.0, 4.0], requires_grad=True)\n"
               "y = (x * w + x).sum()",
    "constant_operand": "x = torch.ones(2, 3, requires_grad=True)\ny = (x * 2).exp().mean()",
    "where": "x = torch.tensor([1.0, -2.0], requires_grad=True)\n"
             "y = torch.where(x > 0, x, torch.zeros(2)).sum()",
    "views": "x = torch.ones(2, 3, requires_grad=True)\ny = x.t().reshape(6)[1:].sum()",
    "matmul_relu": "x = torch.ones(2, 3, requires_grad=True)\n"
                   "w = torch.ones(3, 4, requires_grad=True)\ny = (x @ w).relu().sum()",
}


def torch_tree(y) -> list:
    rows = []

    def walk(fn, depth):
        if fn is None:
            rows.append((depth, "None"))
            return
        rows.append((depth, type(fn).__name__))
        for child, _ in getattr(fn, "next_functions", ()):
            walk(child, depth + 1)
    walk(y.grad_fn, 0)
    return rows


@pytest.mark.parametrize("name", CASES)
def test_chain_matches_torchs_next_functions_tree(name):
    source = "import torch\n" + CASES[name]
    namespace = {}
    exec(source, namespace)
    expected = torch_tree(namespace["y"])
    run = execute(source)
    y = next(v for v in run.variables if v.name == "y")
    rows = grad_fn_chain(run, y.tensor.id)
    assert [(r.depth, r.name) for r in rows] == expected


def test_each_node_carries_its_registry_formula():
    run = execute("import torch\n" + CASES["mul_add"])
    y = next(v for v in run.variables if v.name == "y")
    rows = grad_fn_chain(run, y.tensor.id)
    mul = next(r for r in rows if r.name == "MulBackward0")
    assert dict(mul.formulas) == {"self": "grad * other", "other": "grad * self"}
    text = chain_text(rows)
    assert "MulBackward0    grad_self = grad * other; grad_other = grad * self" in text
    assert "AccumulateGrad → x" in text and "AccumulateGrad → w" in text

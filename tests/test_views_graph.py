"""The graph picture: its nodes are the grad_fns real torch builds, its DOT parses, and it
shows variable names, leaves and gradients."""
import graphviz
import torch

from explorer.sandbox.execute import execute
from explorer.views.graph import graph_dot

SOURCE = """import torch
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.ones(2, 1)
y = (w * x).exp().sum()
y.backward()
"""


def torch_grad_fns() -> set:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (torch.ones(2, 1) * x).exp().sum()
    names, stack = set(), [y.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is not None:
            names.add(type(fn).__name__)
            stack.extend(f for f, _ in fn.next_functions)
    return names


def test_graph_nodes_are_torchs_grad_fns_and_the_dot_parses():
    run = execute(SOURCE)
    dot = graph_dot(run)
    graphviz.Source(dot)   # well-formed for the graphviz package
    for name in torch_grad_fns():
        assert f'label="{name}"' in dot, name
    assert "<B>x</B>" in dot and "<B>y</B>" in dot and "grad" in dot


def test_backward_direction_reverses_every_edge():
    run = execute(SOURCE)
    forward = [line for line in graph_dot(run).splitlines() if "->" in line]
    backward = [line for line in graph_dot(run, direction="backward").splitlines() if "->" in line]
    flip = {f"{b.split(' -> ')[1].split(' ')[0]} -> {b.split(' -> ')[0].strip()}"
            for b in backward}
    assert {f.split(" [")[0].strip() for f in forward} == flip

"""Take a picture or the learner's code out of the app: any graph's DOT as SVG or PNG (drawn by
Graphviz's `dot`, as the browser would), and the code as a script for real PyTorch.

The script is the learner's code unchanged, after a header that seeds every random generator
the way run_code does, so real PyTorch prints the same numbers the app showed."""
from __future__ import annotations

import hashlib
import io
import subprocess
import tokenize

__all__ = ["dot_to_png", "dot_to_svg", "torch_script"]

RENDER_SECONDS = 10


def dot_to_svg(dot: str) -> bytes:
    """The graph as an SVG document."""
    return _render(dot, "svg")


def dot_to_png(dot: str, dpi: int = 144) -> bytes:
    """The graph as a PNG image; the default dpi stays sharp on a projector."""
    head, brace, rest = dot.partition("{")
    return _render(f"{head}{brace}\n  dpi={dpi};{rest}", "png")


def _render(dot: str, fmt: str) -> bytes:
    """`dot -T<fmt>`, stopped after RENDER_SECONDS: a learner's graph should not hold a server
    core for long (the graphviz package's pipe() has no timeout). A graph that failed fails
    again at once (_FAILED keeps why, by digest): every viewer's rerun paid the 10 s again."""
    key = (hashlib.sha256(dot.encode()).digest(), fmt)
    if key in _FAILED:
        raise RuntimeError(_FAILED[key])
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=dot.encode(), capture_output=True,
                              timeout=RENDER_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        problem = f"Graphviz took more than {RENDER_SECONDS} s to draw this graph"
    else:
        if not done.returncode:
            return done.stdout
        problem = f"Graphviz failed to draw this graph (exit status {done.returncode})"
    while len(_FAILED) >= FAILED_KEPT:
        _FAILED.pop(next(iter(_FAILED)))
    _FAILED[key] = problem
    raise RuntimeError(problem)


FAILED_KEPT = 256        # graphs remembered as failed (by digest), oldest forgotten first
_FAILED: dict[tuple, str] = {}


def torch_script(source: str, seed: int = 0) -> str:
    """A script that runs `source` on real PyTorch with the seeds run_code(source, seed=seed)
    uses (torch, NumPy and Python's random), so it prints what the app printed."""
    future = _after_future_imports(source)   # `from __future__` imports must stay first
    header = (
        "# Exported from Autograd Explorer. It seeds torch, NumPy and random as the app did,\n"
        "# so it prints the same numbers on PyTorch.\n"
        "import random as _random\n\n"
        "import numpy as _np\n"
        "import torch as _torch\n\n"
        f"_torch.manual_seed({seed})\n"
        f"_np.random.seed({seed % 2**32})\n"
        f"_random.seed({seed})\n"
        "# ---- the code as written in the app ----\n")
    return source[:future] + header + source[future:]


def _after_future_imports(source: str) -> int:
    """Where the statements `from __future__ import ...` that open `source` end, as Python's
    tokenizer reads them: a line split by a form feed, or a string opened on an import's line,
    does not end the statement (the header once went into a learner's string)."""
    lines = io.StringIO(source, newline="").readlines()
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    end, statement = 0, []
    try:
        for token in tokenize.generate_tokens(iter(lines).__next__):
            if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if token.type not in (tokenize.NEWLINE, tokenize.ENDMARKER):
                statement.append(token.string)
                continue
            docstring = not end and len(statement) == 1 and statement[0][-1:] in "'\""
            if statement[:2] != ["from", "__future__"] and not docstring:
                break
            if not docstring:
                row, col = token.end
                end = starts[row - 1] + col
            statement = []
    except (tokenize.TokenError, SyntaxError, StopIteration):
        pass
    return end

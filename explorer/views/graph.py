"""The dynamic graph of a Run as Graphviz DOT: tensors, the ops between them, and grads.

Tensors are ellipses (blue: leaves that require grad, light: computed with grad, grey: no
grad); ops are boxes named by their grad_fn (AddBackward0, ...), muted when they recorded no
graph. After backward, each tensor that received a gradient shows it. The forward direction
draws data flow; the backward direction draws the grad_fn chain, from outputs to leaves.

Options draw what each op saved for backward and link views to their base; collapse each
Module call into one box (a Module's own parameters go inside it) and fold a run of repeated
identical blocks, such as an unrolled RNN cell, into one "×N" box; follow one backward pass
step by step. Above a node budget the picture collapses by itself, and GraphPicture.notes
says so in a sentence the page can show under the graph."""
from __future__ import annotations

import copy
import dataclasses
import functools
import math
from dataclasses import dataclass, field
from html import escape

from ..model import KEPT_FAILURES, ModuleCall, OpNode, Run, TensorInfo, Values, edge_inputs
from ..texts import DEFAULT_LANGUAGE
from ..texts import t as text
from .names import expressions, listed, parameter_paths, tensor_names, variable_names
from .numbers import torch_number, torch_values
from .steps import saved_tensors

__all__ = ["BUDGET", "MAX_PATH_OPTIONS", "GraphPicture", "graph_dot", "graph_of", "graph_picture", "module_paths",
           "scoped"]

LEAF, WITH_GRAD, NO_GRAD = "#cfe3ff", "#eef4fc", "#f2f2f2"
OP, OP_MUTED, ACCUMULATE = "#fff1d6", "#f7f7f7", "#e3f4e1"
MODULE, SAVED, VIEW = "#e6dcf5", "#fffbe6", "#5b7fc7"
FAILED = "#f8d7da"     # an op that raised on its operands
FOCUS = "#1f5fbf"      # the outline of the variable the pictures focus on
DONE, CURRENT, PENDING = "#bfe5b9", "#ffb347", "#ffffff"
SMALL = 6        # values up to this many elements are printed in the node
BUDGET = 300     # drawn nodes above which the picture collapses by itself
FOLD_MIN = 3     # repeats before a run of identical blocks folds (two in a row stay readable)
MAX_UNIT = 8     # longest repeated unit looked for, in blocks


@dataclass(frozen=True)
class GraphPicture:
    """A drawn graph: the DOT, plain sentences for the page to show under it (why it was
    collapsed or cut, if it was), whether Module boxes were drawn, and how many nodes."""

    dot: str
    notes: tuple = ()
    collapsed: bool = False
    nodes: int = 0


@dataclass
class _Block:
    """Ops drawn as one node: a single op, one Module call, or a fold of repeated blocks."""

    ops: list
    call: ModuleCall | None = None   # for a Module box: the call it draws
    path: str = ""                   # for a Module box: "model.0"
    units: list = field(default_factory=list)   # for a fold: each repeat, a list of blocks

    @property
    def kind(self) -> str:
        return "fold" if self.units else "module" if self.call is not None else "op"

    @property
    def signature(self) -> tuple:
        """What must match for two blocks to count as repeats of each other."""
        if self.call is None:
            return ("op", self.ops[0].grad_fn or self.ops[0].op)
        inner = tuple((op.grad_fn or op.op, tuple(m.type for m in op.module)) for op in self.ops)
        return ("module", self.call.type, inner)


def scoped(run: Run, call: int | None) -> Run:
    """The run with only the graph backward call `call` went through (None: everything).

    After a loop, that is one iteration's graph: what the learner's last backward() walked,
    exactly the nodes autograd had recorded for it, AccumulateGrad included. Ops run without
    grad (optimizer updates, BatchNorm's running statistics, comparisons) were never part of
    it."""
    if call is None or not -len(run.backward) <= call < len(run.backward):
        return run
    nodes = {s.node_id for s in run.backward[call].steps}
    kept = [op for op in run.graph.ops if op.node_id in nodes]
    # A leaf's AccumulateGrad is in the graph even when the call did not run it
    # (autograd.grad(y, x) hands x's gradient back instead): torch's next_functions hold it.
    node_of = {leaf: nid for nid, leaf in run.graph.accumulate}
    ran = {leaf: nid for nid, leaf in run.graph.accumulate if nid in nodes}
    for op in kept:
        for t in edge_inputs(op, run.ops_info.get(op.op)):
            if t is not None and t not in ran and t in node_of:
                ran[t] = node_of[t]
    accumulate = set(ran.values())
    return _keeping(run, _with_inner_sources(run, kept),
                    [a for a in run.graph.accumulate if a[0] in accumulate])


def _with_inner_sources(run: Run, kept: list) -> list:
    """`kept`, plus the ops without grad that made an input of a kept op inside the same Module
    call (Dropout's mask): in a Module box they are part of what the box did, not loose inputs.
    Bookkeeping that feeds nothing of this graph (running statistics) stays out."""
    calls = {}
    for op in kept:
        if op.module:
            for t in op.inputs:
                calls.setdefault(t, set()).add(op.module[-1])
    ids = {op.id for op in kept}
    extra = {op.id for op in run.graph.ops if op.grad_fn is None and op.module and
             any(op.module[-1] in calls.get(t, ()) for t in op.outputs)}
    return [op for op in run.graph.ops if op.id in ids or op.id in extra]


def graph_of(run: Run, tensor: int) -> Run:
    """The run with only the graph under one tensor's grad_fn: what a backward() from it would
    walk (the focused variable's graph, when it is not the one a backward() went through)."""
    producer = {t: op for op in run.graph.ops if op.grad_fn for t in op.outputs}
    kept, leaves, stack = {}, set(), [tensor]
    while stack:
        op = producer.get(stack.pop())
        if op is None or op.id in kept:
            continue
        kept[op.id] = op
        for t in edge_inputs(op, run.ops_info.get(op.op)):
            if t is not None:
                stack.append(t)
                leaves.add(t)
    return _keeping(run, [op for op in run.graph.ops if op.id in kept],
                    [a for a in run.graph.accumulate if a[1] in leaves])


def _keeping(run: Run, ops: list, accumulate: list) -> Run:
    graph = dataclasses.replace(run.graph, ops=tuple(ops), accumulate=tuple(accumulate),
                                context=run.graph.context or run.graph.ops)
    return dataclasses.replace(run, graph=graph)


def graph_picture(run: Run, *, direction: str = "forward", show_values: bool = False,
                  show_saved: bool = False, show_views: bool = True, collapse: bool = False,
                  expanded: frozenset | set = frozenset(), fold: bool = True,
                  unrolled: frozenset | set = frozenset(),
                  step: int | None = None, call: int = 0, focus: int | None = None,
                  budget: int | None = BUDGET, lang: str = DEFAULT_LANGUAGE) -> GraphPicture:
    """Draw the run's graph.

    direction: "forward" (data flow) or "backward" (the grad_fn chain, outputs at the top).
    show_values: print small tensors' values in their nodes (large ones: their norm).
    show_saved: a small note by each op listing what it saved for backward.
    show_views: a dotted "view of" link from each view to its base.
    collapse: draw each Module call as one box, except calls whose path ("model",
        "model.0", ...) is in `expanded`.
    fold: runs of FOLD_MIN or more identical chained blocks (ops, or Module boxes when
        collapsing) become one "×N" box: the iterations of a loop, rolled.
    unrolled: the ×N boxes drawn unrolled all the same, each by the id of its first op (its
        DOT node is "m<id>"): the learner opened them in place.
    step, call: highlight backward call number `call` after `step` steps: the nodes already
        run are drawn done, the node running at `step` stands out, the rest are pending.
    focus: the id of a tensor to outline (the variable the learner is looking at).
    budget: above this many drawn nodes, collapse (and fold) by itself; if that is still too
        many, leave out the ops that recorded no graph, then draw only the blocks nearest the
        output. None draws everything.
    lang: the language of the notes and of the few words drawn in nodes."""
    notes = []
    if run.graph.truncated:
        notes.append(text("view.graph.recording", lang, ops=f"{len(run.graph.ops):,}"))
    if run.graph.more_failed:
        notes.append(text("view.graph.more_failed", lang, n=f"{run.graph.more_failed:,}"))
    blocks = _blocks(run.graph.ops, expanded if collapse else None)
    if fold:
        blocks = _fold(blocks, unrolled)
    known = _Known.of(run, show_saved, show_views)
    scene = _Scene(known, blocks)
    if budget is not None and scene.nodes > budget and not collapse:
        full = scene.nodes
        if not fold or any(op.module for op in run.graph.ops):    # else the blocks drawn
            blocks = _fold(_blocks(run.graph.ops, expanded), unrolled)
            scene = _Scene(known, blocks)
        collapse = True
        notes.append(text("view.graph.collapsed", lang, nodes=f"{full:,}"))
    if budget is not None and scene.nodes > budget:
        with_grad = [b for b in blocks if any(op.grad_fn for op in b.ops)]
        if with_grad and len(with_grad) < len(blocks):     # (none: the tail is drawn)
            hidden = sum(len(b.ops) for b in blocks) - sum(len(b.ops) for b in with_grad)
            blocks = with_grad
            scene = _Scene(known, blocks)
            notes.append(text("view.graph.no_graph", lang, hidden=f"{hidden:,}"))
    if budget is not None and scene.nodes > budget and blocks:
        kept = _tail(known, blocks, budget)
        hidden = sum(len(b.ops) for b in blocks[:len(blocks) - len(kept)])
        if hidden:
            scene = _Scene(known, kept)
            notes.append(text("view.graph.tail", lang, hidden=f"{hidden:,}"))
    if budget is not None and scene.nodes > budget:
        scene = scene.within(max(0, budget - scene.nodes + scene.extra))
        if scene.cut:
            notes.append(text("view.graph.tensors_cut", lang, hidden=f"{scene.cut:,}"))
    highlight = _highlight(run, step, call)
    grads = _grads_so_far(run, step, call) if highlight else None
    dot = scene.dot(direction == "backward", show_values, highlight, focus, _Words(lang), grads)
    return GraphPicture(dot, tuple(notes), collapse, scene.nodes)


@dataclass(frozen=True)
class _Words:
    """The few words drawn inside nodes, in one language."""

    lang: str

    def __call__(self, key: str, **fields) -> str:
        return text(f"view.graph.{key}", self.lang, **fields)

    def shape(self, shape: tuple) -> str:
        return "×".join(str(s) for s in shape) or self("scalar")


def graph_dot(run: Run, **options) -> str:
    """Just the DOT of graph_picture(run, **options)."""
    return graph_picture(run, **options).dot


# ---- grouping ops into blocks ---------------------------------------------------------------
def _frames(op: OpNode):
    """Each Module call around `op`, outermost first, with its path ("model", "model.0")."""
    return zip(op.module, _paths(tuple(frame.name for frame in op.module)))


@functools.lru_cache(maxsize=256)
def _paths(names: tuple) -> tuple:
    """The path of each prefix of a Module stack's names, built once per distinct stack and
    shared by its ops: built per op, 150 nested calls named 50,000 characters made 559 M
    characters (the recorder and the wire also bound the names and the depth)."""
    paths, path = [], ""
    for name in names:
        path = f"{path}.{name}" if path else name
        paths.append(path)
    return tuple(paths)


MAX_PATH_OPTIONS = 200     # Module paths a page offers to open (the first, in first-run order)


def module_paths(run: Run) -> list[str]:
    """Every Module call path the run's ops ran in, in first-run order: what `expanded` takes."""
    stacks = dict.fromkeys(tuple(frame.name for frame in op.module) for op in run.graph.ops)
    return list(dict.fromkeys(path for names in stacks for path in _paths(names)))


def _closed_frame(op: OpNode, expanded) -> tuple:
    """The outermost Module call around `op` that is not expanded, and its path."""
    for frame, path in _frames(op):
        if path not in expanded:
            return frame, path
    return None, ""


def _blocks(ops: tuple, expanded) -> list:
    """Ops in execution order, each alone or (when collapsing) grouped by Module call."""
    blocks: list[_Block] = []
    for op in ops:
        frame, path = _closed_frame(op, expanded) if expanded is not None else (None, "")
        if frame is not None and blocks and blocks[-1].call == frame:
            blocks[-1].ops.append(op)
        else:
            blocks.append(_Block([op], frame, path))
    return blocks


def _fold(blocks: list, unrolled: frozenset | set = frozenset()) -> list:
    """Fold each run of FOLD_MIN or more repeats of a unit of blocks, where every repeat feeds
    the next (an unrolled loop), into one block; the longest coverage wins. A run whose first
    op's id is in `unrolled` stays unfolded, all of it."""
    sigs = [b.signature for b in blocks]
    turns = _Turns(blocks)
    out, i = [], 0
    while i < len(blocks):
        best_count, best_len = 1, 1
        if not turns.feeds_soon(i):     # nothing soon after uses what block i made
            out.append(blocks[i])
            i += 1
            continue
        for length in range(1, MAX_UNIT + 1):
            count = 1
            while (i + (count + 1) * length <= len(blocks)
                   and sigs[i + count * length:i + (count + 1) * length] == sigs[i:i + length]
                   and turns.continues(i + (count - 1) * length, length)):
                count += 1
            if count >= FOLD_MIN and count * length > best_count * best_len:
                best_count, best_len = count, length
        if best_count == 1:
            out.append(blocks[i])
            i += 1
            continue
        if blocks[i].ops[0].id in unrolled:
            out.extend(blocks[i:i + best_count * best_len])
            i += best_count * best_len
            continue
        units = [blocks[i + k * best_len:i + (k + 1) * best_len] for k in range(best_count)]
        out.append(_Block([op for unit in units for b in unit for op in b.ops], units=units))
        i += best_count * best_len
    return out


class _Turns:
    """Each block's inputs and outputs, and the last block before it that made one of its
    inputs: what deciding whether one window of blocks is the next turn of a loop reads."""

    def __init__(self, blocks: list) -> None:
        self.uses = [{t for op in b.ops for t in op.inputs} for b in blocks]
        self.makes = [{t for op in b.ops for t in op.outputs} for b in blocks]
        producer: dict = {}
        self.latest = []
        for k, made in enumerate(self.makes):
            self.latest.append(max((producer[t] for t in self.uses[k] if t in producer),
                                   default=-1))
            producer.update(dict.fromkeys(made, k))

    def feeds_soon(self, start: int) -> bool:
        """Whether a block within two of the longest units after `start` reads something made
        from `start` on: without one, no loop turn starts there."""
        return any(self.latest[k] >= start
                   for k in range(start + 1, min(len(self.latest), start + 2 * MAX_UNIT)))

    def continues(self, start: int, length: int) -> bool:
        """Whether the `length` blocks after those from `start` are the next turn of a loop
        whose last turn those were: the turn uses something the last one made, and each of
        its blocks after the first uses something made just before it (so a misaligned
        window over independent repeats does not count)."""
        turn = range(start + length, start + 2 * length)
        if max(self.latest[k] for k in turn) < start or any(
                self.latest[k] < start for k in turn[1:]):
            return False     # the common case, decided without a set
        before = set().union(*self.makes[start:start + length])
        made = set(before)
        uses_previous = False
        for n, k in enumerate(turn):
            uses_previous = uses_previous or not self.uses[k].isdisjoint(before)
            if n and self.uses[k].isdisjoint(made):
                return False
            made |= self.makes[k]
        return uses_previous


def _tail(known: _Known, blocks: list, budget: int) -> list:
    """The longest run of final blocks whose picture fits the budget (binary search)."""
    low, high = 1, len(blocks)
    while low < high:
        mid = (low + high + 1) // 2
        if _Scene(known, blocks[-mid:]).nodes <= budget:
            low = mid
        else:
            high = mid - 1
    return blocks[-low:]


def _highlight(run: Run, step: int | None, call: int) -> dict:
    """node id -> "done", "current" or "pending" for backward call `call` at `step`."""
    if step is None or not -len(run.backward) <= call < len(run.backward):
        return {}
    steps = run.backward[call].steps
    status = {s.node_id: "pending" for s in steps}
    for s in steps[:step]:
        status[s.node_id] = "done"
    if 0 <= step < len(steps):
        status[steps[step].node_id] = "current"
    return status


def _grads_so_far(run: Run, step: int, call: int) -> dict:
    """leaf tensor id -> the gradient its AccumulateGrad has received by `step` of backward
    call `call`: a leaf shows no .grad from this call before its AccumulateGrad has run."""
    received = {}
    for s in run.backward[call].steps[:step]:
        if s.leaf is not None and s.grad_in:
            received[s.leaf] = s.grad_in[0]
    return received


# ---- what is drawn --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Known:
    """What every scene of one picture reads, worked out once per picture: a budget's search
    builds a scene per try, and a run may give 4,000 names to 12,000 versions of a tensor."""

    run: Run
    show_saved: bool
    show_views: bool
    names: dict        # the learner's variables
    labels: dict       # and parameters by path, for labels
    params: dict       # the parameters' paths alone
    touched: frozenset   # every tensor an op read or made
    made: frozenset      # every tensor an op made

    @classmethod
    def of(cls, run: Run, show_saved: bool, show_views: bool) -> _Known:
        return cls(run, show_saved, show_views, variable_names(run), tensor_names(run),
                   parameter_paths(run),
                   frozenset(t for op in run.graph.ops for t in (*op.inputs, *op.outputs)),
                   frozenset(t for op in run.graph.ops for t in op.outputs))


class _Scene:
    """The nodes and edges one picture draws, counted before any DOT is written."""

    def __init__(self, known: _Known, blocks: list) -> None:
        self.known, self.run, self.blocks = known, known.run, blocks
        self.names, self.labels, self.params = known.names, known.labels, known.params
        self._made = known.made
        self._optional = self._link(blocks)
        self._choose(None)

    def within(self, room: int) -> _Scene:
        """This scene with at most `room` of the nodes it draws though no drawn op links
        them (the learner's variables inside a box, such as each version of a tensor written
        in place in a loop folded ×N, the latest kept) and AccumulateGrad nodes."""
        scene = copy.copy(self)
        scene._choose(room)
        return scene

    def _choose(self, room: int | None) -> None:
        """What to draw, with at most `room` optional nodes (see within; None: all of them):
        `extra` counts them all, `cut` those left out."""
        known, run, tensors = self.known, self.run, self.run.graph.tensors
        optional = self._optional
        drawn = {t for ts in (*self.ins, *self._linked) for t in ts} - optional
        # The learner's variables the drawn ops read or made, even those a box would hide;
        # not one this graph has nothing to do with (after a loop, the accuracy computed
        # after the last backward(), or a target only a loss's saved tensors hold).
        loose = sorted(optional.union(t for t in self.names if t in tensors and
                                      t in known.touched) - drawn)
        kept = set(loose if room is None else loose[len(loose) - min(room, len(loose)):])
        self.outs = [[t for t in outs if t not in optional or t in kept] for outs in self._linked]
        drawn.update(kept)
        self.views = []
        if known.show_views:
            for t in sorted(drawn):
                base = tensors[t].base_id if t in tensors else None
                if base is not None and base in tensors:
                    self.views.append((t, base))
            drawn.update(base for _, base in self.views)
        accumulate = [(nid, leaf) for nid, leaf in run.graph.accumulate if leaf in drawn]
        self.accumulate = accumulate if room is None else accumulate[:room - len(kept)]
        self.extra = len(loose) + len(accumulate)
        self.cut = self.extra - len(kept) - len(self.accumulate)
        hidden_leaves = {t for ts in self.absorbed.values() for t in ts}
        self.inner_accumulate = {nid: leaf for nid, leaf in run.graph.accumulate
                                 if leaf in hidden_leaves}
        self.saved = [b.ops[0] for b in self.blocks if known.show_saved and b.kind == "op" and
                      b.ops[0].saved]
        # an op that raised: drawn after what ran, red, with the operands it refused; a run
        # keeps only the first few (a forged one too: they count against the budget, drawn)
        self.failed = [f for f in run.graph.failed
                       if any(t in tensors for t in f.inputs)][:KEPT_FAILURES]
        for f in self.failed:
            drawn.update(t for t in f.inputs if t in tensors)
        self.tensors = sorted(t for t in drawn if t in tensors)
        self.nodes = len(self.blocks) + len(self.tensors) + len(self.accumulate) + \
            len(self.saved) + len(self.failed)

    def _link(self, blocks: list) -> set:
        """Each block's drawn inputs and outputs (self.ins, self._linked) and the parameters a
        box draws inside it (self.absorbed); returns the outputs drawn only because the learner
        named them (a loop folded ×N that wrote a named tensor in place: each version)."""
        tensors = self.run.graph.tensors
        producer, consumers = {}, {}
        for k, block in enumerate(blocks):
            for op in block.ops:
                for t in op.inputs:
                    if t is not None:
                        consumers.setdefault(t, set()).add(k)
                for t in op.outputs:
                    producer[t] = k
        self.absorbed: dict[int, list] = {}      # block index -> parameters drawn inside it
        self.ins: list[list] = []
        self._linked: list[list] = []
        roots = {t for c in self.run.backward for t in c.roots}
        optional = set()
        for k, block in enumerate(blocks):
            ins, outs = [], []
            first = min((t for op in block.ops for t in op.outputs), default=-1)
            for t in dict.fromkeys(t for op in block.ops for t in op.inputs if t is not None):
                if block.kind != "op" and (producer.get(t) == k or self._born_inside(t, first)):
                    continue        # made inside the box, or a constant such as 0.1
                if block.kind != "op" and self._is_own_parameter(t, k, producer, consumers):
                    self.absorbed.setdefault(k, []).append(t)
                else:
                    ins.append(t)
            for t in dict.fromkeys(t for op in block.ops for t in op.outputs):
                used = consumers.get(t, set())
                if block.kind == "op" or t in roots or used - {k} or \
                        (block.kind == "module" and not used and t in tensors and
                         tensors[t].requires_grad):    # not max_pool's indices, say
                    outs.append(t)
                elif t in self.names:
                    outs.append(t)
                    optional.add(t)
            self.ins.append(ins)
            self._linked.append(outs)
        return optional

    def _born_inside(self, t: int, first_output: int) -> bool:
        """A constant (the 0.1 in `x * w + 0.1`) or a tensor without grad that no op made and
        that was first seen after the box's first op ran (Dropout's random mask): part of what
        the box did. (Tensor ids count tensors in the order they were first seen.)"""
        info = self.run.graph.tensors.get(t)
        if info is None or info.wrapped_number:
            return info is not None
        return (not info.requires_grad and not info.grad_fn and t not in self.names
                and t > first_output >= 0 and t not in self._made)

    def _is_own_parameter(self, t: int, k: int, producer: dict, consumers: dict) -> bool:
        """A leaf requiring grad that no learner variable names and only this block uses."""
        info = self.run.graph.tensors.get(t)
        return (info is not None and info.is_leaf and info.requires_grad and t not in producer
                and t not in self.names and consumers.get(t) == {k})

    # ---- DOT ----------------------------------------------------------------------------
    def dot(self, backward: bool, show_values: bool, highlight: dict, focus: int | None,
            words: _Words, grads: dict | None = None) -> str:
        """`grads`, when stepping through a backward call: what each leaf has received so far,
        shown instead of its final .grad."""
        lines = ["digraph G {", f'  rankdir={"BT" if backward else "TB"};',
                 '  node [fontname="Helvetica", fontsize=12];', '  edge [color="#555555"];']
        tensors = self.run.graph.tensors
        spelled = expressions(self.run, self.labels, self.tensors)
        for t in self.tensors:
            info = tensors[t]
            if info.wrapped_number:     # a Python number: a constant, not a tensor, to PyTorch
                lines.append(f'  t{t} [shape=plaintext, fontcolor="#666666", '
                             f'label="{_numbers(info.values)}"];')
                continue
            fill = LEAF if info.is_leaf and info.requires_grad else \
                WITH_GRAD if info.requires_grad else NO_GRAD
            outline = f', penwidth=4, color="{FOCUS}", class="focus"' if t == focus else ""
            if grads is not None and info.is_leaf:
                info = dataclasses.replace(info, grad=grads.get(t))
            label = _tensor_label(info, self.labels.get(t, []), show_values, words,
                                  spelled.get(t, ""))
            lines.append(f'  t{t} [shape=ellipse, style=filled, fillcolor="{fill}"{outline}, '
                         f"label={label}];")
        for k, block in enumerate(self.blocks):
            node = f"o{block.ops[0].id}" if block.kind == "op" else f"m{block.ops[0].id}"
            nids = {op.node_id for op in block.ops if op.node_id is not None}
            nids |= {nid for nid, leaf in self.inner_accumulate.items()
                     if leaf in self.absorbed.get(k, ())}
            lines.append(f"  {node} [{self._block_style(block, k, self.params, words)}"
                         f"{_status(nids, highlight)}];")
            lines.extend(_edge(f"t{t}", node, backward) for t in self.ins[k])
            lines.extend(_edge(node, f"t{t}", backward) for t in self.outs[k])
        for op in self.saved:
            lines.append(f'  s{op.id} [shape=note, style=filled, fillcolor="{SAVED}", '
                         f'fontsize=9, label={_saved_label(self.run, op, tensors, self.labels, words)}];')
            lines.append(f'  s{op.id} -> o{op.id} [style=dotted, arrowhead=none, '
                         'color="#b59a3c"];')
        # A base nothing else links to sits beside its view: alone it took the first rank, the
        # bottom of a backward picture, at the end of a dotted line across the whole graph.
        linked = {t for ts in (*self.ins, *self.outs) for t in ts}
        linked |= {leaf for _, leaf in self.accumulate} | {t for f in self.failed for t in f.inputs}
        for view, base in self.views:
            lines.append(f'  t{view} -> t{base} [style=dotted, color="{VIEW}", '
                         f'fontcolor="{VIEW}", fontsize=9, label="{words("view_of")}", '
                         'constraint=false];')
            if base not in linked:
                lines.append(f"  {{rank=same; t{view}; t{base};}}")
                linked.add(base)
        for k, failed in enumerate(self.failed):
            where = f"<BR/><FONT POINT-SIZE='10'>{words('line', line=failed.line)}</FONT>" \
                if failed.line is not None else ""
            lines.append(f'  f{k} [shape=octagon, style=filled, fillcolor="{FAILED}", '
                         f'color="#c0392b", penwidth=2, class="failed", '
                         f'label=<<B>{escape(failed.op)} ✗{_times(failed.count)}</B>{where}>];')
            lines.extend(_edge(f"t{t}", f"f{k}", backward, style="dashed")
                         for t in dict.fromkeys(failed.inputs) if t in tensors)
        for nid, leaf in self.accumulate:
            lines.append(f'  a{nid} [shape=box, style="rounded,filled", fillcolor="{ACCUMULATE}", '
                         f'label="AccumulateGrad"{_status({nid}, highlight)}];')
            lines.append(_edge(f"t{leaf}", f"a{nid}", backward, style="dashed"))
        lines.append("}")
        return "\n".join(lines)

    def _block_style(self, block: _Block, k: int, params: dict, words: _Words) -> str:
        if block.kind == "op":
            op = block.ops[0]
            fill, font = (OP, "#222222") if op.grad_fn else (OP_MUTED, "#999999")
            return (f'shape=box, style="rounded,filled", fillcolor="{fill}", fontcolor="{font}", '
                    f'label=<{escape(op.grad_fn or op.op)}>')     # HTML-like: a backslash is text
        rows = _fold_rows(block) if block.kind == "fold" else \
            [_module_title(block.path, block.call.type)]
        inside = self.absorbed.get(k, [])
        if inside:
            text = _parameters_text(inside, block, params, self.run, words)
            rows.append(f"<FONT POINT-SIZE='10'>{text}</FONT>")
        fill = MODULE if any(op.grad_fn for op in block.ops) else OP_MUTED
        double = ", peripheries=2" if block.kind == "fold" else ""
        return (f'shape=box, style="filled,bold", fillcolor="{fill}", penwidth=2{double}, '
                f'fontsize=14, label=<{"<BR/>".join(rows)}>')


def _times(count: int) -> str:
    """" ×30,000" after an op that failed alike that many times (a loop of caught errors)."""
    return f" ×{count:,}" if count > 1 else ""


def _module_title(path: str, type_name: str) -> str:
    """"<B>model.0</B>: Linear"; one name when the path already is the type (a Module called
    without a name: nn.CrossEntropyLoss()(out, y) is "CrossEntropyLoss", not twice)."""
    named = type_name and path.rsplit(".", 1)[-1] != type_name
    return f"<B>{escape(path)}</B>" + (f": {escape(type_name)}" if named else "")


def _fold_rows(block: _Block) -> list:
    """"×5" large, then one row per block of the repeated unit."""
    rows = [f"<FONT POINT-SIZE='20'><B>×{len(block.units)}</B></FONT>"]
    for position, first in enumerate(block.units[0]):
        if first.kind == "op":
            rows.append(escape(first.ops[0].grad_fn or first.ops[0].op))
            continue
        paths = [unit[position].path for unit in block.units]
        where = paths[0] if len(set(paths)) == 1 else f"{paths[0]} … {paths[-1]}"
        rows.append(_module_title(where, first.call.type if first.call else ""))
    return rows


def _parameters_text(inside: list, block: _Block, params: dict, run: Run,
                     words: _Words) -> str:
    """The parameters a box holds, named from the box's module: "weight 8×4 · bias 8", or
    how many when there are lots."""
    if len(inside) > 3:
        return words("parameters", n=len(inside))
    owners = [b.path for b in block.units[0] if b.call] if block.units else [block.path]
    parts = []
    for t in inside:
        name = params.get(t, "")
        owner = next((p for p in owners if p and name.startswith(p + ".")), "")
        name = name[len(owner) + 1:] if owner else name
        parts.append(f"{escape(name)} {words.shape(run.graph.tensors[t].shape)}".strip())
    return " · ".join(parts)


def _status(nids: set, highlight: dict) -> str:
    """Step-by-step styling (and an SVG class) from the statuses of a node's autograd nodes."""
    states = {highlight[n] for n in nids if n in highlight}
    if not states:
        return ""
    if "current" in states:
        return f', class="step-current", fillcolor="{CURRENT}", penwidth=4, color="#c0392b"'
    if states == {"done"}:
        return f', class="step-done", fillcolor="{DONE}"'
    return f', class="step-pending", fillcolor="{PENDING}", color="#9a9a9a", fontcolor="#9a9a9a"'


# ---- labels ---------------------------------------------------------------------------------
def _numbers(values: Values | None) -> str:
    """A small tensor's numbers, else its norm, printed PyTorch's way."""
    if values is None:
        return ""
    if values.complete and math.prod(values.shape) <= SMALL:
        return escape(torch_values(values))
    return escape(f"‖·‖ = {torch_number(values.norm)}") if values.norm is not None else ""


def _tensor_label(info: TensorInfo, names: list, show_values: bool, words: _Words,
                  spelled: str = "") -> str:
    rows = []
    if names:
        rows.append(f"<B>{escape(listed(names, words.lang))}</B>")
    elif spelled:                   # a temporary: the expression that made it
        rows.append(f"<I>{escape(spelled)}</I>")
    rows.append(f"{words.shape(info.shape)} · {escape(info.dtype.replace('torch.', ''))}"
                + (" · meta" if info.device == "meta" else ""))   # (no values to show)
    if show_values and info.values is not None:
        rows.append(f"<FONT POINT-SIZE='10'>{_numbers(info.values)}</FONT>")
    if info.grad is not None:
        rows.append(f"<FONT POINT-SIZE='10' COLOR='#b03a2e'>{words('grad')} "
                    f"{_numbers(info.grad)}</FONT>")
    return "<" + "<BR/>".join(rows) + ">"


def _saved_label(run: Run, op: OpNode, tensors: dict, names: dict, words: _Words) -> str:
    """What the op keeps for backward: tensors by variable name or shape, then the rest."""
    kept = saved_tensors(run, op)
    rows, others = [f"<B>{words('saved')}</B>"], []
    for name in op.saved:
        t = kept.get(name)
        if t is not None and t in tensors:
            what = listed(names.get(t, []), words.lang) or words.shape(tensors[t].shape)
            rows.append(f"{escape(name)} = {escape(what)}")
        else:
            others.append(escape(name))
    if others:
        rows.append(", ".join(others))
    return "<" + "<BR/>".join(rows) + ">"


def _edge(src: str, dst: str, backward: bool, style: str = "solid") -> str:
    a, b = (dst, src) if backward else (src, dst)
    return f"  {a} -> {b} [style={style}];"

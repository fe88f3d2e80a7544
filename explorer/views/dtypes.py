"""The dtype table: the dtype of each named tensor and the bytes one element takes, then every
operation with the dtypes it received and the dtype it returned, line by line. Type promotion
(int64 + float32 → float32, a Python float leaving float32 alone) and casts (float32 → int32)
are read off it directly; the Data types lesson draws it."""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import Run, TensorInfo
from ..texts import DEFAULT_LANGUAGE, t

__all__ = ["ELEMENT_BYTES", "OpDtypes", "op_dtypes", "op_table", "tensor_table"]

# Bytes per element, as Tensor.element_size() gives them.
ELEMENT_BYTES = {"torch.bool": 1, "torch.uint8": 1, "torch.int8": 1, "torch.int16": 2,
                 "torch.int32": 4, "torch.int64": 8, "torch.float16": 2, "torch.bfloat16": 2,
                 "torch.float32": 4, "torch.float64": 8, "torch.complex64": 8,
                 "torch.complex128": 16}
MOST = 40          # rows of the operation table: a training loop's ops fold, but stay many


@dataclass(frozen=True)
class OpDtypes:
    """One operation (or several turns of one line that did the same)."""

    line: int | None
    code: str                    # the learner's line, as written
    op: str                      # registry name, e.g. "add", "_to_copy"
    operands: tuple[str, ...]    # "torch.int64 (3,)", or the word for a wrapped Python number
    result: str                  # the first output's dtype
    count: int = 1


def _operand(info: TensorInfo, lang: str) -> str:
    if info.wrapped_number:     # 2.5 in `i + 2.5`: PyTorch wraps it as a 0-dim tensor
        return t("view.dtypes.number", lang, dtype=info.dtype)
    return f"{info.dtype} {tuple(info.shape)}"


def op_dtypes(run: Run, lang: str = DEFAULT_LANGUAGE) -> list[OpDtypes]:
    """Every recorded op with its operands' dtypes and its result's, in the order they ran;
    consecutive turns of one line with the same dtypes are folded into one row."""
    lines = run.source.splitlines()
    tensors = run.graph.tensors
    rows: list[OpDtypes] = []
    for op in run.graph.ops:
        if not op.outputs or op.outputs[0] not in tensors:
            continue
        operands = tuple(_operand(tensors[i], lang) for i in op.inputs
                         if i is not None and i in tensors)
        code = lines[op.line - 1].strip() if op.line and 0 < op.line <= len(lines) else ""
        row = OpDtypes(op.line, code, op.op, operands, tensors[op.outputs[0]].dtype)
        last = rows[-1] if rows else None
        if last is not None and replace(last, count=1) == row:
            rows[-1] = replace(last, count=last.count + 1)
        else:
            rows.append(row)
    return rows


def op_table(rows: list[OpDtypes], lang: str = DEFAULT_LANGUAGE, most: int = MOST) -> list[dict]:
    """The operations as table rows: line, code, op, the dtypes in, the dtype out."""
    def word(key: str) -> str:
        return t(f"view.dtypes.{key}", lang)

    return [{word("line"): row.line or "", word("code"): row.code,
             word("op"): row.op + (f" ×{row.count}" if row.count > 1 else ""),
             word("operands"): ", ".join(row.operands), word("result"): row.result}
            for row in rows[:most]]


def tensor_table(run: Run, lang: str = DEFAULT_LANGUAGE, most: int = MOST) -> list[dict]:
    """The learner's named tensors, and the parameters of their Modules (`model.weight`: the
    dtype a batch must match), as table rows: name, shape, dtype, bytes per element."""
    def word(key: str) -> str:
        return t(f"view.dtypes.{key}", lang)

    named = [(var.name, var.tensor) for var in run.variables if var.tensor is not None] + [
        (f"{var.name}.{name}", info) for var in run.variables for name, info in var.parameters]
    return [{word("name"): name, word("shape"): str(tuple(info.shape)), word("dtype"): info.dtype,
             word("bytes"): ELEMENT_BYTES.get(info.dtype, "")} for name, info in named[:most]]

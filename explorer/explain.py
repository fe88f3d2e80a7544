"""A plain explanation for each error a learner is likely to meet, next to PyTorch's message.

Each rule matches PyTorch's first message line and says, in one or two sentences, why it
happened and what usually fixes it. The message itself is always shown unchanged, so it can
still be searched for."""
from __future__ import annotations

import re

from .texts import DEFAULT_LANGUAGE, t, table

__all__ = ["explain"]

# The key of each explanation (explorer/texts/<lang>/explain.toml), and PyTorch's message.
_PATTERNS = {
    "broadcast_mismatch": (r"The size of tensor a \((\d+)\) must match the size of tensor b "
                           r"\((\d+)\) at non-singleton dimension (\d+)"),
    "inplace_broadcast": r"output with shape \[(.*)\] doesn't match the broadcast shape \[(.*)\]",
    "view_stride": r"view size is not compatible with input tensor's size and stride",
    "inplace_leaf": r"a leaf Variable that requires grad is being used in an in-place operation",
    "inplace_leaf_view": (r"a view of a leaf Variable that requires grad is being used in an "
                          r"in-place operation"),
    "saved_modified": (r"one of the variables needed for gradient computation has been modified "
                       r"by an inplace operation"),
    "backward_twice": r"Trying to backward through the graph a second time",
    "non_scalar_backward": r"grad can be implicitly created only for scalar outputs",
    "no_grad_fn": r"element (\d+) of tensors does not require grad and does not have a grad_fn",
    "matmul_shapes": r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)",
    "dtype_mismatch": (r"expected m1 and m2 to have the same dtype|"
                       r"expected scalar type (\w+) but found (\w+)|"
                       r"expected both vectors to have same dtype"),
    "numpy_requires_grad": r"Can't call numpy\(\) on Tensor that requires grad",
    "reshape_size": r"shape '\[(.*)\]' is invalid for input of size (\d+)",
    "index_bounds": r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)",
    "item_many": (r"only one element tensors can be converted to Python scalars|"
                  r"a Tensor with (\d+) elements cannot be converted to Scalar"),
    "bool_ambiguous": r"Boolean value of Tensor with more than one value is ambiguous",
    "unused_input": (r"One of the differentiated Tensors appears to not have been used in the "
                     r"graph"),
    "requires_grad_nonleaf": r"you can only change requires_grad flags of leaf variables",
    "conv_input": r"Expected (\d+)D \(unbatched\) or (\d+)D \(batched\) input to conv",
    "too_large": r"refusing to allocate a tensor of ([\d,]+) elements",
    "underscore_name": r"is an invalid (attribute|variable) name because it starts with \"_\"",
    "module_attribute": r"module '([\w.]+)' has no attribute '(\w+)' in Autograd Explorer",
    "sandbox": (r"is not allowed in Autograd Explorer|is not available in Autograd Explorer|"
                r"private attribute|not available here|not allowed here"),
}
_COMPILED = [(re.compile(pattern), key) for key, pattern in _PATTERNS.items()]


def explain(error_type: str, message: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One or two sentences on why this error happened, in `lang` (empty if we have nothing
    to add). The texts live in explorer/texts/<lang>/explain.toml."""
    for pattern, key in _COMPILED:
        match = pattern.search(message)
        if match:
            return t(f"explain.{key}", lang).format(*[g or "" for g in match.groups()])
    known = table(DEFAULT_LANGUAGE)
    return t(f"explain.type.{error_type}", lang) if f"explain.type.{error_type}" in known else ""

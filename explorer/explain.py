"""A plain explanation for each error a learner is likely to meet, next to PyTorch's message.

Each rule matches PyTorch's first message line and says, in one or two sentences, why it
happened and what usually fixes it. The message itself is always shown unchanged, so it can
still be searched for."""
from __future__ import annotations

import re

__all__ = ["explain"]

_RULES: list[tuple[str, str]] = [
    (r"The size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\) at "
     r"non-singleton dimension (\d+)",
     "Broadcasting lines the two shapes up from the right. At dimension {2} the sizes are {0} "
     "and {1}; only a size of 1 can be stretched, so these cannot be matched."),
    (r"output with shape \[(.*)\] doesn't match the broadcast shape \[(.*)\]",
     "An in-place operation must write its result into the tensor it changes, which has shape "
     "[{0}]; broadcasting would need the larger shape [{1}]. Use the out-of-place form "
     "(x = x + y) instead."),
    (r"view size is not compatible with input tensor's size and stride",
     "view() only relabels existing memory. After transpose() or permute() the elements are no "
     "longer stored in row order, so no view can give this shape. Use reshape() (it copies "
     "when it must) or call contiguous() first."),
    (r"a leaf Variable that requires grad is being used in an in-place operation",
     "Changing a leaf that requires grad in place would corrupt the graph that uses it. Update "
     "parameters inside `with torch.no_grad():`, the way optimizers do."),
    (r"a view of a leaf Variable that requires grad is being used in an in-place operation",
     "This is a view of a leaf that requires grad; writing through it would change the leaf in "
     "place. Do it inside `with torch.no_grad():` or work on a clone()."),
    (r"one of the variables needed for gradient computation has been modified by an inplace "
     r"operation",
     "A tensor saved for backward was changed in place after it was used, so its version "
     "counter moved on and the saved value is gone. Use an out-of-place operation "
     "(x = x * 2) or clone() the tensor before changing it."),
    (r"Trying to backward through the graph a second time",
     "backward() frees the values the graph saved as soon as it has used them. Pass "
     "retain_graph=True to the first backward() if you need a second one, or run the forward "
     "pass again."),
    (r"grad can be implicitly created only for scalar outputs",
     "backward() without arguments needs a single number to start from. Reduce the output first "
     "(for example .sum() or .mean()), or pass gradient= with the output's shape: that computes "
     "a vector-Jacobian product."),
    (r"element (\d+) of tensors does not require grad and does not have a grad_fn",
     "Nothing this value was computed from requires grad, so there is no graph to go back "
     "through. Create the inputs with requires_grad=True (and don't detach() or use no_grad() "
     "on the way)."),
    (r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)",
     "A matrix product (a×b) @ (b×c) needs the inner sizes to agree, but here they are {1} and "
     "{2}. Check which side should be transposed."),
    (r"expected m1 and m2 to have the same dtype|expected scalar type (\w+) but found (\w+)|"
     r"expected both vectors to have same dtype",
     "The two tensors have different dtypes, and this operation does not convert them. Make "
     "them the same, e.g. with .float() or .to(other.dtype)."),
    (r"Can't call numpy\(\) on Tensor that requires grad",
     "A tensor that requires grad is part of a graph; NumPy can't follow it. Call "
     ".detach().numpy() to get the values."),
    (r"shape '\[(.*)\]' is invalid for input of size (\d+)",
     "view() and reshape() keep every element, so the new shape must hold exactly {1} elements; "
     "[{0}] does not."),
    (r"index (-?\d+) is out of bounds for dimension (\d+) with size (\d+)",
     "Dimension {1} has {2} entries, so valid indices are 0 to {2}-1 (or negative from the "
     "end)."),
    (r"only one element tensors can be converted to Python scalars|a Tensor with (\d+) "
     r"elements cannot be converted to Scalar",
     "item() and float() need a tensor with exactly one element. Reduce it first or index a "
     "single element."),
    (r"Boolean value of Tensor with more than one value is ambiguous",
     "`if` and `and`/`or` need one True or False, but this tensor holds many. Use .any(), "
     ".all(), or compare a single element."),
    (r"One of the differentiated Tensors appears to not have been used in the graph",
     "The output doesn't depend on one of the inputs you asked gradients for. Pass "
     "allow_unused=True to get None for it."),
    (r"you can only change requires_grad flags of leaf variables",
     "Only leaves (tensors you created) carry a requires_grad flag you can set; a computed "
     "tensor's flag comes from its inputs. Use .detach() to get a tensor outside the graph."),
    (r"Expected (\d+)D \(unbatched\) or (\d+)D \(batched\) input to conv",
     "Convolution layers expect (batch, channels, height, width) for 2-d images. Add the batch "
     "dimension with unsqueeze(0)."),
    (r"refusing to allocate a tensor of ([\d,]+) elements",
     "That tensor would be too large for this shared classroom server. Try smaller sizes; the "
     "ideas are the same."),
    (r"is an invalid (attribute|variable) name because it starts with \"_\"",
     "Names that start with an underscore lead into the internals of Python and of the "
     "library, which the sandbox keeps out of reach. The public API (for example x.dtype or "
     "print(type(x))) shows the same information."),
    (r"module '([\w.]+)' has no attribute '(\w+)' in Autograd Explorer",
     "In Autograd Explorer, {0} offers only what PyTorch lessons need, and {1} is not part of "
     "it. Files, processes and the network stay outside the sandbox."),
    (r"is not allowed in Autograd Explorer|is not available in Autograd Explorer|"
     r"private attribute|not available here|not allowed here",
     "Learner code runs in a sandbox: it can use PyTorch, NumPy and math, but not files, the "
     "network, or Python's internals."),
]
_COMPILED = [(re.compile(p), text) for p, text in _RULES]

_BY_TYPE = {
    "CpuLimitExceeded": "The code ran too long, most likely an endless loop. Each run gets a "
                        "few seconds of CPU time.",
    "OutputLimitExceeded": "The code printed too much, most likely inside a loop. Print less, "
                           "or print every few steps.",
    "MemoryError": "The code needed more memory than a run is allowed. Use smaller tensors.",
    "RecursionError": "A function kept calling itself without stopping. Check its base case.",
    "NameError": "Python doesn't know this name yet: check the spelling, and that it is "
                 "defined (or imported) before this line.",
    "SyntaxError": "Python could not read this line. Check brackets, colons and indentation.",
    "IndentationError": "The indentation of this block doesn't line up. Use four spaces per "
                        "level.",
    "WallClockExceeded": "The run took too long and was stopped.",
}


def explain(error_type: str, message: str) -> str:
    """One or two sentences on why this error happened (empty if we have nothing to add)."""
    for pattern, text in _COMPILED:
        match = pattern.search(message)
        if match:
            return text.format(*[g or "" for g in match.groups()])
    return _BY_TYPE.get(error_type, "")

"""A plain explanation for each error a learner is likely to meet, next to PyTorch's message.

Each rule matches PyTorch's first message line and says, in one or two sentences, why it
happened and what usually fixes it. The message itself is always shown unchanged, so it can
still be searched for."""
from __future__ import annotations

import re

from .markup import escape
from .texts import DEFAULT_LANGUAGE, t, table

__all__ = ["LESSON_OF", "MESSAGE_CAP", "explain", "lesson_link"]

# The key of each explanation (explorer/texts/<lang>/explain.toml), and PyTorch's message.
# Every repeat is bounded ({0,200}, not * or +) and explain() matches only the start of the
# message's first line: the message is the learner's to choose (`raise RuntimeError(...)`),
# and an unbounded `(.*)` let a crafted one backtrack for seconds on every page render.
_N = r"\d{1,20}"           # a number in a message
_DIMS = r"[^\]\n]{0,200}"  # the inside of a printed shape, "2, 3"
_PATTERNS = {
    "broadcast_mismatch": (rf"The size of tensor a \(({_N})\) must match the size of tensor b "
                           rf"\(({_N})\) at non-singleton dimension ({_N})"),
    "broadcast_meta": (rf"Attempting to broadcast a dimension of length ({_N}) at (-{_N})! "
                       rf"Mismatching argument at index ({_N}) had torch\.Size\(\[({_DIMS})\]\); "
                       rf"but expected shape should be broadcastable to \[({_DIMS})\]"),
    "inplace_broadcast": (rf"output with shape \[({_DIMS})\] doesn't match the broadcast shape "
                          rf"\[({_DIMS})\]"),
    "view_stride": r"view size is not compatible with input tensor's size and stride",
    "inplace_leaf": r"a leaf Variable that requires grad is being used in an in-place operation",
    "inplace_leaf_view": (r"a view of a leaf Variable that requires grad is being used in an "
                          r"in-place operation"),
    "saved_modified": (r"one of the variables needed for gradient computation has been modified "
                       r"by an inplace operation"),
    "backward_twice": r"Trying to backward through the graph a second time",
    "non_scalar_backward": r"grad can be implicitly created only for scalar outputs",
    "no_grad_fn": rf"element ({_N}) of tensors does not require grad and does not have a grad_fn",
    "matmul_shapes": (rf"mat1 and mat2 shapes cannot be multiplied \(({_N})x({_N}) and "
                      rf"({_N})x({_N})\)",   # ... and as torch's meta kernel says it:
                      rf"a and b must have same reduction dim, but got \[({_N}), ({_N})\] X "
                      rf"\[({_N}), ({_N})\]"),
    "dtype_mismatch": (r"expected m1 and m2 to have the same dtype|"
                       r"mat1 and mat2 must have the same dtype|"
                       r"expected scalar type (\w{1,64}) but found (\w{1,64})|"
                       r"expected both vectors to have same dtype"),
    "target_dtype": r"expected target dtype to be Long or Byte",
    "legacy_function": r"Legacy autograd function with non-static forward method",
    "gradcheck_mismatch": r"Jacobian mismatch for output",
    "default_tensor_type": r"module 'torch' has no attribute 'set_default_tensor_type'",
    "torchvision": r"import of 'torchvision' is not allowed|No module named 'torchvision'",
    "dlp": (r"import of 'torch_dlp' is not allowed|No module named 'torch_dlp'|"
            r"'Tensor' object has no attribute 'dlp'|device type at start of device string: dlp"),
    "shape_call": r"'(?:torch\.)?Size' object is not callable",
    "no_cuda": r"Torch not compiled with CUDA enabled|Cannot initialize CUDA without ATen_cuda",
    "python2_print": r"Missing parentheses in call to 'print'",
    "grad_none": r"'NoneType' object has no attribute '(\w{1,200})'",
    "numpy_requires_grad": r"Can't call numpy\(\) on Tensor that requires grad",
    "device_mismatch": r"Tensor on device (\w{1,20}) is not on the expected device (\w{1,20})!",
    "meta_no_data": (r"Cannot copy out of meta tensor; no data!|Tensor\.item\(\) cannot be "
                     r"called on meta tensors|can't convert meta device type tensor to numpy"),
    "meta_op": (r"attempted to run this operator with Meta tensors|"
                r"The register_meta function for torch\.nonzero\(\)"),
    "reshape_size": rf"shape '\[({_DIMS})\]' is invalid for input of size ({_N})",
    "index_bounds": rf"index (-?{_N}) is out of bounds for dimension ({_N}) with size ({_N})",
    "item_many": (rf"only one element tensors can be converted to Python scalars|"
                  rf"a Tensor with ({_N}) elements cannot be converted to Scalar"),
    "bool_ambiguous": r"Boolean value of Tensor with more than one value is ambiguous",
    "unused_input": (r"One of the differentiated Tensors appears to not have been used in the "
                     r"graph"),
    "requires_grad_nonleaf": r"you can only change requires_grad flags of leaf variables",
    "conv_input": rf"Expected ({_N})D \(unbatched\) or ({_N})D \(batched\) input to conv",
    "too_large": r"refusing to allocate a tensor of ([\d,]{1,40}) elements",
    "underscore_name": r"is an invalid (attribute|variable) name because it starts with \"_\"",
    "module_attribute": (r"module '([\w.]{1,200})' has no attribute '(\w{1,200})' in Autograd "
                         r"Explorer"),
    "sandbox": (r"is not allowed in Autograd Explorer|is not available in Autograd Explorer|"
                r"private attribute|not available here|not allowed here"),
}
# The lesson about each mistake: its explanation ends with a link to it.
LESSON_OF = {
    "broadcast_mismatch": "mistake-broadcast-mismatch",
    "broadcast_meta": "mistake-broadcast-mismatch",
    "inplace_broadcast": "mistake-inplace-broadcast",
    "view_stride": "mistake-view-after-transpose",
    "inplace_leaf": "mistake-inplace-leaf",
    "inplace_leaf_view": "mistake-inplace-leaf",
    "saved_modified": "mistake-saved-tensor",
    "backward_twice": "mistake-backward-twice",
    "non_scalar_backward": "backward-vjp",
    "no_grad_fn": "autograd-basics",
    "dtype_mismatch": "mistake-dtype-mismatch",
    "target_dtype": "mistake-dtype-mismatch",
    "legacy_function": "custom-function",
    "gradcheck_mismatch": "custom-function",
    "default_tensor_type": "dtypes",
    "torchvision": "fine-tuning",
    "dlp": "devices",
    "shape_call": "mistake-api-slips",
    "no_cuda": "mistake-api-slips",
    "grad_none": "autograd-basics",
    "numpy_requires_grad": "numpy-interop",
    "reshape_size": "views-contiguity",
    "index_bounds": "indexing-slicing",
    "requires_grad_nonleaf": "no-grad-detach-data",
    "conv_input": "nchw-nhwc",
}
MESSAGE_CAP = 2000          # characters of the first line that the patterns see
_COMPILED = [(re.compile(pattern), key) for key, patterns in _PATTERNS.items()
             for pattern in (patterns if isinstance(patterns, tuple) else (patterns,))]


def lesson_link(lesson_id: str, lang: str) -> str:
    """A Markdown link to the lesson page on this lesson, in this language (relative, so it
    works wherever the app is served)."""
    query = f"lesson={lesson_id}" + (f"&lang={lang}" if lang != DEFAULT_LANGUAGE else "")
    title = escape(t(f"lesson.{lesson_id}.title", lang))
    return t("explain.lesson", lang).format(link=f"[{title}](lessons?{query})")


def explain(error_type: str, message: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """One or two sentences on why this error happened, in `lang` (empty if we have nothing
    to add). The texts live in explorer/texts/<lang>/explain.toml.

    The result is Markdown: the words taken from the message (shapes, sizes, names) are escaped,
    since the learner can raise any message they like."""
    head = message[:MESSAGE_CAP].partition("\n")[0]
    for pattern, key in _COMPILED:
        match = pattern.search(head)
        if match:
            why = t(f"explain.{key}", lang).format(*[escape(g or "") for g in match.groups()])
            return f"{why} {lesson_link(LESSON_OF[key], lang)}" if key in LESSON_OF else why
    known = table(DEFAULT_LANGUAGE)
    return t(f"explain.type.{error_type}", lang) if f"explain.type.{error_type}" in known else ""

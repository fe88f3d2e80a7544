"""The ops: each module declares its ops in the registry and publishes torch.X / Tensor.X."""
from . import registry  # noqa: F401  (first: the others register into it)
from . import creation, indexing, joining, linalg, pointwise, reduction, views  # noqa: F401
from . import contractions, counting, decompositions, diagonals, distance, upsample  # noqa: F401
from .registry import REGISTRY, TENSOR_METHODS, TORCH_FUNCTIONS  # noqa: F401

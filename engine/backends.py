"""torch.backends as PyTorch's CPU-only build answers: no cuDNN, CUDA or MPS; MKL-DNN and OpenMP
present. The flags tutorials set (`torch.backends.cudnn.deterministic = True`) are plain
attributes here, kept and read back, and change nothing: the engine has one deterministic CPU
path."""
from __future__ import annotations

__all__ = ["cudnn", "cuda", "mps", "mkldnn", "openmp"]


class Backend:
    """One backend's switches: a fixed set of settable flags, plus what it reports."""

    __slots__ = ()
    _name = ""

    def __repr__(self) -> str:
        return f"<module 'torch.backends.{self._name}' (Autograd Explorer)>"


class _Cudnn(Backend):
    __slots__ = ("enabled", "benchmark", "deterministic", "allow_tf32", "benchmark_limit")
    _name = "cudnn"

    def __init__(self) -> None:
        self.enabled, self.benchmark, self.deterministic = True, False, False
        self.allow_tf32, self.benchmark_limit = True, None

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def version() -> None:
        return None

    @staticmethod
    def is_acceptable(tensor) -> bool:
        return False


class _Matmul:
    __slots__ = ("allow_tf32", "allow_fp16_reduced_precision_reduction",
                 "allow_bf16_reduced_precision_reduction")

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


class _Cuda(Backend):
    __slots__ = ("matmul",)
    _name = "cuda"

    def __init__(self) -> None:
        self.matmul = _Matmul()

    @staticmethod
    def is_built() -> bool:
        return False


class _Mps(Backend):
    __slots__ = ()
    _name = "mps"

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class _Present(Backend):
    """A CPU library PyTorch's CPU build links (MKL-DNN, OpenMP)."""

    __slots__ = ("_which", "enabled")

    def __init__(self, which: str) -> None:
        self._which, self.enabled = which, True

    @property
    def _name(self) -> str:   # type: ignore[override]
        return self._which

    @staticmethod
    def is_available() -> bool:
        return True


cudnn = _Cudnn()
cuda = _Cuda()
mps = _Mps()
mkldnn = _Present("mkldnn")
openmp = _Present("openmp")

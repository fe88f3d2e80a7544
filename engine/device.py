"""torch.device: the engine runs on the CPU, and on the meta device (shapes without data, see
engine/ops/meta.py); it says so for anything else."""
from __future__ import annotations


# the device types torch knows by name, in the order its error message lists them
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")


class device:
    __slots__ = ("type", "index")

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        """Equal to a device of the same type and index only: as in torch, a device is never
        equal to a string (`torch.device('cpu') == 'cpu'` is False)."""
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __ne__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) != (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self) -> "device":
        """`with torch.device('meta'):` factories without a device make their tensors here
        (each exit restores the default its enter found: one device may be entered twice)."""
        _outer.append(_default[0])
        set_default_device(self)
        return self

    def __exit__(self, *exc) -> None:
        _default[0] = _outer.pop()


CPU = device("cpu")
META = device("meta")


def is_meta(dev) -> bool:
    """Whether a device argument (a device, a string, an index, or None) names the meta device."""
    if dev is None or isinstance(dev, int):
        return False
    return (dev if isinstance(dev, device) else device(str(dev))).type == "meta"


def check_cpu(dev) -> None:
    """Refuse devices other than the CPU with the message PyTorch's CPU-only build gives."""
    if dev is None:
        return
    d = dev if isinstance(dev, device) else device(str(dev)) if not isinstance(dev, int) \
        else device("cuda", dev)
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    if d.type == "mps":
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    if d.type != "cpu":
        raise RuntimeError(f"Autograd Explorer runs on the CPU only; device '{d}' is not "
                           "available")


_default: list = [None]     # the device set_default_device named (None: the CPU)
_outer: list = []           # the defaults `with device:` blocks found, innermost last


def set_default_device(dev) -> None:
    """torch.set_default_device: any device torch can name is taken; as in PyTorch's CPU-only
    build, CUDA or MPS fail only when a tensor is made there (get_default_device makes one)."""
    _default[0] = None if dev is None else dev if isinstance(dev, device) else \
        device("cuda", dev) if isinstance(dev, int) else device(str(dev))


def get_default_device() -> device:
    if is_meta(_default[0]):
        return META
    check_cpu(_default[0])
    return CPU


def default_device():
    """Where a factory function makes a tensor no device was given for."""
    return _default[0]


def refuse_cuda(device=None) -> None:
    """Tensor.cuda() and Module.cuda() as PyTorch's CPU-only build refuses them: an index has
    no accelerator to name, a non-CUDA device is the wrong kind, anything else is CUDA."""
    if isinstance(device, int) and not isinstance(device, bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if device is not None and (device if isinstance(device, globals()["device"]) else
                               globals()["device"](str(device))).type != "cuda":
        raise RuntimeError("Invalid device, must be cuda device")
    raise AssertionError("Torch not compiled with CUDA enabled")

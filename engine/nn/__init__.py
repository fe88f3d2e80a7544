"""torch.nn: Modules, Parameters, layers, losses, functional and init."""
from . import functional, init, utils
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _layers
from .parameter import Buffer, Parameter

__all__ = ["Module", "Parameter", "Buffer", "functional", "init", "utils", *_layers]

"""Argument checks that keep the engine's NumPy kernels inside their buffers, and the dotted-path
helpers of nn.Module, against real PyTorch: the same results where torch has them, and the same
error (type and first line) where torch refuses. Each of these once let sandboxed code read or
walk where it must not (issue 13): a diagonal over one dim twice and a conv or pool with a
negative step read outside their arrays; get_submodule followed any attribute path."""
import numpy as np
import pytest

from difftest import run_both

X2 = np.arange(9, dtype=np.float32).reshape(3, 3)
X3 = np.arange(24, dtype=np.float32).reshape(2, 3, 4)


@pytest.mark.parametrize("args", [(0, 0, 0), (0, 1, 1), (0, 0, -2), (0, 1, -1), (0, -1, -1),
                                  (1, 0, 1), (-1, 1, 0), (0, 0, 2), (0, -3, 0), (5, 0, 1)])
def test_diagonal_dims_match_torch(args):
    run_both(lambda lib, x: x.diagonal(*args), X2)
    run_both(lambda lib, x: lib.diagonal(x, *args), X3)


I1 = np.linspace(-1, 1, 2 * 6).astype(np.float32).reshape(1, 2, 6)
I2 = np.linspace(-1, 1, 2 * 36).astype(np.float32).reshape(1, 2, 6, 6)
I3 = np.linspace(-1, 1, 2 * 125).astype(np.float32).reshape(1, 2, 5, 5, 5)
W1, W2, W3 = (np.ones((2, 2) + (3,) * n, dtype=np.float32) / 9 for n in (1, 2, 3))
GEOMETRY = [dict(stride=-1), dict(stride=0), dict(stride=(1, -1)), dict(padding=-1),
            dict(padding=(0, -2)), dict(dilation=-1), dict(dilation=(1, -2)),
            dict(dilation=0), dict(groups=0), dict(groups=-1), dict(stride=-1, dilation=-1),
            dict(padding=-1, stride=-1), dict(dilation=0, padding=-1),
            dict(padding="same", dilation=-1), dict(padding="valid", dilation=-1),
            dict(stride=2, padding=1, dilation=2)]


@pytest.mark.parametrize("kw", GEOMETRY, ids=str)
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_geometry_matches_torch(dims, kw):
    x, w = {1: (I1, W1), 2: (I2, W2), 3: (I3, W3)}[dims]
    kw = {k: (v[:1] * dims if isinstance(v, tuple) and dims == 1 else
              v + v[-1:] if isinstance(v, tuple) and dims == 3 else v) for k, v in kw.items()}
    conv = f"conv{dims}d"
    run_both(lambda lib, a, b: getattr(lib.nn.functional, conv)(a, b, **kw), x, w)
    if "padding" in kw and isinstance(kw["padding"], str):
        return
    transposed = f"conv_transpose{dims}d"
    run_both(lambda lib, a, b: getattr(lib.nn.functional, transposed)(a, b, **kw), x, w)
    run_both(lambda lib, a, b: getattr(lib.nn.functional, transposed)(
        a, b, output_padding=-1, **kw), x, w)


POOL = [dict(stride=-1), dict(stride=0), dict(stride=(1, -1)), dict(padding=-1),
        dict(padding=(0, -1)), dict(padding=2), dict(dilation=-1), dict(dilation=0),
        dict(dilation=(1, -2)), dict(kernel_size=0), dict(kernel_size=-1),
        dict(kernel_size=-2), dict(kernel_size=(2, -1), stride=1),
        dict(stride=-1, dilation=-1, padding=-1), dict(kernel_size=3, dilation=-1, padding=1),
        dict(kernel_size=3, stride=2, padding=1, dilation=2)]


@pytest.mark.parametrize("kw", POOL, ids=str)
@pytest.mark.parametrize("dims", [1, 2, 3])
def test_pool_geometry_matches_torch(dims, kw):
    x = {1: I1, 2: I2, 3: I3}[dims]
    kw = {"kernel_size": 2, **kw}
    if dims != 2:   # tuples of two become tuples of one (1-d) or three (3-d)
        kw = {k: (v[-1:] if dims == 1 else v[:1] + v) if isinstance(v, tuple) else v
              for k, v in kw.items()}
    pool = f"max_pool{dims}d"
    run_both(lambda lib, a: getattr(lib.nn.functional, pool)(a, **kw), x)
    run_both(lambda lib, a: getattr(lib.nn.functional, pool)(a, return_indices=True, **kw), x)
    if "dilation" not in kw:
        avg = f"avg_pool{dims}d"
        run_both(lambda lib, a: getattr(lib.nn.functional, avg)(a, **kw), x)


def _model(lib):
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(2, 2)
            self.register_buffer("scale", lib.ones(2))
            self.add_module("_hidden", lib.nn.ReLU())
            self.register_parameter("_bias", lib.nn.Parameter(lib.zeros(2)))
            self.nothing = None
            self.note = "text"

        @property
        def first(self):
            return self.fc

    lib.manual_seed(0)
    return lib.nn.Sequential(Block(), lib.nn.BatchNorm1d(2))


PATHS = ["", "0", "1", "0.fc", "0.first", "0._hidden", "0.fc.weight", "0.fc.bias", "0.scale",
         "0._bias", "1.running_mean", "1.num_batches_tracked", "1.weight", "2", "0.missing",
         "0.nothing", "0.note", "0.forward", "forward", "forward.__func__",
         "forward.__func__.__globals__", "0.__dict__", "__class__", "_modules", "0._modules",
         "0._parameters", "0.fc.__init__.__globals__", "0.fc.weight.grad", "0..fc", "."]


def _describe(value):
    """What a helper returned, comparable across the two libraries."""
    return (type(value).__name__, value.detach().numpy().tolist()
            if hasattr(value, "detach") else repr(value))


@pytest.mark.parametrize("helper", ["get_submodule", "get_parameter", "get_buffer"])
@pytest.mark.parametrize("path", PATHS)
def test_module_dotted_paths_match_torch(helper, path):
    run_both(lambda lib: _describe(getattr(_model(lib), helper)(path)))


def test_raw_kernels_check_their_own_geometry():
    """The kernels behind the public functions refuse a view outside their array themselves,
    whoever calls them (defence in depth: learner code cannot reach them at all)."""
    import engine
    from engine.ops import conv_pool, views
    x = engine.ones(3, 3)
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical 0, 0"):
        views.DIAGONAL(x, offset=0, dim1=0, dim2=0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        views.DIAGONAL(x, offset=0, dim1=0, dim2=-1)
    image, weight = engine.ones(1, 1, 5, 5), engine.ones(1, 1, 3, 3)
    for bad in (dict(stride=(1, 1), dilation=(-1, -1)), dict(stride=(-1, 1), dilation=(1, 1)),
                dict(stride=(0, 1), dilation=(1, 1))):
        with pytest.raises(RuntimeError, match="window view out of bounds"):
            conv_pool.CONV(image, weight, None, padding=(0, 0), groups=1, **bad)
    with pytest.raises(RuntimeError, match="window view out of bounds"):
        conv_pool.MAX_POOL(image, kernel_size=(2, 2), stride=(1, 1), padding=(0, 0),
                           dilation=(-1, -1), ceil_mode=False)


# A torch function given a number where its input tensor goes: torch's TypeError, not the
# AttributeError the engine's implementation meets when it reads the number's shape.
NOT_A_TENSOR = ["sum", "mean", "amax", "argmax", "max", "min", "prod", "median", "sort", "argsort",
                "nonzero", "clone", "flatten", "flip", "reshape", "t", "tril", "diag", "diagonal",
                "unbind", "zeros_like", "ones_like", "rand_like", "histc", "count_nonzero",
                "all", "any", "std", "var_mean"]


@pytest.mark.parametrize("name", NOT_A_TENSOR)
@pytest.mark.parametrize("value", [3, [1.0, 2.0]], ids=["int", "list"])
def test_a_number_for_the_input_tensor_is_torchs_type_error(name, value):
    run_both(lambda lib: getattr(lib, name)(value))

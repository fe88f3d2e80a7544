"""Engine code trusting what learner code hands it: each case is hostile learner code run
through the real path (a sandboxed run process), and each must fail with a plain error and
reach nothing. The pattern of five outside attacks: engine code that reads a learner object's
private fields, does arithmetic with its numbers or believes its public answers (a Tensor
subclass's stride(), an int subclass's `__sub__`), then builds memory views from them.

The views NumPy cannot check (np.ndarray over a buffer, as_strided) are built in a few places,
and each reads its sizes, strides and offsets as plain ints and checks them itself, whatever
path led there (engine.tensor.exact_ints)."""
import pytest

from explorer import Limits
from explorer.sandbox.pool import WorkerPool

LIMITS = Limits(cpu_seconds=4, wall_seconds=20)


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(size=1)
    yield workers
    workers.close()


# An int whose arithmetic lies: the engine's bounds checks once did their sums with it, while
# NumPy read its real value through __index__.
LYING_INT = """
class I(int):
    def __eq__(self, other):
        return MODE.get('eq', int(self) == other)
    def __ne__(self, other):
        return not (self == other)
    def __hash__(self):
        return int(self)
    def __bool__(self):
        return MODE.get('bool', int(self) != 0)
    def __sub__(self, other):
        return MODE.get('sub', int(self) - other)
    def __mul__(self, other):
        return MODE['mul'](int(self), other) if 'mul' in MODE else int(self) * other
    def __rmul__(self, other):
        return MODE['rmul'](int(self), other) if 'rmul' in MODE else other * int(self)
    def __radd__(self, other):
        return MODE.get('radd', other + int(self))
"""

ATTACKS = {
    # empty_strided's span and its view's bounds check were summed with the learner's ints:
    # an empty storage under a view of a million elements (NumPy checks no strides over an
    # empty buffer)
    "empty_strided_with_lying_sizes": (
        "import torch\nMODE = {'eq': True, 'bool': False, 'sub': 0}\n" + LYING_INT +
        "t = torch.empty_strided((I(1 << 20),), (1,))\n"
        "if t.untyped_storage().nbytes() < 4 * t.numel():\n    print('REACHED', t[1000:1004])\n"
        "print('size', t.untyped_storage().nbytes())",
        None, "size 4194304"),
    # diagonal(dim1=dim2) reads outside its input; dims equal to the learner's __eq__ only
    "diagonal_over_one_dim_twice": (
        "import torch\nMODE = {'eq': False}\n" + LYING_INT +
        "d = torch.arange(9.).reshape(3, 3).diagonal(0, I(0), I(0))\nprint('REACHED', d)",
        "RuntimeError", "diagonal dimensions cannot be identical 0, 0"),
    # a Parameter subclass's stride() gives ints whose products lie to the view's bounds check
    "view_with_a_lying_stride": (
        "import torch\nMODE = {'rmul': lambda s, o: I(o * s), 'mul': lambda s, o: I(s * o),"
        " 'radd': 0}\n" + LYING_INT +
        "class P(torch.nn.Parameter):\n    def stride(self, dim=None):\n"
        "        return (I(1000), 1)\n"
        "p = P(torch.zeros(4, 4), requires_grad=False)\nprint('REACHED', p.view(4, 4)[3])",
        "RuntimeError", "reach outside their storage of 16 elements"),
    "as_strided_with_a_lying_storage_offset": (
        "import torch\nMODE = {'mul': lambda s, o: 0, 'radd': 0}\n" + LYING_INT +
        "class P(torch.nn.Parameter):\n    def storage_offset(self):\n"
        "        return I(10 ** 6)\n"
        "p = P(torch.zeros(4), requires_grad=False)\nprint('REACHED', p.as_strided((2,), (1,)))",
        "RuntimeError", "out of bounds for storage of size 16"),
    # a pooling window's dilation whose product lies to the output-size arithmetic
    "max_pool_with_a_lying_dilation": (
        "import torch\nimport torch.nn.functional as F\n"
        "MODE = {'mul': lambda s, o: 0, 'rmul': lambda s, o: I(o * s)}\n" + LYING_INT +
        "y = F.max_pool2d(torch.zeros(1, 1, 4, 4), 2, stride=1, dilation=I(100000))\n"
        "print('REACHED', y.sum())",
        "ValueError", "negative dimensions are not allowed"),
}


def _check(run, name, error_type, message):
    assert "REACHED" not in run.stdout, f"{name} got through: {run.stdout!r}"
    if error_type is None:       # nothing to refuse: the engine used the real numbers
        assert run.error is None and message in run.stdout, (run.error, run.stdout)
        return
    assert run.error is not None, f"{name} was not stopped: {run.stdout!r}"
    assert (run.error.type, message in run.error.message) == (error_type, True), run.error
    assert run.error.type not in ("WorkerLost",)


@pytest.mark.parametrize("name", ATTACKS)
def test_engine_does_not_trust_learner_objects(pool, name):
    code, error_type, message = ATTACKS[name]
    _check(pool.run(code, 0, LIMITS), name, error_type, message)

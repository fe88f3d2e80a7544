"""Engine code trusting what learner code hands it: each case is hostile learner code run
through the real path (a sandboxed run process), and each must fail with a plain error and
reach nothing. The pattern of five outside attacks: engine code that reads a learner object's
private fields, does arithmetic with its numbers or believes its public answers (a Tensor
subclass's stride(), an int subclass's `__sub__`), then builds memory views from them.

Three central checks close the family: the views NumPy cannot check (np.ndarray over a
buffer, as_strided) read their sizes, strides and offsets as plain ints (engine.tensor.
exact_ints); a learner's Tensor subclass may add methods but not redefine the tensor's own
(Tensor.__init_subclass__), and torch.dtype can be neither made nor subclassed, so what the
engine reads of an object that passes isinstance(x, Tensor) is the engine's; and nothing else
carries a tensor's private fields (a scheduler's state, torch.stack's list are checked)."""
import numpy as np
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
        "TypeError", "class P cannot redefine 'stride' of torch.Tensor"),
    "as_strided_with_a_lying_storage_offset": (
        "import torch\nMODE = {'mul': lambda s, o: 0, 'radd': 0}\n" + LYING_INT +
        "class P(torch.nn.Parameter):\n    def storage_offset(self):\n"
        "        return I(10 ** 6)\n"
        "p = P(torch.zeros(4), requires_grad=False)\nprint('REACHED', p.as_strided((2,), (1,)))",
        "TypeError", "class P cannot redefine 'storage_offset' of torch.Tensor"),
    # a subclass answering shape or dtype its own way passed the checks on what a hook
    # returns; one that is also a Module took the Module's methods and __setattr__ first
    "hook_returns_a_tensor_lying_about_its_shape": (
        "import torch\nclass P(torch.nn.Parameter):\n    @property\n    def shape(self):\n"
        "        return torch.Size([400])\n"
        "x = torch.ones(400, requires_grad=True)\n"
        "gx, = torch.autograd.grad(x[2:400], x, grad_outputs=torch.ones(398, requires_grad=True),"
        " create_graph=True)\nz = gx * 2\n"
        "z.grad_fn.register_hook(lambda grads, inputs: (P(torch.zeros(2), False), None))\n"
        "z.backward(torch.ones(400))\nprint('REACHED')",
        "TypeError", "class P cannot redefine 'shape' of torch.Tensor"),
    "dtype_property_copied_into_views": (
        "import torch\nclass P(torch.nn.Parameter):\n    dtype = torch.float64\n"
        "print('REACHED', P(torch.zeros(2)).view(2).dtype)",
        "TypeError", "class P cannot redefine 'dtype' of torch.Tensor"),
    # a dtype made by learner code with NumPy's object dtype behind it: the engine trusts a
    # dtype's `np` and `itemsize` (torch.dtype cannot be made or subclassed in PyTorch either)
    "dtype_made_by_learner_code": (
        "import torch\nD = type(torch.float32)\n"
        "evil = D('float32', object, 4, 2, True, 'FloatTensor', 'float')\n"
        "print('REACHED', torch.ones(2).to(evil))",
        "TypeError", "cannot create 'torch.dtype' instances"),
    "dtype_subclassed": (
        "import torch\nclass D(type(torch.float32)):\n    pass\nprint('REACHED', D)",
        "TypeError", "type 'torch.dtype' is not an acceptable base type"),
    # a scheduler's load_state_dict wrote any name into its __dict__: given a tensor's private
    # fields it posed as one, and torch.stack read its `_data`, `_vc`, ... as a tensor's
    "scheduler_posing_as_a_tensor": (
        "import torch, numpy as np\n"
        "opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n"
        "s = torch.optim.lr_scheduler.StepLR(opt, 1)\n"
        "s.load_state_dict({'_data': np.zeros(3, np.float32), 'dtype': torch.float32, "
        "'shape': torch.Size([3]), '_vc': [0], '_base': None, '_grad_fn': None, "
        "'_storage_cell': None, '_requires_grad': False, '_output_nr': 0})\n"
        "print('REACHED', torch.stack([torch.ones(3), s]))",
        "KeyError", "'_data' is not in this scheduler's state_dict()"),
    # ... and, given an `__array_interface__` (which NumPy reads off the instance), any
    # address as an array: np.asarray(scheduler) read and wrote raw memory
    "scheduler_posing_as_raw_memory": (
        "import torch, numpy as np\n"
        "opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n"
        "s = torch.optim.lr_scheduler.StepLR(opt, 1)\nsecret = b'object memory'\n"
        "s.load_state_dict({'__array_interface__': {'shape': (8,), 'typestr': '|u1', "
        "'data': (id(secret), False), 'version': 3}})\n"
        "print('REACHED', np.asarray(s).tolist())",
        "KeyError", "'__array_interface__' is not in this scheduler's state_dict()"),
    "stack_of_something_else": (
        "import torch\nclass S:\n    shape = torch.Size([3])\n"
        "print('REACHED', torch.stack([torch.ones(3), S()]))",
        "TypeError", "expected Tensor as element 1 in argument 0, but got S"),
    # a str subclass as a dotted path: its own startswith() said "__dict__" was public and its
    # __hash__/__eq__ passed the "is it a buffer" check, so get_buffer returned any attribute
    # of a Module: its __dict__ (then any private field, posing as a tensor again) or its
    # __reduce_ex__ (copyreg's __newobj__, which builds objects without their constructor)
    "path_that_lies_about_itself": (
        "import torch\nclass S(str):\n    calls = [0]\n"
        "    def startswith(self, *args):\n        return False\n"
        "    def rpartition(self, sep):\n        return ('', '.', self)\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __ne__(self, other):\n        return False\n"
        "    def __hash__(self):\n        self.calls[0] += 1\n"
        "        return hash('running_mean') if self.calls[0] > 4 else hash(str(self) + '')\n"
        "m = torch.nn.BatchNorm1d(2)\nd = m.get_buffer(S('__dict__'))\n"
        "d['_data'] = 1\nprint('REACHED', sorted(d))",
        "AttributeError", "`__dict__` is not a buffer"),
    "child_name_that_lies_about_itself": (
        "import torch\nclass S(str):\n    def __contains__(self, item):\n        return False\n"
        "m = torch.nn.Module()\nm.add_module(S('a.b'), torch.nn.Linear(1, 1))\n"
        "print('REACHED', list(m.named_modules()))",
        "KeyError", 'contain "."'),
    # functools.wraps(obj, updated=('__dict__',))(tensor) merged obj's public attributes into
    # a genuine tensor's instance __dict__: its stride() and numel() then answered the
    # learner's way without any subclass (and a graph node's next_functions were rewritten)
    "wraps_shadows_a_tensors_methods": (
        "import torch, functools\nclass Lie:\n    def __init__(self):\n"
        "        self.stride = lambda dim=None: (1000,)\n"
        "t = torch.zeros(4)\nfunctools.wraps(Lie(), updated=('__dict__',))(t)\n"
        "print('REACHED', t.stride())",
        "AttributeError", "attribute '__module__' of 'torch._C.TensorBase' objects is not writable"),
    "wraps_rewrites_a_nodes_edges": (
        "import torch, functools\nclass Lie:\n    def __init__(self):\n"
        "        self.next_functions = ()\n"
        "y = torch.ones(2, requires_grad=True) * 2\n"
        "functools.wraps(Lie(), assigned=(), updated=('__dict__',))(y.grad_fn)\n"
        "print('REACHED', y.grad_fn.next_functions)",
        "SandboxError", "'next_functions' of a MulBackward0 cannot be changed"),
    # copy.deepcopy(obj, memo): the memo's keep-alive list handed out the real __dict__ of
    # every object copied (a Module's: any private field written, posing as a tensor to
    # F.mse_loss), and a memo filled beforehand decided what the copy's private state became
    "deepcopy_memo_hands_out_a_dict": (
        "import torch, copy, numpy as np\nm = torch.nn.Module()\nmemo = {}\n"
        "copy.deepcopy(m, memo)\n"
        "d = [v for v in memo[id(memo)] if type(v) is dict and '_parameters' in v][0]\n"
        "d.update({'_data': np.zeros(3, np.float32), 'dtype': torch.float32, '_vc': [0], "
        "'_base': None, '_grad_fn': None, '_requires_grad': False, '_output_nr': 0, "
        "'shape': torch.Size([3])})\n"
        "print('REACHED', torch.nn.functional.mse_loss(torch.ones(3), m))",
        "SandboxError", "copy.deepcopy(x, memo) is not available"),
    # the ninth attack's fix checked `self` only for methods of the first library class in
    # the MRO: torch.nn.Parameter.view (Tensor's) ran the engine on a Module again, and
    # torch.nn.Buffer.add(1, 2) ran Tensor.add with self=1
    "inherited_tensor_method_on_a_module": (
        "import torch\nprint('REACHED', torch.nn.Parameter.view(torch.nn.Linear(1, 1), 2))",
        "TypeError", "descriptor 'view' for 'torch._C.TensorBase' objects doesn't apply to a "
        "'Linear' object"),
    "inherited_tensor_method_on_a_number": (
        "import torch\nprint('REACHED', torch.nn.Buffer.add(1, 2))",
        "TypeError", "descriptor 'add' for 'torch._C.TensorBase' objects doesn't apply"),
    "inherited_optimizer_method_on_a_module": (
        "import torch\nprint('REACHED', torch.optim.SGD.step(torch.nn.Linear(1, 1)))",
        "TypeError", "descriptor 'step' for 'Optimizer' objects doesn't apply to a 'Linear'"),
    # any object with next_uint32/next_uint64 methods passed as `generator=`: the engine's
    # sampling drew the learner's words (torch takes a torch.Generator only)
    "generator_of_its_own": (
        "import torch\nclass G:\n    def next_uint64(self, n):\n        return [2 ** 63] * n\n"
        "print('REACHED', torch.rand(3, generator=G()))",
        "TypeError", "argument 'generator' must be torch.Generator, not G"),
    "generator_subclass_drawing_its_own_words": (
        "import torch\nclass G(torch.Generator):\n    def next_uint64(self, n):\n"
        "        return [2 ** 63] * n\n"
        "print('REACHED', torch.randperm(5, generator=G()))",
        "TypeError", "G redefines how a torch.Generator draws its words"),
    # out= took any object: the engine read its private fields and, resizing an empty one,
    # wrote a tensor's `_data` and `_storage` onto it (a stand-in the engine then equipped)
    "out_of_something_else": (
        "import torch\nclass Box:\n    requires_grad = False\n    dtype = torch.float32\n"
        "    shape = torch.Size([0])\n    def numel(self):\n        return 0\n"
        "b = Box()\ntorch.exp(torch.zeros(3), out=b)\nprint('REACHED')",
        "TypeError", "argument 'out' must be Tensor, not Box"),
    # Parameter(obj) re-classed whatever obj.detach() returned: any tensor the learner
    # holds (one with a graph, one the engine keeps) became a Parameter or a Buffer in place
    "parameter_of_a_stand_in": (
        "import torch\ny = torch.ones(2, requires_grad=True) * 2\nclass Fake:\n"
        "    def detach(self):\n        return y\n"
        "torch.nn.Parameter(Fake())\nprint('REACHED', type(y).__name__)",
        "RuntimeError", "Creating a Parameter from an instance of type Fake requires that "
        "detach() returns an instance of the same type"),
    # type(torch) was the sandbox's Proxy class, callable: a Proxy with the member
    # `__array_interface__` answered NumPy's instance lookup, so np.asarray(proxy) was an
    # array at any address (raw memory read and write)
    "proxy_made_by_learner_code": (
        "import torch, numpy as np\nsecret = b'object memory'\n"
        "p = type(torch)('x', {'__array_interface__': {'shape': (8,), 'typestr': '|u1', "
        "'data': (id(secret), False), 'version': 3}})\n"
        "print('REACHED', np.asarray(p).tolist())",
        "SandboxError", "creating Proxy objects this way is not available"),
    "proxy_subclassed": (
        "import torch\nclass Q(type(torch)):\n    pass\nprint('REACHED', Q)",
        "SandboxError", "subclassing Proxy is not available"),
    # a hook that changed a gradient in place (g.data = ..., g.resize_(...)) instead of
    # returning a new one passed the hook checks: the next formula got a gradient of another
    # size (a view's backward then reached past its storage, stopped only by the view checks)
    "hook_resizes_a_gradient_in_place": (
        "import torch\nx = torch.ones(400, requires_grad=True)\ny = x[2:400] * 1\n"
        "y.register_hook(lambda g: g.resize_(2))\ny.sum().backward()\nprint('REACHED', x.grad)",
        "RuntimeError", "hook '<lambda>' has changed the size of value"),
    "node_hook_swaps_a_gradients_data": (
        "import torch\nx = torch.ones(400, requires_grad=True)\n"
        "gx, = torch.autograd.grad(x[2:400], x, grad_outputs=torch.ones(398, requires_grad=True),"
        " create_graph=True)\nz = gx * 2\n"
        "def swap(grads, inputs):\n    grads[0].data = torch.zeros(2)\n"
        "z.grad_fn.register_hook(swap)\nz.backward(torch.ones(400))\nprint('REACHED', x.grad)",
        "RuntimeError", "hook 'swap' has changed the size of value"),
    "tensor_and_module_at_once": (
        "import torch\nclass P(torch.nn.Module, torch.nn.Parameter):\n    pass\n"
        "print('REACHED', P)",
        "TypeError", "class P cannot redefine"),
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


HONEST_SUBCLASS = """import torch
class Scaled(torch.nn.Parameter):
    def scaled(self, k):
        return self * k
    def __repr__(self):
        return 'Scaled(' + str(self.tolist()) + ')'
p = Scaled(torch.ones(2))
print(p, p.scaled(3).tolist(), p.shape, p.stride(), p.requires_grad, isinstance(p, torch.Tensor))
"""


def test_a_subclass_of_its_own_still_adds_methods_and_prints_its_way(pool):
    run = pool.run(HONEST_SUBCLASS, 0, LIMITS)
    assert run.error is None, run.error
    assert run.stdout.splitlines() == [
        "Scaled([1.0, 1.0]) [3.0, 3.0] torch.Size([2]) (1,) True True"]


class _LyingInt(int):
    """What a learner's int subclass can do, here in the test process: multiply and add as it
    likes while NumPy reads its real value."""

    def __rmul__(self, other):
        return _LyingInt(other * int(self))

    def __mul__(self, other):
        return _LyingInt(int(self) * other)

    def __radd__(self, other):
        return 0

    def __add__(self, other):
        return 0

    __hash__ = int.__hash__


def test_views_are_built_from_plain_ints_whatever_called():
    """The views NumPy cannot check, reached with a lying int directly (learner code cannot
    reach them this way now: a subclass cannot redefine stride())."""
    from engine.ops.views import _restride, strided_view
    from engine.tensor import check_within_base
    a = np.zeros(16, np.float32).reshape(4, 4)[1:]
    with pytest.raises(RuntimeError, match="reach outside their storage"):
        _restride(a, (4, 4), (_LyingInt(1000), 1))
    with pytest.raises(RuntimeError, match="reach outside their storage"):
        check_within_base(a, (3, 4), (_LyingInt(4000), 4))
    with pytest.raises(RuntimeError, match="out of bounds for storage"):
        strided_view(np.zeros(4, np.float32), (2,), (1,), _LyingInt(10 ** 6))


RECORDED_MODULE = """import torch
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 1)
        self.inner = torch.nn.Sequential(torch.nn.Linear(1, 1))
    def named_modules(self, *args, **kwargs):
        print('LEARNER CODE RAN WHILE RECORDING')
        return iter(())
    def named_parameters(self, *args, **kwargs):
        print('LEARNER CODE RAN WHILE RECORDING')
        return iter(())
net = Net()
"""


def test_the_recorder_walks_a_module_without_running_its_methods(pool):
    """The variables are read after the learner's budget is spent: a Module's own overrides
    (named_modules, named_parameters) are learner code, and must not run then."""
    run = pool.run(RECORDED_MODULE, 0, LIMITS)
    assert run.error is None, run.error
    assert "LEARNER CODE" not in run.stdout
    (net,) = [v for v in run.variables if v.name == "net"]
    assert [name for name, _ in net.parameters] == [
        "fc.weight", "fc.bias", "inner.0.weight", "inner.0.bias"]


SCHEDULER_ROUND_TRIP = """import torch
opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
s = torch.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
for _ in range(3):
    opt.step()
    s.step()
t = torch.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5)
t.load_state_dict(s.state_dict())
print(t.last_epoch, t.get_last_lr(), sorted(k for k in s.state_dict() if k[0] != '_') ==
      sorted(k for k in t.state_dict() if k[0] != '_'))
print(torch.cat([torch.ones(1), torch.zeros(2)]).tolist(), torch.hstack([torch.ones(1)]).tolist())
"""


def test_honest_scheduler_state_and_joins_still_work(pool):
    run = pool.run(SCHEDULER_ROUND_TRIP, 0, LIMITS)
    assert run.error is None, run.error
    assert run.stdout.splitlines() == ["3 [0.05] True", "[1.0, 0.0, 0.0] [1.0]"]


REFUSALS = {
    "stack_other": lambda t: t.stack([t.ones(3), object()]),
    "cat_number": lambda t: t.cat((t.ones(3), 1)),
    "cat_of_a_tensor": lambda t: t.cat(t.ones(2, 2)),
    "stack_of_a_tensor": lambda t: t.stack(t.ones(2, 2)),
    "vstack_other": lambda t: t.vstack([t.ones(3), [1.0, 2.0, 3.0]]),
    "dtype_made": lambda t: type(t.float32)(),
    "dtype_subclassed": lambda t: type("D", (type(t.float32),), {}),
    "empty_strided_size_int": lambda t: t.empty_strided(5, (1,)),
    "empty_strided_lengths": lambda t: t.empty_strided((2, 3), (1,)),
    "parameter_of_a_number": lambda t: t.nn.Parameter(5),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refusals_match_torch(name):
    """What now refuses a stand-in refuses it as PyTorch does, with its message."""
    torch = pytest.importorskip("torch")
    import engine
    outcomes = []
    for lib in (engine, torch):
        try:
            REFUSALS[name](lib)
            outcomes.append(None)
        except Exception as exc:  # noqa: BLE001 - the error is what is compared
            outcomes.append((type(exc).__name__, str(exc)))
    assert outcomes[0] == outcomes[1]


def test_ops_take_tensors_only_whatever_an_object_holds():
    """The op runner read `_data` (and the graph fields) off whatever it was given: an object
    holding a `_data` of its choosing fed mse_loss, linear's bias, elu and add_ (defence in
    depth: the sandbox's compiler refuses such names in learner classes)."""
    import numpy as np
    import torch

    import engine
    engine.ones(1, device="meta")     # ops check the meta device first once one exists

    def duck(lib):
        fields = {"_data": np.zeros(3, np.float32), "dtype": lib.float32,
                  "shape": lib.Size([3]), "_vc": [0], "_base": None, "_grad_fn": None,
                  "_requires_grad": False, "_output_nr": 0}
        return type("Duck", (), fields)()

    calls = (lambda lib: lib.nn.functional.mse_loss(lib.ones(3), duck(lib)),
             lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 3), duck(lib)),
             lambda lib: lib.ones(3).add_(duck(lib)),
             lambda lib: lib.nn.functional.elu(duck(lib)))
    for call in calls:
        with pytest.raises((TypeError, AttributeError)):     # torch refuses it too
            call(torch)
        with pytest.raises(TypeError, match="must be Tensor, not "):
            call(engine)

"""The escape corpus: attempts to get out of the sandbox, each of which must fail with a clear
message and leave no trace outside the worker. Every case runs through run_code, the path a
learner's code takes.

Sources of the cases: the escape classes RestrictedPython, asteval and simpleeval document
(dunder traversal, format-string attribute access, frames and code objects, builtins that
evaluate strings), NumPy's routes to the OS, the engine's own internals and save/load, and
plain file, network, process and environment access."""
import os
import pathlib

import pytest

from explorer import Limits
from explorer.sandbox.pool import WorkerPool

LIMITS = Limits(cpu_seconds=2, wall_seconds=20)
SECRET = "AUTOGRAD_EXPLORER_TEST_SECRET"


@pytest.fixture(scope="module")
def pool():
    os.environ[SECRET] = "s3cr3t-value"
    workers = WorkerPool(size=1)
    yield workers
    workers.close()
    os.environ.pop(SECRET, None)


ESCAPES = {
    # dunder traversal (RestrictedPython / asteval / simpleeval classics)
    "subclasses": "().__class__.__bases__[0].__subclasses__()",
    "mro": "[].__class__.__mro__",
    "class_of_int_then_bases": "x = (1).__class__.__bases__",
    "globals_of_function": "def f(): pass\nf.__globals__",
    "code_of_lambda": "(lambda: 0).__code__",
    "closure": "def f():\n    y = 1\n    return lambda: y\nf().__closure__",
    "builtins_via_print": "print.__self__",
    "dict_of_module": "import torch\ntorch.__dict__",
    "subclasses_of_user_class": "class X: pass\nX.__subclasses__()",
    "mro_method": "int.mro()",
    "underscore_name": "_getattr_ = 1",
    "getattribute": "object.__getattribute__(1, '__class__')",
    # strings that evaluate, and name lookups by string
    "eval": "eval('1 + 1')",
    "exec": "exec('import os')",
    "compile": "compile('1', 'x', 'eval')",
    "dunder_import": "__import__('os')",
    "getattr": "getattr(1, '__class__')",
    "setattr_on_module": "import torch\nsetattr(torch, 'x', 1)",
    "globals": "globals()",
    "locals": "locals()",
    "vars": "vars()",
    "type_three_args": "type('X', (object,), {})",
    "format_attribute": "'{0.__class__.__mro__}'.format(1)",
    "format_map_attribute": "'{a.__class__.__subclasses__}'.format_map({'a': 1})",
    "format_globals": "def f(): pass\n'{0.__globals__}'.format(f)",
    # frames, tracebacks, generators
    "generator_frame": "(x for x in [1]).gi_frame",
    "generator_code": "g = (x for x in [1])\ng.gi_code",
    "traceback_frame": "try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__",
    "frame_globals": "def f():\n    yield 1\nf().gi_frame.f_globals",
    # imports of anything but the allowed modules
    "import_os_system": "import os\nos.system('id')",
    "import_sys": "import sys",
    "import_subprocess": "import subprocess\nsubprocess.run(['id'])",
    "import_socket": "import socket\nsocket.socket().connect(('127.0.0.1', 80))",
    "import_ctypes": "import ctypes",
    "import_importlib": "import importlib\nimportlib.import_module('os')",
    "import_builtins": "import builtins",
    "from_os_import": "from os import system",
    "import_shutil": "import shutil",
    "import_pickle": "import pickle",
    "relative_import": "from . import x",
    # NumPy's routes to the operating system
    "numpy_ctypeslib": "import numpy as np\nnp.ctypeslib",
    "numpy_lib": "import numpy as np\nnp.lib.format",
    "numpy_load": "import numpy as np\nnp.load('/etc/passwd')",
    "numpy_save": "import numpy as np\nnp.save('/tmp/ae_escape.npy', np.ones(2))",
    "numpy_fromfile": "import numpy as np\nnp.fromfile('/etc/passwd')",
    "ndarray_tofile": "import numpy as np\nnp.ones(2).tofile('/tmp/ae_escape.bin')",
    "ndarray_ctypes": "import numpy as np\nnp.ones(2).ctypes",
    "ndarray_dump": "import numpy as np\nnp.ones(2).dump('/tmp/ae_escape.pkl')",
    "numpy_f2py": "import numpy as np\nnp.f2py",
    "numpy_memmap": "import numpy as np\nnp.memmap('/tmp/ae_escape.mm', mode='w+', shape=(2,))",
    "numpy_dunder": "import numpy as np\nnp.__config__",
    "bit_generator_cffi": "import numpy as np\nnp.random.default_rng(0).bit_generator.cffi",
    "bit_generator_ctypes": "import numpy as np\nnp.random.default_rng(0).bit_generator.ctypes",
    "tensor_numpy_tofile": "import torch\ntorch.ones(2).numpy().tofile('/tmp/ae_escape2.bin')",
    # the engine's own modules and internals
    "engine_ops": "import torch\ntorch.ops",
    "engine_observe": "import torch\ntorch.observe",
    "engine_private_data": "import torch\ntorch.ones(2)._data",
    "engine_class_patch": "import torch\ntorch.Tensor.add = lambda *a: 0",
    "engine_module_patch": "import torch\ntorch.ones = None",
    "engine_registry_globals": "import torch\nx = torch.ones(2, requires_grad=True)\n"
                               "(x * 2).grad_fn.op.forward.__globals__",
    "engine_nn_internals": "import torch\ntorch.nn.modules",
    "torch_load_real_file": "import torch\ntorch.load('/etc/passwd')",
    "os_environ_via_path": "import os.path\nos.path.os",
    # files, input, the interpreter
    "open_read": "print(open('/etc/passwd').read())",
    "open_write": "open('/tmp/ae_escape.txt', 'w').write('x')",
    "input": "input()",
    "breakpoint": "breakpoint()",
    "help": "help()",
    "exit": "exit()",
    "memoryview": "memoryview(b'abc')",
    "environment": "import os\nprint(os.environ)",
    "os_getenv": "import os\nos.getenv('HOME')",
    "tempfile_real": "import tempfile\ntempfile.mkstemp()",
}
ESCAPE_FILES = ["/tmp/ae_escape.npy", "/tmp/ae_escape.bin", "/tmp/ae_escape.pkl",
                "/tmp/ae_escape.mm", "/tmp/ae_escape2.bin", "/tmp/ae_escape.pt",
                "/tmp/ae_escape.txt"]


def test_corpus_is_large_enough():
    assert len(ESCAPES) >= 40


@pytest.mark.parametrize("name", ESCAPES)
def test_escape_attempt_fails_and_touches_nothing(pool, name):
    for path in ESCAPE_FILES:
        pathlib.Path(path).unlink(missing_ok=True)
    run = pool.run(ESCAPES[name], 0, LIMITS)
    assert run.error is not None, f"{name} was not stopped: {run.result!r} {run.stdout!r}"
    assert run.error.message, "the learner gets a message"
    assert run.error.type not in ("WorkerLost",)
    output = run.stdout + (run.result or "")
    assert "root:" not in output and "s3cr3t-value" not in output
    for path in ESCAPE_FILES:
        assert not pathlib.Path(path).exists(), f"{name} wrote {path}"


# Issue 13, class 1: walks to real builtins. Each case prints REACHED only if it got through.
WALKS_TO_BUILTINS = {
    # dotted-path helpers followed any attribute path with plain getattr
    "get_submodule_globals": (
        "import torch\nm = torch.nn.Linear(2, 2)\n"
        "g = m.get_submodule('forward.__func__.__globals__')\nprint('REACHED', g)",
        "AttributeError", "`forward` is not an nn.Module"),
    "get_parameter_globals": (
        "import torch\nm = torch.nn.Sequential(torch.nn.Linear(2, 2))\n"
        "print('REACHED', m.get_parameter('0.forward.__globals__'))",
        "AttributeError", "`forward` is not an nn.Module"),
    "get_buffer_private": (
        "import torch\nm = torch.nn.BatchNorm1d(2)\nprint('REACHED', m.get_buffer('__dict__'))",
        "AttributeError", "`__dict__` is not a buffer"),
    "get_submodule_private": (
        "import torch\nm = torch.nn.Linear(2, 2)\nprint('REACHED', m.get_submodule('_modules'))",
        "AttributeError", "`_modules` is not an nn.Module"),
    # functools.wraps merged or copied private attributes
    "wraps_updated_globals": (
        "import functools\ndef f(): pass\nfunctools.wraps(print, updated=('__globals__',))(f)\n"
        "print('REACHED', importlib)", "SandboxError", "cannot copy '__globals__'"),
    "wraps_updated_builtins": (
        "import functools, torch\ndef f(): pass\n"
        "functools.wraps(torch.ones, updated=('__builtins__',))(f)\nprint('REACHED', open)",
        "SandboxError", "cannot copy '__builtins__'"),
    "wraps_assigned_code": (
        "import functools, torch\ndef f(): pass\n"
        "functools.wraps(torch.nn.Module.get_submodule, assigned=('__code__',))(f)\n"
        "print('REACHED', f)", "SandboxError", "cannot copy '__code__'"),
    "wraps_partial_func": (
        "import functools\ndef f(): pass\nupdate = functools.wraps(print).func\n"
        "update(f, print, (), ('__globals__',))\nprint('REACHED', importlib)",
        "SandboxError", "cannot copy '__globals__'"),
    "wraps_shares_a_dict": (
        "import functools, torch\ndef f(): pass\nm = torch.nn.Linear(1, 1)\n"
        "functools.wraps(m).func(f, m, ('__dict__',), ())\nprint('REACHED', f)",
        "SandboxError", "cannot copy '__dict__'"),
    # Cython functions: func_globals and friends without an underscore
    "cython_func_globals": ("import numpy as np\nprint('REACHED', np.random.seed.func_globals)",
                            "SandboxError", "'func_globals' is not available"),
    "cython_bound_func_globals": (
        "import numpy as np\nprint('REACHED', np.random.default_rng(0).normal.func_globals)",
        "SandboxError", "'func_globals' is not available"),
    "cython_func_closure": ("import numpy as np\nprint('REACHED', np.random.rand.func_closure)",
                            "SandboxError", "'func_closure' is not available"),
    "cython_func_defaults": (
        "import numpy as np\nprint('REACHED', np.random.default_rng(0).normal.func_defaults)",
        "SandboxError", "'func_defaults' is not available"),
    # str.format called unbound walked attributes past the format guard
    "str_format_unbound": ("print('REACHED', str.format('{0.__class__.__mro__}', 1))",
                           "SandboxError", "'__mro__' is a private attribute"),
    "format_map_unbound": (
        "print('REACHED', type('').format_map('{a.__class__.__base__}', {'a': 1}))",
        "SandboxError", "'__base__' is a private attribute"),
    "format_through_super": (
        "class S(str):\n    def walk(self):\n        return super().format(1)\n"
        "print('REACHED', S('{0.__class__.__mro__}').walk())",
        "SandboxError", "'__mro__' is a private attribute"),
    # the harmless dunders learners type (x.__class__, x.__len__()) lead no further
    "class_of_tensor_init": (
        "import torch\nprint('REACHED', '{0.__class__.__init__.__globals__}'.format(torch.ones(1)))",
        "SandboxError", "'__init__' is a private attribute"),
    "class_of_class_builds_a_class": (
        "T = (1).__class__.__class__\nprint('REACHED', T('X', (), {'__getattr__': 1}))",
        "SandboxError", "type() can only be used"),
    "len_method_of_a_module_dict": (
        "import torch\nf = torch.nn.Linear(1, 1).__len__\nprint('REACHED', f)",
        "AttributeError", "'Linear' object has no attribute '__len__'"),
    "doc_of_a_module": ("import torch\nprint('REACHED', '{0.__doc__.__class__.__mro__}'.format(torch))",
                        "SandboxError", "'__mro__' is a private attribute"),
    "format_unbound_frame": (
        "g = (x for x in [1])\nprint('REACHED', str.format('{0.gi_frame.f_globals}', g))",
        "SandboxError", "'gi_frame' is not available"),
    # type(type(1)) was the real type: three arguments build a class with any dunder
    "type_of_type": (
        "T = type(type(1))\nX = T('X', (object,), {'__getattr__': lambda s, n: 1})\n"
        "print('REACHED', X)", "SandboxError", "type() can only be used"),
    "metaclass_of_engine_class": (
        "import torch\nM = type(torch.autograd.Function)\nprint('REACHED', M('X', (), {}))",
        "SandboxError", "type() can only be used"),
    "subclass_of_type": ("class M(type(int)):\n    pass\nprint('REACHED', M)",
                         "SandboxError", "subclassing type is not available"),
}


@pytest.mark.parametrize("name", WALKS_TO_BUILTINS)
def test_no_walk_reaches_real_builtins(pool, name):
    """Issue 13, class 1: a clear error (PyTorch's own where torch raises too), nothing reached."""
    code, error_type, message = WALKS_TO_BUILTINS[name]
    run = pool.run(code, 0, LIMITS)
    assert run.error is not None, f"{name} was not stopped: {run.stdout!r}"
    assert "REACHED" not in run.stdout
    assert (run.error.type, message in run.error.message) == (error_type, True), run.error
    assert run.error.kind == ("security" if error_type == "SandboxError" else "runtime")


# Issue 13, class 2: raw kernels and object arrays over raw memory.
RAW_MEMORY = {
    # no path from a tensor or grad_fn to an op's raw NumPy kernel
    "grad_fn_op": (
        "import torch\nx = torch.ones(3, 3, requires_grad=True)\n"
        "f = x.diagonal().grad_fn.op.forward\nprint('REACHED', f(x.numpy(), offset=0, dim1=0, "
        "dim2=0))", "AttributeError", "'DiagonalBackward0' object has no attribute 'op'"),
    "grad_fn_class_op": (
        "import torch\nx = torch.ones(2, requires_grad=True)\n"
        "print('REACHED', type((x * 2).grad_fn).op)",
        "AttributeError", "type object 'MulBackward0' has no attribute 'op'"),
    "next_functions_op": (
        "import torch\nx = torch.ones(2, requires_grad=True)\n"
        "print('REACHED', (x * 2).sum().grad_fn.next_functions[0][0].op)",
        "AttributeError", "'MulBackward0' object has no attribute 'op'"),
    "functional_registry_entry": (
        "import torch.nn.functional as F\nprint('REACHED', F.RELU.forward)",
        "AttributeError", "has no attribute 'RELU' in Autograd Explorer"),
    "functional_kernel_module": (
        "import torch.nn.functional as F\nprint('REACHED', F.conv_pool.windows)",
        "AttributeError", "has no attribute 'conv_pool' in Autograd Explorer"),
    # the kernels' own checks, with PyTorch's messages at the public functions
    "diagonal_same_dims": ("import torch\nprint('REACHED', torch.ones(3, 3).diagonal(0, 0, 0))",
                           "RuntimeError", "diagonal dimensions cannot be identical 0, 0"),
    "conv_negative_dilation": (
        "import torch\nimport torch.nn.functional as F\n"
        "print('REACHED', F.conv2d(torch.ones(1, 1, 5, 5), torch.ones(1, 1, 3, 3), dilation=-1))",
        "RuntimeError", "dilation should be greater than zero"),
    "conv_negative_stride": (
        "import torch\nc = torch.nn.Conv2d(1, 1, 3, stride=-2)\n"
        "print('REACHED', c(torch.ones(1, 1, 5, 5)))",
        "RuntimeError", "non-positive stride is not supported"),
    "conv_transpose_negative_padding": (
        "import torch\nimport torch.nn.functional as F\nprint('REACHED', F.conv_transpose2d("
        "torch.ones(1, 1, 5, 5), torch.ones(1, 1, 3, 3), padding=-3))",
        "RuntimeError", "negative padding is not supported"),
    "pool_negative_dilation": (
        "import torch\nimport torch.nn.functional as F\n"
        "print('REACHED', F.max_pool2d(torch.ones(1, 1, 6, 6), 2, dilation=-1))",
        "RuntimeError", "dilation should be greater than zero, but got dilationH: -1"),
    # object arrays over raw buffers: integers (id(), data_ptr()) read as object pointers
    "ndarray_object_buffer": (
        "import numpy as np\nx = []\naddr = np.array([id(x)], dtype=np.int64)\n"
        "print('REACHED', np.ndarray((1,), dtype=object, buffer=addr))",
        "SandboxError", "numpy.ndarray(..., buffer=...) with Python objects"),
    "ndarray_via_type": (
        "import numpy as np\na = np.zeros(2, dtype=np.int64)\n"
        "print('REACHED', type(a)((2,), object, a))",
        "SandboxError", "numpy.ndarray(..., buffer=...) with Python objects"),
    "ndarray_structured_object_field": (
        "import numpy as np\na = np.zeros(2, dtype=np.int64)\n"
        "print('REACHED', np.ndarray((1,), dtype=[('p', 'O')], buffer=a))",
        "SandboxError", "numpy.ndarray(..., buffer=...) with Python objects"),
    "ndarray_over_object_buffer": (
        "import numpy as np\no = np.array([1, 2], dtype=object)\n"
        "w = np.ndarray((2,), np.int64, o)\nw[0] = 16\nprint('REACHED', o)",
        "SandboxError", "numpy.ndarray(..., buffer=...) with Python objects"),
    "ndarray_tensor_buffer": (
        "import numpy as np, torch\nt = torch.zeros(2, dtype=torch.int64)\n"
        "print('REACHED', np.ndarray((2,), object, t.numpy()))",
        "SandboxError", "numpy.ndarray(..., buffer=...) with Python objects"),
    "object_array_bytes": (
        "import numpy as np\nm = np.array([1], dtype=object).data.cast('B')\nm[0] = 1\n"
        "print('REACHED', m)", "SandboxError", "'data' of a NumPy array is not available"),
    "memoryview_via_type": (
        "import numpy as np\nmv = type(np.ones(1).data)(np.array([1], dtype=object))\n"
        "print('REACHED', mv.cast('B'))",
        "SandboxError", "'data' of a NumPy array is not available"),
    "ndarray_subclass": (
        "import numpy as np\nclass A(np.ndarray):\n    pass\n"
        "print('REACHED', A((1,), object, np.zeros(1, np.int64)))",
        "SandboxError", "subclassing ndarray is not available"),
    "view_as_object": (
        "import numpy as np\nprint('REACHED', np.zeros(2, np.int64).view(object))",
        "TypeError", "Cannot change data-type for array of references"),
    # a node pre-hook handing a node a gradient of another size: the double backward of a
    # slice once turned it into a view past its buffer (an arbitrary read and write)
    "prehook_out_of_bounds_view": (
        "import torch\nbuf = torch.zeros(1, dtype=torch.float64)\n"
        "x = torch.zeros(3, 1, dtype=torch.float64, requires_grad=True)\n"
        "gin = torch.zeros(2, 1, dtype=torch.float64, requires_grad=True)\n"
        "gx, = torch.autograd.grad(x[0:2], x, grad_outputs=gin, create_graph=True)\n"
        "state = {}\n"
        "gx.grad_fn.register_prehook(lambda grads: (buf.as_strided((1, 1), (1000, 1)),))\n"
        "gx.grad_fn.register_hook(lambda grads, inputs: state.update(view=grads[0]))\n"
        "torch.autograd.backward([gx], [torch.zeros(3, 1, dtype=torch.float64)])\n"
        "print('REACHED', state['view'])",
        "RuntimeError", "has changed the size of value"),
    # `_saved_<name>` reads what a node saved, as in PyTorch; not the node's own internals
    "ctx_saved_list": (
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n"
        "    def forward(ctx, x):\n        ctx.save_for_backward(x)\n        return x * 2\n"
        "    @staticmethod\n    def backward(ctx, g):\n        return g * 2\n"
        "y = F.apply(torch.ones(2, requires_grad=True))\nprint('REACHED', y.grad_fn._saved_list)",
        "SandboxError", "'_saved_list' is a private attribute"),
    # second outside attack: NumPy's resize(refcheck=False) frees memory its views still use
    "ndarray_resize_use_after_free": (
        "import numpy as np\na = np.zeros(100, dtype=np.int64)\nb = a[:]\n"
        "a.resize(1000000, refcheck=False)\nprint('REACHED', b[0])",
        "SandboxError", "ndarray.resize is not available in Autograd Explorer's sandbox"),
    "ndarray_resize_with_a_view": (
        "import numpy as np\na = np.zeros(100, dtype=np.int64)\nb = a[:]\n"
        "a.resize(1000000)\nprint('REACHED', b[0])",
        "SandboxError", "ndarray.resize is not available in Autograd Explorer's sandbox"),
    "ndarray_resize_in_a_list": (
        "import numpy as np\na = np.zeros(100)\nkeep = [a]\na.resize(10, refcheck=False)\n"
        "print('REACHED')", "SandboxError", "ndarray.resize is not available"),
    "ndarray_resize_unbound": (
        "import numpy as np\na = np.zeros(4)\nr = type(a).resize\nprint('REACHED', r)",
        "SandboxError", "ndarray.resize is not available"),
    # NumPy checks no strides over an empty buffer: an array over the whole address space
    "ndarray_strides_over_empty_buffer": (
        "import numpy as np\nwide = np.ndarray((1 << 58,), np.int64, buffer=np.zeros(0, np.int64),"
        " strides=(8,))\nprint('REACHED', wide[1 << 20])",
        "ValueError", "strides is incompatible with shape of requested array and size of buffer"),
    # a node post-hook's replacement gradients are held to what they replace
    "posthook_out_of_bounds_view": (
        "import torch\nx = torch.ones(400, requires_grad=True)\n"
        "gx, = torch.autograd.grad(x[2:400], x, grad_outputs=torch.ones(398, requires_grad=True),"
        " create_graph=True)\nz = gx * 2\nkeep = []\n"
        "z.grad_fn.register_hook(lambda grads, inputs: (torch.zeros(2), None))\n"
        "gx.grad_fn.register_hook(lambda grads, inputs: keep.append(grads[0]))\n"
        "z.backward(torch.ones(400))\nprint('REACHED', keep[0][:16])",
        "RuntimeError", "has changed the size of value"),
    # third outside attack: a view's base, resized with no name of its own
    # NumPy arrays answer an allowlist of attributes: no flags or fields by dtype, nor what a
    # later NumPy adds
    "ndarray_setflags_on_immutable_bytes": (
        "import numpy as np\na = np.ndarray((4,), np.uint8, b'abcd')\na.setflags(write=True)\n"
        "a[0] = 1\nprint('REACHED', a)",
        "SandboxError", "'setflags' of a NumPy array is not available"),
    "ndarray_getfield": (
        "import numpy as np\nprint('REACHED', np.zeros(2).getfield(np.int64, 4))",
        "SandboxError", "'getfield' of a NumPy array is not available"),
    "ndarray_class_tofile": (
        "import numpy as np\nprint('REACHED', np.ndarray.tofile)",
        "SandboxError", "'tofile' is not available"),
    "numpy_scalar_unknown_attribute": (
        "import numpy as np\nprint('REACHED', np.float32(1).dumps())",
        "SandboxError", "'dumps' is not available"),
    # fifth outside attack: a storage's array swapped after as_strided's bounds check (by a
    # Parameter subclass's stride()) made a view over nothing: read/write of all memory. The
    # storage's array cannot be replaced, and a learner's subclass cannot redefine stride()
    # (tests/test_sandbox_engine_trust.py)
    "storage_array_swapped_in_stride": (
        "import torch, numpy as np\np = torch.zeros(10**6)\n"
        "p.untyped_storage().array = np.zeros(0, np.float32)\n"
        "v = p.as_strided((10**6,), (1,), 0)\nprint('REACHED', v[::100000])",
        "SandboxError", "'array' of a UntypedStorage cannot be changed"),
    "dtype_itemsize_rewritten": (
        "import torch\ntorch.float32.itemsize = 64\nprint('REACHED', torch.ones(4)[1:])",
        "SandboxError", "'itemsize' of a dtype cannot be changed"),
    "ctx_edges_rewritten": (
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n"
        "    def forward(ctx, x):\n        ctx.next_functions = ((None, 0),) * 9\n"
        "        return x * 1\n    @staticmethod\n    def backward(ctx, g):\n        return g\n"
        "print('REACHED', F.apply(torch.ones(2, requires_grad=True)))",
        "SandboxError", "'next_functions' of a FBackward cannot be changed"),
    "tensor_dtype_rewritten": (
        "import torch\nx = torch.ones(4)\nx.dtype = torch.float64\nprint('REACHED', x.sum())",
        "AttributeError", "attribute 'dtype' of 'torch._C.TensorBase' objects is not writable"),
    "numpy_allowlist_through_super": (
        "import numpy as np\nprint('REACHED', super(np.number, np.float64(1)).setfield)",
        "SandboxError", "'setfield' of a NumPy array is not available"),
    # seventh outside attack: np.random.Generator(obj) copies the raw state pointer from any
    # object with a capsule and keeps only obj alive: a use after free, then a full escape
    "bit_generator_capsule": (
        "import numpy as np\nclass Fake:\n    def __init__(self, capsule, lock):\n"
        "        self.capsule = capsule\n        self.lock = lock\n"
        "rng = np.random.default_rng(1)\nbg = rng.bit_generator\n"
        "g = np.random.Generator(Fake(bg.capsule, bg.lock))\ndel rng, bg\n"
        "print('REACHED', g.integers(0, 2**63, size=2))",
        "SandboxError", "'capsule' is not available"),
    # eighth outside attack: `t.data = obj` copied obj's _data and _storage, which a Module can
    # carry under any name (add_module("_storage", ...)): a bytes subclass posing as the
    # storage, viewed as objects, turned any address into an object, then a full escape
    "data_set_to_a_module_posing_as_a_tensor": (
        "import torch\nclass D(torch.nn.Module):\n    shape = (1,)\n    dtype = torch.float64\n"
        "t = torch.zeros(1, dtype=torch.float64)\nt.data = D()\n"
        "print('REACHED', t.as_strided((1,), (1,), 0))",
        "TypeError", "Variable data has to be a tensor, but got D"),
    # ninth outside attack: torch.Tensor.view(a_module, n) ran the engine on a Module whose
    # children, registered under "_data" and "_make_view", posed as a tensor's private fields
    "unbound_tensor_method_on_a_module": (
        "import torch\nclass M(torch.nn.Module):\n    pass\n"
        "print('REACHED', torch.Tensor.view(M(), 2))",
        "TypeError", "descriptor 'view' for 'torch._C.TensorBase' objects doesn't apply to a "
        "'M' object"),
    "module_child_posing_as_a_private_field": (
        "import torch\nm = torch.nn.Module()\nm.add_module('_data', torch.nn.Identity())\n"
        "print('REACHED', torch.ones(1) + m)",
        "TypeError", "unsupported operand type(s) for +: 'Tensor' and 'Module'"),
    "backward_from_a_module": (
        "import torch\ntorch.autograd.backward([torch.nn.Linear(1, 1)])\nprint('REACHED')",
        "AssertionError", "Expected output to be a torch.Tensor"),
    "grad_with_respect_to_a_module": (
        "import torch\nx = torch.ones(2, requires_grad=True)\n"
        "torch.autograd.grad([(x * 2).sum()], [torch.nn.Linear(1, 1)])\nprint('REACHED')",
        "RuntimeError", "all inputs have to be Tensors or GradientEdges, but got Linear"),
    "node_called_with_a_module": (
        "import torch\nx = torch.ones(2, requires_grad=True)\n"
        "(x * 2).sum().grad_fn(torch.nn.Linear(1, 1))\nprint('REACHED')",
        "TypeError", "argument 0 is not a Variable"),
    "ndarray_resize_through_a_base": (
        "import numpy as np\ndef make():\n    return np.zeros(100, dtype=np.int64)\n"
        "b = make()[:]\nb.base.resize(1000000)\nprint('REACHED', b[0])",
        "SandboxError", "ndarray.resize is not available"),
    # shape and dtype are read once: a list or dict subclass cannot answer the check one way
    # and NumPy another
    "ndarray_shape_changes_after_the_check": (
        "import numpy as np\nclass S(list):\n    seen = [0]\n    def __iter__(self):\n"
        "        self.seen[0] += 1\n        return iter([0] if self.seen[0] == 1 else [1 << 58])\n"
        "a = np.ndarray(S([0]), np.int64, buffer=np.zeros(0, np.int64), strides=(8,))\n"
        "print('REACHED' if a.size else 'empty', a.shape)", None, "empty (0,)"),
    "ndarray_dtype_changes_after_the_check": (
        "import numpy as np\nclass D(dict):\n    calls = [0]\n    def __getitem__(self, key):\n"
        "        if key == 'formats':\n            self.calls[0] += 1\n"
        "            return ['i8'] if self.calls[0] == 1 else ['O']\n"
        "        return dict.get(self, key)\n"
        "a = np.ndarray((1,), D(names=['p'], formats=['i8']), buffer=np.zeros(1, np.int64))\n"
        "print('REACHED' if a.dtype.hasobject else 'plain', a.dtype)", None, "plain [('p', '<i8')]"),
    # a buffer that can move: BytesIO's getbuffer() released, then the BytesIO grown
    "ndarray_over_a_movable_buffer": (
        "import numpy as np\nimport io\nbio = io.BytesIO(b'x' * 64)\nmv = bio.getbuffer()\n"
        "a = np.ndarray((8,), np.int64, buffer=mv)\nprint('REACHED', a)",
        "SandboxError", "'getbuffer' is not available"),
    "ndarray_over_another_kind_of_buffer": (
        "import numpy as np\na = np.ndarray((1,), np.int64, buffer=np.int64(5))\n"
        "print('REACHED', a)", "SandboxError", "takes a NumPy array or bytes"),
    # NumPy takes any position in the Mersenne Twister's state: draws then read past it
    "rng_state_position_past_the_state": (
        "import numpy as np\nrs = np.random.RandomState(0)\n"
        "rs.set_state(('MT19937', np.zeros(624, dtype=np.int64), 100000, 0, 0.0))\n"
        "print('REACHED', rs.randint(0, 2 ** 31, size=4))",
        "ValueError", "position 100000 is outside the state"),
    # fourth outside attack: a view of some fields of an object array hides the objects from
    # its memoryview's format; no memoryview is handed out at all now
    "field_view_memoryview_of_objects": (
        "import numpy as np\ns = np.zeros(1, dtype=[('a', 'O'), ('b', 'i8')])\n"
        "raw = np.asarray(s[['b']].data).view(np.int64)\nprint('REACHED', raw)",
        "SandboxError", "'data' of a NumPy array is not available"),
    "bytesio_getbuffer": (
        "import io\nmv = io.BytesIO(b'x' * 8).getbuffer()\nprint('REACHED', mv)",
        "SandboxError", "'getbuffer' is not available"),
    "rng_state_position_unbound": (
        "import numpy as np\nrs = np.random.RandomState(0)\n"
        "np.random.RandomState.set_state(rs, ('MT19937', np.zeros(624, dtype=np.int64), 100000,"
        " 0, 0.0))\nprint('REACHED', rs.randint(0, 2 ** 31, size=4))",
        "ValueError", "position 100000 is outside the state"),
}


@pytest.mark.parametrize("name", RAW_MEMORY)
def test_no_raw_kernel_or_object_memory(pool, name):
    """Issue 13, class 2: refused with a clear message (the library's own error where PyTorch
    or NumPy raises too), nothing reached; the worker survives (no crash from a stray read)."""
    code, error_type, message = RAW_MEMORY[name]
    run = pool.run(code, 0, LIMITS)
    assert "REACHED" not in run.stdout
    if error_type is None:      # nothing to refuse: what NumPy got is what was checked
        assert run.error is None and message in run.stdout, (run.error, run.stdout)
        return
    assert run.error is not None, f"{name} was not stopped: {run.stdout!r}"
    assert (run.error.type, message in run.error.message) == (error_type, True), run.error
    security = error_type == "SandboxError" or "in Autograd Explorer" in message
    assert run.error.kind == ("security" if security else "runtime")


def test_no_public_path_reaches_internals():
    """Every object learner code can reach by public attribute reads and indexing, from the
    modules it may import and a tensor, its graph, a model, an optimizer and NumPy objects,
    walked breadth-first through the sandbox's own attribute guard: none is an op's registry
    entry or kernel, a module's globals, the real `type`, numpy.ndarray or memoryview."""
    import collections
    import types
    import warnings

    import numpy as np

    import engine
    from engine.ops import REGISTRY
    from explorer.sandbox.namespace import BoundedOutput, build_globals
    from explorer.sandbox.policy import guarded_getattr

    forbidden = {id(v): f"op {name}" for name, op in REGISTRY.items()
                 for v in (op, op.forward, op.backward) if v is not None}
    forbidden.update({id(type): "type", id(np.ndarray): "numpy.ndarray",
                      id(memoryview): "memoryview"})
    namespace, _ = build_globals(BoundedOutput(10_000))
    import_ = namespace["__builtins__"]["__import__"]
    x = engine.ones(2, 3, requires_grad=True)
    y = (x * 2).exp().diagonal().sum()
    model = engine.nn.Sequential(engine.nn.Linear(2, 2), engine.nn.Conv2d(1, 1, 3))
    roots = {name: import_(name) for name in ("torch", "numpy", "math", "random", "functools",
                                              "collections", "itertools", "copy", "io", "os")}
    roots.update(x=x, y=y, model=model, optimizer=engine.optim.SGD(model.parameters(), lr=0.1),
                 builtins=namespace["__builtins__"], generator=np.random.default_rng(0),
                 array=np.ones(2), objects=np.array([1], dtype=object))
    keep, seen, reached = [], set(), []
    queue = collections.deque((value, name, 0) for name, value in roots.items())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while queue:
            obj, path, depth = queue.popleft()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            keep.append(obj)   # ids stay unique while the walk runs
            if id(obj) in forbidden or (type(obj) is dict and "__builtins__" in obj):
                reached.append(f"{path}: {forbidden.get(id(obj), 'a module globals dict')}")
                continue
            if depth == 4 or isinstance(obj, (str, bytes, int, float, types.NoneType)):
                continue
            for attr in [a for a in dir(obj) if not a.startswith("_")]:
                try:
                    queue.append((guarded_getattr(obj, attr), f"{path}.{attr}", depth + 1))
                except Exception:   # noqa: BLE001 - refused or failing reads lead nowhere
                    pass
            if isinstance(obj, (tuple, list)) and len(obj) < 50:
                queue.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(obj))
            if isinstance(obj, dict) and len(obj) < 500:
                queue.extend((v, f"{path}[{k!r}]", depth + 1) for k, v in obj.items())
    assert len(seen) > 10_000, "the walk should cover the sandbox's surface"
    assert not reached, reached


def test_security_errors_are_labelled_for_the_learner(pool):
    run = pool.run("import sys", 0, LIMITS)
    assert run.error.kind == "security"
    assert "you can import torch" in run.error.message
    run = pool.run("x = 1\ny = x.__dict__", 0, LIMITS)
    assert run.error.kind == "security" and run.error.line == 2
    assert "underscore" in run.error.explanation


def test_the_server_environment_never_reaches_workers(pool):
    run = pool.run("import torch\nprint(torch.cuda.is_available())", 0, LIMITS)
    assert run.error is None
    with open(f"/proc/{pool._idle.queue[0].proc.pid}/environ", "rb") as fh:
        assert SECRET.encode() not in fh.read()


def test_file_paths_stay_in_memory(pool):
    pathlib.Path("/tmp/ae_escape.pt").unlink(missing_ok=True)
    code = ("import os, tempfile, torch\n"
            "torch.save(torch.ones(2), '/tmp/ae_escape.pt')\n"
            "with tempfile.TemporaryDirectory() as d:\n"
            "    torch.save({'w': torch.zeros(1)}, os.path.join(d, 'c.pt'))\n"
            "    print(os.path.exists(os.path.join(d, 'c.pt')), os.listdir(d))\n"
            "print(torch.load('/tmp/ae_escape.pt'), os.path.exists('/etc/passwd'))\n")
    run = pool.run(code, 0, LIMITS)
    assert run.error is None, run.error
    assert run.stdout == "True ['c.pt']\ntensor([1., 1.]) False\n"
    assert not pathlib.Path("/tmp/ae_escape.pt").exists()


def test_what_lessons_need_still_works(pool):
    code = """
import torch
import torch.nn as nn
from torch.autograd import Function
import numpy as np, math

class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 1)
    def forward(self, x):
        return self.fc(x)

x = torch.ones(3, requires_grad=True)
y = Square.apply(x).sum()
y.backward()
t = torch.zeros(3)
t[0] += 2
print(x.grad, t, t._version, y.grad_fn.name(), '{:.2f}'.format(math.pi))
print(Net()(torch.ones(1, 2)).shape, np.arange(3).sum())
torch.save(Net().state_dict(), 'net.pt')
print(sorted(torch.load('net.pt').keys()))
"""
    run = pool.run(code, 0, LIMITS)
    assert run.error is None, run.error
    assert "tensor([2., 2., 2.])" in run.stdout and "3.14" in run.stdout
    assert "['fc.bias', 'fc.weight']" in run.stdout


def test_what_the_guards_replace_still_works(pool):
    """type, numpy.ndarray, str.format and functools.wraps behind their guards, and the
    dotted-path helpers, do what learners use them for (the values torch and NumPy give)."""
    code = """
import functools
import numpy as np
import torch

a = np.ones(2)
print(isinstance(a, np.ndarray), type(a) is np.ndarray, type(a), type(a).__name__)
print(type(int), isinstance(int, type), type(type(1)) is type, isinstance(a, (list, np.ndarray)))
print(np.ndarray((2,), buffer=np.arange(2.0)), np.ndarray((1, 2)).shape, np.ndarray.sum(a))
print(str.format('{} {x}', 1, x=2), '{:.2f}'.format(2 / 3), '{a[0]}'.format_map({'a': [5]}))

def twice(fn):
    @functools.wraps(fn)
    def inner(x):
        return 2 * fn(x)
    return inner

@twice
def step(x):
    return x + 1

print(step(1), step.__name__)
m = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
print(m.get_submodule('0'), m.get_parameter('0.weight').shape,
      m.get_buffer('1.running_mean').tolist())
"""
    run = pool.run(code, 0, LIMITS)
    assert run.error is None, run.error
    assert run.stdout.splitlines() == [
        "True True <class 'numpy.ndarray'> ndarray",
        "<class 'type'> True True True",
        "[0. 1.] (1, 2) 2.0",
        "1 2 0.67 5",
        "4 step",
        "Linear(in_features=2, out_features=3, bias=True) torch.Size([3, 2]) [0.0, 0.0, 0.0]",
    ]


HARMLESS_DUNDERS = """import torch
x = torch.ones(3)
print(torch.__version__, type(x), x.__class__, x.__class__.__name__)
print(len(x), x.__len__(), x.shape.__len__(), type(x.__len__()))
m = torch.nn.Sequential(torch.nn.Linear(2, 3))
print(m.__class__, m[0].__class__.__name__, m.__len__(), (1).__class__)
print(torch.optim.SGD(m.parameters(), lr=0.1).__class__)
"""


def test_the_harmless_dunders_learners_type_read_as_in_torch(pool):
    """`x.__class__`, `x.__len__()` were refused as private; torch code reads them."""
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(HARMLESS_DUNDERS, "<torch>", "exec"), {})  # noqa: S102 - real torch
    run = pool.run(HARMLESS_DUNDERS, 0, LIMITS)
    assert run.error is None, run.error
    assert run.stdout == printed.getvalue()


def _saved_sparse() -> bytes:
    """A real torch.save of a sparse tensor: torch.load rebuilt it without checking its
    indices, which a learner can patch in the bytes (seventh outside attack)."""
    import io

    import torch
    buffer = io.BytesIO()
    torch.save(torch.tensor([1.0, 0.0, 0.0, 0.0]).to_sparse(), buffer)
    return buffer.getvalue()


COMPARE_MODE_ESCAPES = {
    "sparse_from_torch_load": (
        f"import torch, io\ns = torch.load(io.BytesIO({_saved_sparse()!r}))\n"
        "print('REACHED', torch.zeros(4) + s)",   # its rebuilder is off the allowlist (F11)
        "UnpicklingError", "Weights only load failed"),
    # storage.resize_(16) under a tensor spanning 4 MB read and wrote the heap (fifth attack)
    "storage_shrunk_under_its_tensor": (
        "import torch\nx = torch.zeros(1000000)\nx.untyped_storage().resize_(16)\n"
        "print('REACHED', x.clone().sum())",
        "SandboxError", "resizing a storage is not available"),
    # a sparse tensor's indices, rewritten in place, are trusted by every op: a write
    # anywhere in memory, then a full escape (sixth attack)
    "sparse_indices_rewritten": (
        "import torch\ns = torch.zeros(4)\ns[0] = 1.0\ns = s.to_sparse().coalesce()\n"
        "s.indices().add_(100000000)\nprint('REACHED', s.to_dense())",
        "AttributeError", "'Tensor' object has no attribute 'to_sparse'"),
    "sparse_through_the_class": (
        "import torch\nprint('REACHED', torch.Tensor.to_sparse_csr)",
        "AttributeError", "'Tensor' object has no attribute 'to_sparse_csr'"),
    "sparse_constructor": (
        "import torch\nprint('REACHED', torch.sparse_coo_tensor)",
        "AttributeError", "has no attribute 'sparse_coo_tensor'"),
}


@pytest.mark.parametrize("name", COMPARE_MODE_ESCAPES)
def test_compare_modes_real_pytorch_offers_only_the_engines_surface(torch_pool, name):
    """Compare mode runs real PyTorch, whose native code trusts what the learner hands it;
    it answers only what the engine has, and refuses what shrinks memory under tensors."""
    from explorer.compare import run_snapshot
    code, error_type, message = COMPARE_MODE_ESCAPES[name]
    snapshot = run_snapshot(torch_pool, code, 0, LIMITS)
    assert "REACHED" not in snapshot.stdout
    assert (snapshot.error.type, message in snapshot.error.message) == (error_type, True), \
        snapshot.error

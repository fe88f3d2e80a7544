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
    "class_of_int": "x = (1).__class__",
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
    "format_map_attribute": "'{a.__class__}'.format_map({'a': 1})",
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


def test_security_errors_are_labelled_for_the_learner(pool):
    run = pool.run("import sys", 0, LIMITS)
    assert run.error.kind == "security"
    assert "you can import torch" in run.error.message
    run = pool.run("x = 1\ny = x.__class__", 0, LIMITS)
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

"""Tutorial code through the sandbox (issue 16): what PyTorch's tutorials import and read runs
there as it does on the engine (`import torch.nn.utils`, `torch.backends.cudnn.deterministic =
True`, `torch.__version__`, ...), and real PyTorch, running the same program as plain Python,
prints the same; while what the sandbox refuses stays refused (of a module's dunders only
`torch.__version__` reads).

Every program runs through a worker pool, the path a learner's code takes."""
from __future__ import annotations

import pytest

from explorer import Limits
from explorer.sandbox.pool import WorkerPool

LIMITS = Limits(cpu_seconds=5, wall_seconds=30)


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(size=1)
    yield workers
    workers.close()


PROGRAMS = {
    "version": "import torch\nprint(torch.__version__)\nprint(torch.__version__ >= '2.0', "
               "torch.__version__ < (3, 0))\nprint(type(torch.__version__).__name__)\n"
               "print('{0.__version__}'.format(torch))",
    "module types": "import torch\nimport torch.nn as nn\nimport numpy as np\n"
                    "print(type(torch), type(nn), type(np))",
    "backends": "import torch\nimport torch.backends.cudnn as cudnn\n"
                "from torch.backends import mps\n"
                "torch.backends.cudnn.deterministic = True\ncudnn.benchmark = False\n"
                "print(torch.backends.cudnn.deterministic, cudnn.benchmark, mps.is_available(),"
                " torch.backends.cuda.is_built(), torch.backends.mps.is_built())\n"
                "torch.backends.cuda.matmul.allow_tf32 = True\n"
                "print(torch.backends.cuda.matmul.allow_tf32)",
    "default device": "import torch\ntorch.set_default_device('cpu')\n"
                      "print(torch.get_default_device(), torch.ones(2).device)\n"
                      "try:\n    torch.set_default_device('mps')\n"
                      "except RuntimeError as e:\n    print(e)",
    "cuda": "import torch\nx = torch.ones(2)\n"
            "for f in (lambda: x.cuda(), lambda: x.to('cuda'), lambda: torch.nn.Linear(1, 1)"
            ".cuda()):\n    try:\n        f()\n    except AssertionError as e:\n"
            "        print(type(e).__name__, e)\n"
            "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
            "print(device, x.to(device).device)",
    "anomaly": "import torch\ntorch.autograd.set_detect_anomaly(True)\n"
               "print(torch.is_anomaly_enabled())\n"
               "x = torch.tensor([0.0, 1.0], requires_grad=True)\n"
               "with torch.autograd.detect_anomaly():\n    try:\n"
               "        (x / x).sum().backward()\n    except RuntimeError as e:\n"
               "        print(str(e).splitlines()[0])",
    "inplace shapes": "import torch\nx = torch.arange(6.).view(2, 3)\n"
                      "print(x.t_().shape, x.stride(), x._version)\n"
                      "y = (torch.ones(2, 3, requires_grad=True) * 2)\ny.unsqueeze_(0)\n"
                      "print(y.shape, y.grad_fn.name())\ny.squeeze_()\ny.transpose_(0, 1)\n"
                      "print(y.shape, y.grad_fn.name())",
    "range index": "import torch\nimport torch.nn.functional as F\ntorch.manual_seed(0)\n"
                   "logits = torch.randn(4, 3, requires_grad=True)\n"
                   "target = torch.tensor([0, 2, 1, 1])\n"
                   "loss = -F.log_softmax(logits, dim=1)[range(4), target].mean()\n"
                   "loss.backward()\nprint(loss.grad_fn.name(), logits.grad.shape)",
    "nn.utils": "import torch\nimport torch.nn as nn\nimport torch.nn.utils\n"
                "from torch.nn.utils import clip_grad_norm_, clip_grad_value_, "
                "parameters_to_vector, vector_to_parameters\n"
                "torch.manual_seed(0)\nm = nn.Linear(3, 2)\n"
                "m(torch.ones(4, 3)).pow(2).sum().backward()\n"
                "print(torch.nn.utils.clip_grad_norm_(m.parameters(), 0.5) > 0)\n"
                "clip_grad_value_(m.parameters(), 0.01)\nprint(m.weight.grad.abs().max())\n"
                "v = parameters_to_vector(m.parameters())\nprint(v.shape)\n"
                "vector_to_parameters(torch.zeros(8), m.parameters())\n"
                "print(m.bias)",
    "torch.functional": "import torch.functional as F\nimport torch\n"
                        "print(F.broadcast_shapes((2, 1), (3,)))\n"
                        "print([t.shape for t in F.split(torch.ones(5), 2)])",
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_tutorial_program_runs_in_the_sandbox(pool, name):
    run = pool.run(PROGRAMS[name], 0, LIMITS)
    assert run.error is None, run.error
    assert run.stdout.strip()


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_tutorial_program_prints_what_torch_prints(pool, name, tmp_path):
    """The oracle is real PyTorch running the program as plain Python in a process of its own
    (these programs set process-wide state: anomaly mode, backend flags, the default device).
    This test once asked the torch pool's run task, which is the engine's."""
    import subprocess
    import sys
    torch_run = subprocess.run([sys.executable, "-c", PROGRAMS[name]], cwd=tmp_path,
                               capture_output=True, text=True, timeout=120)
    assert torch_run.returncode == 0, torch_run.stderr
    engine_run = pool.run(PROGRAMS[name], 0, LIMITS)
    assert engine_run.error is None, engine_run.error
    assert engine_run.stdout == torch_run.stdout


# Still refused: a module's dunders but torch.__version__, and writes to what the sandbox provides.
REFUSED = {
    "torch.__dict__": "import torch\ntorch.__dict__",
    "torch.__class__": "import torch\ntorch.__class__",
    "torch.__spec__": "import torch\ntorch.__spec__",
    "torch.__loader__": "import torch\ntorch.__loader__",
    "torch.__builtins__": "import torch\ntorch.__builtins__",
    "torch.nn.__version__": "import torch\ntorch.nn.__version__",
    "numpy.__version__": "import numpy as np\nnp.__version__",
    "a learner object's __version__": "class X:\n    pass\nX().__version__",
    "format reaching past __version__":
        "import torch\n'{0.__version__.__class__.__mro__}'.format(torch)",
    "format on another module": "import math\n'{0.__version__}'.format(math)",
    "writing torch.__version__": "import torch\ntorch.__version__ = '0'",
    "cudnn.__class__": "import torch\ntorch.backends.cudnn.__class__",
    "cudnn.__dict__": "import torch\ntorch.backends.cudnn.__dict__",
    "a new cudnn attribute": "import torch\ntorch.backends.cudnn.anything = 1",
    "replacing cudnn": "import torch\ntorch.backends.cudnn = None",
    "nn.utils.__dict__": "import torch.nn.utils as U\nU.__dict__",
    "writing nn.utils": "import torch.nn.utils as U\nU.clip_grad_norm_ = print",
    "functional.__dict__": "import torch.functional as F\nF.__dict__",
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_dunders_and_provided_modules_stay_refused(pool, name):
    run = pool.run(REFUSED[name], 0, LIMITS)
    assert run.error is not None, f"{name} was not stopped: {run.result!r} {run.stdout!r}"
    assert run.error.message
    assert run.error.type in ("SandboxError", "AttributeError"), run.error


def test_a_backends_flag_lives_only_in_its_run(pool):
    first = pool.run("import torch\ntorch.backends.cudnn.benchmark = True\n"
                     "print(torch.backends.cudnn.benchmark)", 0, LIMITS)
    second = pool.run("import torch\nprint(torch.backends.cudnn.benchmark)", 0, LIMITS)
    assert (first.stdout, second.stdout) == ("True\n", "False\n")

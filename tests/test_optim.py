"""Optimizers and schedulers against real torch: updates equal step by step, param groups,
state_dict round trips and printed text."""
import pytest

from difftest import run_both

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
]


def train(lib, name, kwargs, steps=8, scheduler=None):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    opt = getattr(lib.optim, name)(model.parameters(), **kwargs)
    sched = scheduler(lib, opt) if scheduler else None
    x, y = lib.randn(16, 3), lib.randn(16, 2)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        history.append([p.detach().clone() for p in model.parameters()])
    return history, opt


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_updates_equal_torch_step_by_step(name, kwargs):
    run_both(lambda lib: train(lib, name, kwargs)[0])


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_state_dict_and_repr_match_torch(name, kwargs):
    def program(lib):
        _, opt = train(lib, name, kwargs, steps=2)
        sd = opt.state_dict()
        return [repr(opt), sd["param_groups"], sorted(sd["state"]),
                [sorted(s) for s in sd["state"].values()],
                [v for s in sd["state"].values() for v in s.values()]]
    run_both(program)


def test_load_state_dict_resumes_identically():
    def program(lib):
        history, opt = train(lib, "Adam", dict(lr=0.01), steps=3)
        lib.manual_seed(1)
        model = lib.nn.Linear(2, 1)
        opt1 = lib.optim.Adam(model.parameters(), lr=0.05)
        x = lib.randn(8, 2)
        model(x).pow(2).mean().backward()
        opt1.step()
        saved_model, saved_opt = model.state_dict(), opt1.state_dict()
        clone = lib.nn.Linear(2, 1)
        clone.load_state_dict(saved_model)
        opt2 = lib.optim.Adam(clone.parameters(), lr=0.05)
        opt2.load_state_dict(saved_opt)
        for m, o in ((model, opt1), (clone, opt2)):
            o.zero_grad()
            m(x).pow(2).mean().backward()
            o.step()
        return [model.weight, clone.weight, opt2.state_dict()["state"][0]["step"]]
    run_both(program)


def test_param_groups_with_their_own_lr_match_torch():
    def program(lib):
        lib.manual_seed(0)
        a, b = lib.nn.Linear(2, 2), lib.nn.Linear(2, 1)
        opt = lib.optim.SGD([{"params": a.parameters()},
                             {"params": b.parameters(), "lr": 0.5, "momentum": 0.9}],
                            lr=0.01, momentum=0.1)
        x = lib.randn(4, 2)
        for _ in range(3):
            opt.zero_grad()
            b(a(x).relu()).sum().backward()
            opt.step()
        return [list(a.parameters()), list(b.parameters()), repr(opt)]
    run_both(program)


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.001),
], ids=["step", "exponential", "cosine"])
def test_schedulers_match_torch(make):
    def program(lib):
        history, opt = train(lib, "SGD", dict(lr=0.1, momentum=0.9), steps=12, scheduler=make)
        return [history[-1], opt.param_groups[0]["lr"]]
    run_both(program)

    def lrs(lib):
        lib.manual_seed(0)
        opt = lib.optim.SGD(lib.nn.Linear(1, 1).parameters(), lr=0.1)
        sched = make(lib, opt)
        out = []
        for _ in range(10):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr())
        return out
    run_both(lrs)


def test_bad_arguments_fail_like_torch():
    run_both(lambda lib: lib.optim.SGD(lib.nn.Linear(1, 1).parameters(), lr=-1))
    run_both(lambda lib: lib.optim.Adam(lib.nn.Linear(1, 1).parameters(), betas=(1.0, 0.9)))
    run_both(lambda lib: lib.optim.SGD([], lr=0.1))
    run_both(lambda lib: lib.optim.SGD(lib.nn.Linear(1, 1).parameters(), lr=0.1, nesterov=True))


def test_step_bumps_parameter_versions_so_stale_graphs_fail_like_torch():
    def program(lib):
        lib.manual_seed(0)
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        loss = (model(lib.randn(3, 2)) ** 2).sum()
        loss.backward(retain_graph=True)
        opt.step()
        loss.backward()
    run_both(program)

"""Reductions, scans, sorting and softmax against real torch: dim/keepdim (negative, tuple, list
and empty dims), result dtypes for every input dtype, values, strides, grads and grad_fn names,
return types and their printing, error first lines, and finite-difference gradient checks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from difftest import each, run_both

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FAST = settings(max_examples=50, deadline=None)


def sample(shape, dtype="float32", seed=0, distinct=True):
    """Test data; `distinct` avoids ties, so max/sort/median pick the same element in both."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if dtype == "uint8":
        return np.asarray(rng.integers(0, 10, shape).astype(np.uint8))
    if dtype.startswith("int"):
        return np.asarray(rng.integers(-5, 6, shape).astype(dtype))
    n = int(np.prod(shape))
    x = rng.permutation(n).reshape(shape) / max(n, 1) * 4 - 2 if distinct else \
        rng.standard_normal(shape)
    return np.asarray((x + rng.standard_normal(shape) * 1e-3).astype(dtype))


DIMS = [None, 0, 1, -1, -3, (0, 2), (-1, 0), [1], (), (0, 1, 2), (2, -1), 3, (0, 0)]


# ---- sum, mean, prod, amax, amin, logsumexp, norm over dims ----------------------------------
DIM_REDUCTIONS = {
    "sum": lambda lib, x, d, k: x.sum() if d is None else x.sum(d, keepdim=k),
    "torch.sum": lambda lib, x, d, k: lib.sum(x) if d is None else lib.sum(x, dim=d, keepdim=k),
    "mean": lambda lib, x, d, k: x.mean() if d is None else x.mean(d, k),
    "nansum": lambda lib, x, d, k: x.nansum() if d is None else x.nansum(d, keepdim=k),
    "nanmean": lambda lib, x, d, k: lib.nanmean(x, d, keepdim=k),
    "prod": lambda lib, x, d, k: x.prod() if d is None else x.prod(d, keepdim=k),
    "amax": lambda lib, x, d, k: x.amax() if d is None else x.amax(d, k),
    "amin": lambda lib, x, d, k: lib.amin(x) if d is None else lib.amin(x, dim=d, keepdim=k),
    "logsumexp": lambda lib, x, d, k: lib.logsumexp(x, d, keepdim=k),
    "norm": lambda lib, x, d, k: x.norm(dim=d, keepdim=k),
    "var": lambda lib, x, d, k: x.var(d, keepdim=k),
    "std": lambda lib, x, d, k: x.std(dim=d, keepdim=k, correction=0),
    "all": lambda lib, x, d, k: x.all() if d is None else x.all(d, keepdim=k),
    "any": lambda lib, x, d, k: lib.any(x) if d is None else lib.any(x, d, keepdim=k),
    "count_nonzero": lambda lib, x, d, k: lib.count_nonzero(x, d),
}


@pytest.mark.parametrize("name", sorted(DIM_REDUCTIONS))
def test_reduction_over_dims(name):
    """Values, dtype, shape, strides, grads and grad_fn for every dim spelling and keepdim
    (including out-of-range and repeated dims, whose errors must match)."""
    fn = DIM_REDUCTIONS[name]
    x = sample((2, 3, 4), "float64" if name != "all" else "float32")
    each((f"dim={d!r} keepdim={k}", lambda d=d, k=k: run_both(
        lambda lib, x: fn(lib, x, d, k), x, backward=True, printed=True))
        for d in DIMS for k in (False, True))


@pytest.mark.parametrize("name", sorted(DIM_REDUCTIONS))
def test_reduction_every_dtype(name):
    """Result dtypes: sum/prod of integers and bools are int64, mean/var/norm refuse them,
    all/any give bool (uint8 for uint8), amax keeps the dtype."""
    fn = DIM_REDUCTIONS[name]
    each((f"{dt} dim={d!r}", lambda dt=dt, d=d: run_both(
        lambda lib, x: fn(lib, x, d, False), sample((3, 4), dt), backward=True))
        for dt in DTYPES for d in (None, 1))


@pytest.mark.parametrize("name", sorted(DIM_REDUCTIONS))
@pytest.mark.parametrize("shape", [(), (0,), (2, 0), (1,), (3, 1)])
def test_reduction_of_empty_and_zero_dim(name, shape):
    fn = DIM_REDUCTIONS[name]
    x = sample(shape, "float32")
    each((f"dim={d!r} keepdim={k}", lambda d=d, k=k: run_both(
        lambda lib, x: fn(lib, x, d, k), x, backward=True, printed=True))
        for d in (None, 0, -1, (), (0,)) for k in (False, True))


@pytest.mark.parametrize("name", sorted(DIM_REDUCTIONS))
def test_reduction_of_views(name):
    """Reductions of transposed, sliced, expanded and channels-last inputs."""
    fn = DIM_REDUCTIONS[name]
    x = sample((2, 3, 4, 5), "float64")
    views = {
        "permute": lambda lib, x: x.permute(2, 0, 3, 1),
        "slice": lambda lib, x: x[:, ::2, 1:],
        "expand": lambda lib, x: x[:, :1].expand(2, 3, 4, 5),
        "channels_last": lambda lib, x: x.contiguous(memory_format=lib.channels_last),
    }
    # (an expanded input has zero variance along the expanded dim, where std's gradient is
    # dominated by rounding noise in either library)
    each((f"{v} dim={d!r} keepdim={k}", lambda v=v, d=d, k=k: run_both(
        lambda lib, x: fn(lib, views[v](lib, x), d, k), x, backward=not (
            v == "expand" and name == "std"))) for v in views for d in (None, 1, (0, -1))
        for k in (False, True))


@FAST
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4).flatmap(
    lambda shape: st.tuples(st.just(tuple(shape)), st.lists(
        st.integers(-len(shape), len(shape) - 1), max_size=len(shape), unique_by=lambda d: d
        % len(shape)), st.booleans(), st.sampled_from(sorted(DIM_REDUCTIONS)))))
def test_reductions_over_random_dims(case):
    shape, dims, keepdim, name = case
    run_both(lambda lib, x: DIM_REDUCTIONS[name](lib, x, tuple(dims), keepdim),
             sample(shape, "float64"), backward=True)


def test_sum_mean_prod_dtype_argument():
    each((f"{dt} -> {out}", lambda dt=dt, out=out: run_both(
        lambda lib, x: (x.sum(dtype=getattr(lib, out)), x.sum(1, dtype=getattr(lib, out)),
                        x.prod(dtype=getattr(lib, out)), x.cumsum(0, dtype=getattr(lib, out)),
                        lib.mean(x.float() if dt == "bool" else x, 0,
                                 dtype=getattr(lib, out))), sample((3, 4), dt), backward=True))
        for dt in DTYPES for out in ("float64", "float32", "int64", "float16"))


@pytest.mark.parametrize("shape,dim", [
    ((5,), None), ((7,), 0), ((9, 3), None), ((3, 17), 1), ((33, 4), 0), ((40, 9), 0),
    ((2, 9, 5), 1), ((3, 1, 8), (0, 1)), ((1000,), None), ((6, 70), -1), ((64, 64), 0),
])
def test_float_sums_add_in_pytorchs_order(shape, dim):
    """sum and mean of float32/float64 agree bit for bit (PyTorch's cascade order), so e.g. a
    softmax's sum prints `1.` or `1.0000` as PyTorch prints it (where the softmax itself agrees:
    PyTorch's vectorized exp may differ from NumPy's in the last bit)."""
    for dtype in ("float32", "float64"):
        x = sample(shape, dtype, distinct=False)
        for expr in (lambda lib, t: t.sum() if dim is None else t.sum(dim),
                     lambda lib, t: t.mean() if dim is None else t.mean(dim, keepdim=True),
                     lambda lib, t: t.nansum() if dim is None else t.nansum(dim)):
            e, t = expr(engine, engine.tensor(x)), expr(torch, torch.tensor(x))
            assert np.array_equal(e.numpy(), t.numpy()), (dtype, e, t)
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0], np.float32)
    run_both(lambda lib, z: (lib.softmax(z, 0).sum(), z.softmax(0)), z, printed=True)


@settings(max_examples=150, deadline=None)
@given(st.tuples(st.integers(1, 4), st.integers(1, 300), st.integers(1, 70)).filter(
    lambda shape: np.prod(shape) <= 32768),  # what PyTorch sums on one thread
       st.sampled_from(["float32", "float64"]), st.sampled_from(["leading", "trailing", "middle",
                                                                   "all"]),
       st.booleans(), st.integers(0, 2 ** 32 - 1))
def test_float_sums_match_torch_bit_for_bit(shape, dtype, which, keepdim, seed):
    """Sums over leading, trailing or middle dims of (before, rows, columns), with terms of
    very different magnitudes, so that any other order of additions rounds differently."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 9, shape)).astype(dtype)
    dim = {"leading": (0, 1), "trailing": (1, 2), "middle": 1, "all": None}[which]
    e, t = engine.tensor(x), torch.tensor(x)
    for expr in (lambda t: t.sum() if dim is None else t.sum(dim, keepdim=keepdim),
                 lambda t: t.mean() if dim is None else t.mean(dim, keepdim=keepdim),
                 lambda t: t[0].sum(0), lambda t: t[0].sum(-1)):
        ours, theirs = expr(e).numpy(), expr(t).numpy()
        assert ours.shape == theirs.shape and np.array_equal(ours, theirs), (expr(e), expr(t))


def test_float16_sums_accumulate_in_float32():
    x = np.full((4096,), 0.1, np.float16)
    run_both(lambda lib, x: (x.sum(), x.mean(), x.sum(0), x.cumsum(0)[-1], x.norm()), x,
             printed=True)


def test_mean_of_integers_is_refused():
    for dt in DTYPES:
        run_both(lambda lib, x: x.mean(), sample((3,), dt))
        run_both(lambda lib, x: x.mean(0), sample((3,), dt))
        run_both(lambda lib, x: x.var(), sample((3,), dt))
        run_both(lambda lib, x: x.norm(), sample((3,), dt))


# ---- var / std ----------------------------------------------------------------------------------
VARIANCES = [
    lambda lib, x: x.var(), lambda lib, x: x.var(0), lambda lib, x: x.var(1, unbiased=False),
    lambda lib, x: x.var(False), lambda lib, x: lib.var(x, dim=(0, 1), keepdim=True),
    lambda lib, x: x.var(correction=2), lambda lib, x: x.var(-1, correction=0, keepdim=True),
    lambda lib, x: x.std(), lambda lib, x: x.std(1), lambda lib, x: lib.std(x, 0, True),
    lambda lib, x: x.std(unbiased=False), lambda lib, x: lib.std(x, dim=None, correction=0),
    lambda lib, x: lib.var_mean(x), lambda lib, x: lib.var_mean(x, 1, keepdim=True),
    lambda lib, x: lib.std_mean(x, dim=0, correction=0),
    lambda lib, x: x.var(0, correction=3), lambda lib, x: x[:1].var(0),
    lambda lib, x: x[:1].std(0), lambda lib, x: x[:0].var(),
]


@pytest.mark.parametrize("expr", VARIANCES)
def test_var_std(expr):
    run_both(expr, sample((3, 4), "float64"), backward=True, printed=True)
    run_both(expr, sample((3, 4), "float32"), backward=True)


# ---- max / min / argmax / argmin ---------------------------------------------------------------
EXTREMES = [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: lib.max(x, 1),
    lambda lib, x: x.max(dim=0, keepdim=True), lambda lib, x: lib.min(x, -1),
    lambda lib, x: x.min(1, True), lambda lib, x: x.max(1).values,
    lambda lib, x: x.max(1).indices, lambda lib, x: x.min(dim=0)[1],
    lambda lib, x: x.argmax(), lambda lib, x: x.argmin(1), lambda lib, x: lib.argmax(x, 0, True),
    lambda lib, x: x.argmax(dim=-1, keepdim=True), lambda lib, x: lib.argmin(x),
    lambda lib, x: lib.aminmax(x), lambda lib, x: x.aminmax(dim=1),
    lambda lib, x: x.max(lib.zeros(4, dtype=x.dtype)), lambda lib, x: lib.min(x, x.t().t()),
    lambda lib, x: x.max(2), lambda lib, x: x.argmax(5),
]


@pytest.mark.parametrize("expr", EXTREMES)
def test_max_min_argmax(expr):
    each((dt, lambda dt=dt: run_both(expr, sample((3, 4), dt), backward=True,
                                     printed=dt == "float32")) for dt in DTYPES)


def test_max_min_ties_and_nan():
    """Ties share a full-reduction gradient evenly; nan wins max, min, argmax."""
    ties = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 1.0, 2.0]])
    nans = np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, np.nan]])
    for x in (ties, nans):
        for expr in (lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.amax(1),
                     lambda lib, x: x.amin(), lambda lib, x: x.argmax(), lambda lib, x: x.argmin(1),
                     lambda lib, x: x.max(1), lambda lib, x: x.min(0), lambda lib, x: x.amax(),
                     lambda lib, x: x.median(), lambda lib, x: x.median(1),
                     lambda lib, x: x.norm(float("inf"))):
            run_both(expr, x, backward=True, printed=True)


def test_max_of_empty_is_refused():
    for expr in (lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.argmax(),
                 lambda lib, x: x.max(0), lambda lib, x: x.max(1), lambda lib, x: x.amax(),
                 lambda lib, x: x.amax(0), lambda lib, x: x.amax(1), lambda lib, x: x.argmin(0),
                 lambda lib, x: x.median(), lambda lib, x: x.prod(0),
                 lambda lib, x: x.logsumexp(0)):
        run_both(expr, np.zeros((0, 3), np.float32), backward=True)


# ---- norm ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, 0, float("inf"), float("-inf"), "fro", -1, 2.5])
def test_norm_orders(p):
    x = sample((3, 4), "float64")
    x[0, 0] = 0.0
    for expr in (lambda lib, x: x.norm(p), lambda lib, x: x.norm(p, dim=1),
                 lambda lib, x: lib.norm(x, p=p, dim=0, keepdim=True),
                 lambda lib, x: x.norm(p, dim=(0, 1)), lambda lib, x: (x * 0).norm(p)):
        run_both(expr, x, backward=True, printed=True)
    run_both(lambda lib, x: x.norm(p), x.astype(np.float32), backward=True)


def test_norm_dtype_and_errors():
    x = sample((3, 4), "float32")
    run_both(lambda lib, x: x.norm(dtype=lib.float64), x, backward=True)
    run_both(lambda lib, x: lib.norm(x, 2, 1, True, dtype=lib.float64), x, backward=True)
    run_both(lambda lib, x: x.long().norm(), x)
    run_both(lambda lib, x: x.norm(p="abc"), x)
    run_both(lambda lib, x: x.norm(p="nuc", dim=(0, 1, 2)), sample((2, 3, 4)))
    run_both(lambda lib, x: x.norm(dim=2), x)


# ---- logsumexp, softmax, log_softmax -------------------------------------------------------------
def test_logsumexp_extremes():
    x = np.array([[0.0, -np.inf, 1000.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0]])
    for expr in (lambda lib, x: lib.logsumexp(x, 1), lambda lib, x: x.logsumexp(0, True),
                 lambda lib, x: x.logsumexp((0, 1)), lambda lib, x: x.logsumexp(-1)):
        run_both(expr, x, printed=True)
        run_both(expr, x[:1], backward=True, printed=True)
    for dt in DTYPES:
        run_both(lambda lib, x: x.logsumexp(1), sample((2, 3), dt), backward=True)


SOFTMAXES = [
    lambda lib, x: x.softmax(1), lambda lib, x: x.softmax(-1), lambda lib, x: x.softmax(0),
    lambda lib, x: lib.softmax(x, dim=2), lambda lib, x: x.log_softmax(1),
    lambda lib, x: lib.log_softmax(x, -3), lambda lib, x: x.softmax(1, dtype=lib.float64),
    lambda lib, x: x.log_softmax(dim=0, dtype=lib.float64),
    lambda lib, x: lib.nn.functional.softmax(x, dim=1), lambda lib, x: x.softmax(3),
    lambda lib, x: x.transpose(0, 2).softmax(1), lambda lib, x: x[:, :1].softmax(1),
    lambda lib, x: x.permute(2, 0, 1).log_softmax(0),
    lambda lib, x: x.contiguous(memory_format=lib.channels_last if x.dim() == 4 else
                                lib.contiguous_format).softmax(1),
]


@pytest.mark.parametrize("expr", SOFTMAXES)
def test_softmax(expr):
    each((dt, lambda dt=dt: run_both(expr, sample((2, 3, 4), dt), backward=True,
                                     printed=dt == "float32")) for dt in DTYPES)
    run_both(expr, sample((2, 3, 4, 2), "float64"), backward=True)


def test_softmax_extremes_and_zero_dim():
    x = np.array([[1000.0, 0.0, -np.inf], [-np.inf, -np.inf, -np.inf], [np.nan, 1.0, 2.0]])
    for expr in (lambda lib, x: x.softmax(1), lambda lib, x: x.log_softmax(1),
                 lambda lib, x: x.softmax(0)):
        run_both(expr, x, printed=True)
    run_both(lambda lib, x: (x.softmax(0), x.log_softmax(-1)), np.asarray(np.float32(2.5)),
             backward=True, printed=True)
    run_both(lambda lib, x: lib.softmax(x), sample((2, 3)))


# ---- scans --------------------------------------------------------------------------------------
SCANS = [
    lambda lib, x: x.cumsum(0), lambda lib, x: x.cumsum(-1), lambda lib, x: lib.cumsum(x, dim=1),
    lambda lib, x: x.cumprod(1), lambda lib, x: lib.cumprod(x, -2),
    lambda lib, x: x.cumsum(1, dtype=lib.float64), lambda lib, x: x.t().cumsum(0),
    lambda lib, x: x[:, ::2].cumprod(1), lambda lib, x: x.cumsum(2), lambda lib, x: x.cumsum(),
    lambda lib, x: lib.logcumsumexp(x, 1), lambda lib, x: x.cummax(1), lambda lib, x: x.cummin(0),
    lambda lib, x: x.diff(), lambda lib, x: lib.diff(x, n=2, dim=0), lambda lib, x: x.diff(dim=-2),
    lambda lib, x: lib.diff(x, prepend=x[:, :1], append=x[:, 1:]), lambda lib, x: x.diff(n=5),
    lambda lib, x: ((x * 1).cumsum_(1), (x * 1).cumprod_(0)), lambda lib, x: x.cumsum_(1),
]


@pytest.mark.parametrize("expr", SCANS)
def test_scans(expr):
    each((dt, lambda dt=dt: run_both(expr, sample((3, 4), dt), backward=True,
                                     printed=dt == "float32")) for dt in DTYPES)
    run_both(expr, np.asarray(np.float32(1.5)), backward=True)


def test_cumprod_grad_with_zeros():
    for x in (np.array([[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 1.0, 5.0], [1.5, 2.0, 0.5, 0.0]]),
              np.array([0.0, 2.0]), np.array([3.0, 0.0])):
        run_both(lambda lib, x: x.cumprod(-1), x, backward=True, printed=True)
        run_both(lambda lib, x: (x.cumprod(-1) * lib.arange(x.shape[-1])).sum(), x,
                 backward=True)
        run_both(lambda lib, x: x.prod(-1), x, backward=True)
        run_both(lambda lib, x: x.prod(), x, backward=True)


# ---- sort, argsort, topk, median -----------------------------------------------------------------
SORTS = [
    lambda lib, x: x.sort(), lambda lib, x: x.sort(0), lambda lib, x: x.sort(descending=True),
    lambda lib, x: lib.sort(x, dim=0, descending=True, stable=True),
    lambda lib, x: x.sort(stable=True), lambda lib, x: x.argsort(), lambda lib, x: x.argsort(0),
    lambda lib, x: lib.argsort(x, descending=True), lambda lib, x: x.msort(),
    lambda lib, x: x.topk(2), lambda lib, x: x.topk(1, 0), lambda lib, x: x.topk(3, largest=False),
    lambda lib, x: lib.topk(x, 2, dim=0, largest=True, sorted=True), lambda lib, x: x.topk(0),
    lambda lib, x: x.topk(5), lambda lib, x: x.sort(2), lambda lib, x: x.t().sort(1),
    lambda lib, x: x.t().topk(2, 0), lambda lib, x: x.median(), lambda lib, x: x.median(0),
    lambda lib, x: x.median(1, keepdim=True), lambda lib, x: lib.median(x, -1),
    lambda lib, x: x.nanmedian(), lambda lib, x: x.kthvalue(2, 1), lambda lib, x: x.mode(1),
]


@pytest.mark.parametrize("expr", SORTS)
def test_sort_topk_median(expr):
    each((dt, lambda dt=dt: run_both(expr, sample((3, 4), dt), backward=True,
                                     printed=dt == "float32")) for dt in DTYPES
         if dt not in ("bool", "uint8", "int8", "int16", "int32", "int64"))
    run_both(expr, np.asarray(np.float32(1.5)), backward=True, printed=True)


def test_sort_stability_ties_and_nan():
    """sort is stable (ties keep their order); nan sorts above inf. (topk's order among ties is
    whatever std::partial_sort leaves, so topk is checked on distinct values only.)"""
    x = np.array([[2.0, 1.0, 2.0, np.nan, 1.0, -np.inf], [0.0, -0.0, 3.0, 3.0, np.inf, 1.0]])
    for expr in (lambda lib, x: x.sort(), lambda lib, x: x.sort(stable=True),
                 lambda lib, x: x.sort(descending=True, stable=True),
                 lambda lib, x: x.sort(descending=True), lambda lib, x: x.argsort(stable=True),
                 lambda lib, x: x.median(1), lambda lib, x: x.median(),
                 lambda lib, x: x.nanmedian(1)):
        run_both(expr, x, printed=True)
    ints = np.array([[3, 1, 3, 2, 1], [5, 5, 5, 5, 5]])
    run_both(lambda lib, x: x.sort(stable=True), ints, printed=True)
    run_both(lambda lib, x: x.sort(descending=True, stable=True), ints, printed=True)


def test_return_types_print_like_torch():
    x = sample((2, 3))
    for expr in (lambda lib, x: x.max(1), lambda lib, x: x.sort(), lambda lib, x: x.topk(2),
                 lambda lib, x: x.median(0), lambda lib, x: x.min(dim=1, keepdim=True)):
        t, e = expr(torch, torch.tensor(x)), expr(engine, engine.tensor(x))
        assert repr(e) == repr(t)
        assert type(e).__name__ == type(t).__name__
        assert e.values is e[0] and e.indices is e[1]
        assert len(e) == 2


# ---- all / any -----------------------------------------------------------------------------------
def test_all_any_dtypes():
    each((dt, lambda dt=dt: run_both(
        lambda lib, x: (x.all(), x.any(), x.all(0), x.any(1, keepdim=True), lib.all(x, dim=(0, 1)),
                        lib.any(x, -1)), sample((3, 4), dt), printed=True)) for dt in DTYPES)
    run_both(lambda lib, x: (x.all(), x.any()), np.array([np.nan, 0.0]))


# ---- errors a learner meets -------------------------------------------------------------------
ERRORS = [
    lambda lib, x: x.sum(3), lambda lib, x: x.sum(-4), lambda lib, x: x.sum((0, 0)),
    lambda lib, x: x.mean(1, dtype=lib.int64), lambda lib, x: x.long().mean(),
    lambda lib, x: x.max(3), lambda lib, x: x.softmax(), lambda lib, x: x.softmax(5),
    lambda lib, x: x.long().softmax(0), lambda lib, x: x.topk(10), lambda lib, x: x.topk(-1),
    lambda lib, x: x.cumsum(5), lambda lib, x: x.cumsum(), lambda lib, x: x.var(5),
    lambda lib, x: x.long().var(), lambda lib, x: x.long().std(0), lambda lib, x: x.prod((0, 1)),
    lambda lib, x: x.median(4), lambda lib, x: x.sort(3), lambda lib, x: lib.logsumexp(x),
    lambda lib, x: x.norm(p=2, dim=5), lambda lib, x: x.all(dim=4), lambda lib, x: x.argmax(4),
    lambda lib, x: x.sum(dim=1.5), lambda lib, x: x.sum("a"),
]


@pytest.mark.parametrize("expr", ERRORS)
def test_error_first_lines(expr):
    run_both(expr, sample((2, 3, 4)))


# ---- gradient checks by finite differences -------------------------------------------------------
GRADCHECKS = {
    "sum": lambda x: x.sum(), "sum_dim": lambda x: x.sum((0, -1), keepdim=True),
    "mean": lambda x: x.mean(1), "prod": lambda x: x.prod(), "prod_dim": lambda x: x.prod(0),
    "var": lambda x: x.var(1), "std": lambda x: x.std(), "std_mean": lambda x: engine.std_mean(x),
    "amax": lambda x: x.amax(0), "amin": lambda x: x.amin(), "max": lambda x: x.max(),
    "max_dim": lambda x: x.max(1)[0], "min_dim": lambda x: x.min(0, keepdim=True)[0],
    "norm": lambda x: x.norm(), "norm1": lambda x: x.norm(1, dim=0), "norm3": lambda x: x.norm(3),
    "norm_inf": lambda x: x.norm(float("inf"), dim=1), "logsumexp": lambda x: x.logsumexp(1),
    "cumsum": lambda x: x.cumsum(0), "cumprod": lambda x: x.cumprod(1),
    "sort": lambda x: x.sort(1)[0], "topk": lambda x: x.topk(2)[0],
    "median": lambda x: x.median(), "median_dim": lambda x: x.median(0)[0],
    "softmax": lambda x: x.softmax(1), "log_softmax": lambda x: x.log_softmax(0),
    "nansum": lambda x: x.nansum(1), "diff": lambda x: x.diff(dim=0),
    "logcumsumexp": lambda x: x.logcumsumexp(1), "cummax": lambda x: x.cummax(0)[0],
    "var_mean": lambda x: engine.var_mean(x, 1), "aminmax": lambda x: engine.aminmax(x, dim=0),
    "kthvalue": lambda x: x.kthvalue(2, 1)[0], "nanmedian": lambda x: x.nanmedian(),
}


TORCH_GRADCHECKS = {  # written against either library through its tensor methods
    "sum": lambda x: x.sum(), "sum_dim": lambda x: x.sum((0, -1), keepdim=True),
    "mean": lambda x: x.mean(1), "prod": lambda x: x.prod(), "prod_dim": lambda x: x.prod(0),
    "var": lambda x: x.var(1), "std": lambda x: x.std(), "amax": lambda x: x.amax(0),
    "max": lambda x: x.max(), "max_dim": lambda x: x.max(1)[0], "norm": lambda x: x.norm(),
    "norm1": lambda x: x.norm(1, dim=0), "norm_inf": lambda x: x.norm(float("inf"), dim=1),
    "logsumexp": lambda x: x.logsumexp(1), "cumsum": lambda x: x.cumsum(0),
    "cumprod": lambda x: x.cumprod(1), "sort": lambda x: x.sort(1)[0],
    "topk": lambda x: x.topk(2)[0], "median": lambda x: x.median(),
    "softmax": lambda x: x.softmax(1), "log_softmax": lambda x: x.log_softmax(0),
    "nansum": lambda x: x.nansum(1), "logcumsumexp": lambda x: x.logcumsumexp(1),
    "cummax": lambda x: x.cummax(0)[0], "kthvalue": lambda x: x.kthvalue(2, 1)[0],
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradcheck(name):
    x = engine.tensor(sample((3, 4), "float64"), requires_grad=True)
    assert engine.autograd.gradcheck(GRADCHECKS[name], (x,))
    assert engine.autograd.gradgradcheck(GRADCHECKS[name], (x,))


@pytest.mark.parametrize("name", sorted(TORCH_GRADCHECKS))
def test_saved_tensors_match_torch(name):
    """What each reduction saves for backward (self, result, indices) is what PyTorch saves:
    modifying it in place before backward fails the same way (or works the same way)."""
    x = sample((3, 4), "float64")
    fn = TORCH_GRADCHECKS[name]

    def input_changed(lib, x):
        y = x * 1
        out = fn(y)
        y.mul_(1)
        return out

    def output_changed(lib, x):
        out = fn(x * 1)
        out.mul_(1)
        return out
    for go in (input_changed, output_changed):
        errors = []
        for lib in (torch, engine):
            try:
                go(lib, lib.tensor(x, requires_grad=True)).sum().backward()
                errors.append(None)
            except RuntimeError as exc:
                errors.append(str(exc).splitlines()[0])
        assert errors[1] == errors[0]

"""Linear algebra tutorials reach for (issue 16): det, inv, svd, the matrix norms of
torch.linalg.norm and cdist, against real torch: values, dtype, grad_fn chains, gradients and
error first lines."""
from __future__ import annotations

import math

import numpy as np
import pytest

from difftest import each, run_both
from test_diff_ops_missing import chain, same_chain

RNG = np.random.default_rng(1617)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


SINGULAR = np.array([[1., 2.], [2., 4.]], dtype=np.float32)


@pytest.mark.parametrize("call", [
    lambda lib, a: lib.det(a), lambda lib, a: lib.linalg.det(a), lambda lib, a: a.det(),
    lambda lib, a: lib.linalg.inv(a), lambda lib, a: lib.inverse(a), lambda lib, a: a.inverse()],
    ids=["det", "linalg.det", "Tensor.det", "linalg.inv", "inverse", "Tensor.inverse"])
def test_det_and_inv_as_torch(call):
    each([(f"{shape} {dt.__name__}", lambda a=rand(*shape, dtype=dt): same_chain(call, a))
          for shape in [(3, 3), (2, 4, 4), (1, 1)] for dt in (np.float32, np.float64)]
         + [(f"refused {shape}", lambda a=a: run_both(call, a))
            for shape, a in [("2x3", rand(2, 3)), ("1-D", rand(3)),
                             ("int", np.arange(4).reshape(2, 2)), ("singular", SINGULAR),
                             ("zeros", np.zeros((3, 3), np.float32)),
                             ("batch singular", np.stack([np.eye(2, dtype=np.float32),
                                                          SINGULAR]))]])


def _svd_parts(result):
    return [result[0], result[1], result[2]]


# shapes whose singular vectors MKL (torch) and NumPy's LAPACK sign alike
@pytest.mark.parametrize("shape", [(3, 3), (5, 2), (7, 3), (2, 3, 2)], ids=str)
def test_svd_values_and_gradients_as_torch(shape):
    a = rand(*shape, dtype=np.float64)
    each([
        ("linalg.svd reduced", lambda: run_both(
            lambda lib, x: _svd_parts(lib.linalg.svd(x, full_matrices=False)), a,
            backward=True)),
        ("svd", lambda: run_both(lambda lib, x: _svd_parts(lib.svd(x)), a, backward=True)),
        ("svdvals", lambda: same_chain(lambda lib, x: lib.linalg.svdvals(x), a)),
        ("singular values only", lambda: run_both(lambda lib, x: lib.linalg.svd(x)[1], a,
                                                  backward=True)),
        ("no uv", lambda: run_both(lambda lib, x: _svd_parts(lib.svd(x, compute_uv=False)), a)),
        # full_matrices: the columns past min(m, n) are any basis of the null space; MKL's and
        # NumPy's LAPACK may pick another, so only square ones print the same
        ("printed", lambda: run_both(lambda lib, x: repr(lib.linalg.svd(
            x.float(), full_matrices=x.shape[-1] == x.shape[-2])), a)),
    ])


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 3)], ids=str)
def test_svd_up_to_the_signs_of_singular_vectors_as_torch(shape):
    """Where MKL signs some singular vectors the other way, whatever does not depend on those
    signs (and its gradient) is the same."""
    def unsigned(lib, x):
        U, S, Vh = lib.linalg.svd(x, full_matrices=False)  # noqa: N806
        return [U.abs(), S, Vh.abs(), (U * S.unsqueeze(-2)) @ Vh]
    run_both(unsigned, rand(*shape, dtype=np.float64), backward=True)


@pytest.mark.parametrize("a", [rand(3), np.arange(4).reshape(2, 2)], ids=["1-D", "int"])
def test_svd_refuses_as_torch(a):
    run_both(lambda lib, x: lib.linalg.svd(x), a)
    run_both(lambda lib, x: lib.svd(x), a)
    run_both(lambda lib, x: lib.linalg.svdvals(x), a)


NORMS = [None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf, 0, 3]


@pytest.mark.parametrize("ord", NORMS, ids=str)
def test_linalg_norm_as_torch(ord):
    each([(f"{shape} dim={dim} keepdim={keep}",
           lambda shape=shape, dim=dim, keep=keep: same_chain(
               lambda lib, x: lib.linalg.norm(x, ord=ord, dim=dim, keepdim=keep),
               rand(*shape)))
          for shape in [(3,), (3, 4), (2, 3, 4)] for dim in [None, 1, (0, 1), (-1, 0)]
          for keep in (False, True)])


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -2, math.inf, 3], ids=str)
def test_matrix_norm_as_torch(ord):
    each([(str(shape), lambda shape=shape: same_chain(
        lambda lib, x: lib.linalg.matrix_norm(x, ord=ord), rand(*shape)))
        for shape in [(3, 4), (2, 3, 3), (3,)]])


@pytest.mark.parametrize("offset", [0, 1, -1, 3, -2])
def test_diag_as_torch(offset):
    each([("vector", lambda: same_chain(lambda lib, x: lib.diag(x, offset), rand(3))),
          ("matrix", lambda: same_chain(lambda lib, x: lib.diag(x, offset), rand(3, 4))),
          ("method", lambda: same_chain(lambda lib, x: x.diag(offset), rand(4, 3))),
          ("embed", lambda: same_chain(lambda lib, x: lib.diag_embed(x, offset), rand(2, 3))),
          ("ints", lambda: run_both(lambda lib, x: lib.diag(x, offset),
                                    np.arange(6).reshape(2, 3))),
          ("3-D", lambda: run_both(lambda lib, x: lib.diag(x), rand(2, 2, 2)))])


CDIST_SHAPES = [((3, 2), (4, 2)), ((30, 3), (4, 3)), ((2, 5, 3), (4, 3)),
                ((2, 1, 3, 2), (3, 4, 2)), ((3, 8), (27, 8))]


@pytest.mark.parametrize("p", [2.0, 1.0, 0.0, math.inf, 3.0, 0.5], ids=str)
def test_cdist_as_torch(p):
    each([(f"{a} {b}", lambda a=rand(*a), b=rand(*b): same_chain(
        lambda lib, x, y: lib.cdist(x, y, p=p), a, b)) for a, b in CDIST_SHAPES])


@pytest.mark.parametrize("p", [2.0, 1.0, math.inf, 3.0], ids=str)
def test_dist_as_torch(p):
    each([(f"{a} {b}", lambda a=rand(*a), b=rand(*b): same_chain(
        lambda lib, x, y: lib.dist(x, y, p), a, b))
        for a, b in [((5, 17), (17,)), ((3,), (3,)), ((2, 1, 4), (3, 4))]]
        + [("method", lambda: same_chain(lambda lib, x, y: x.dist(y), rand(4), rand(4))),
           ("ints", lambda: run_both(lambda lib, x, y: lib.dist(x, y), np.arange(3),
                                     np.arange(3))),
           ("no broadcast", lambda: run_both(lambda lib, x, y: lib.dist(x, y), rand(2),
                                             rand(3)))])


@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"])
def test_cdist_compute_modes_as_torch(mode):
    each([(f"{a} {b}", lambda a=rand(*a), b=rand(*b): same_chain(
        lambda lib, x, y: lib.cdist(x, y, compute_mode=mode), a, b)) for a, b in CDIST_SHAPES])


@pytest.mark.parametrize("args", [(rand(3), rand(3)), (rand(2, 3), rand(2, 4)),
                                  (np.ones((2, 3), np.int64), np.ones((2, 3), np.int64))],
                         ids=["1-D", "columns", "int"])
def test_cdist_refuses_as_torch(args):
    run_both(lambda lib, x, y: lib.cdist(x, y), *args)
    run_both(lambda lib: lib.cdist(lib.ones(2, 2), lib.ones(2, 2), p=-1))


def test_cdist_of_identical_rows_has_zero_gradient_as_torch():
    a = rand(3, 2)
    run_both(lambda lib, x: lib.cdist(x, x.detach()), a, backward=True)
    assert chain is not None

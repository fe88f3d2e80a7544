"""F.interpolate and nn.Upsample, which vision tutorials use (issue 16), against real torch:
output sizes, values (nearest exactly; linear to float32 rounding), grad_fn names, gradients
and error first lines."""
from __future__ import annotations

import numpy as np
import pytest

from difftest import each, run_both
from test_diff_ops_missing import same_chain

RNG = np.random.default_rng(1618)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


CALLS = [
    ("nearest x2", rand(1, 2, 3, 3), dict(scale_factor=2)),
    ("nearest size", rand(2, 1, 3, 4), dict(size=(5, 7))),
    ("nearest 1.5", rand(1, 1, 4, 3), dict(scale_factor=1.5)),
    ("nearest down", rand(1, 1, 7, 5), dict(size=(3, 2))),
    ("nearest 1d", rand(2, 3, 5), dict(size=8)),
    ("nearest 3d", rand(1, 1, 2, 3, 2), dict(scale_factor=(2, 1, 1.5))),
    ("nearest-exact", rand(1, 2, 3, 5), dict(size=(4, 7), mode="nearest-exact")),
    ("nearest-exact 1d", rand(1, 2, 5), dict(scale_factor=0.7, mode="nearest-exact")),
    ("linear", rand(2, 2, 5), dict(size=9, mode="linear")),
    ("linear aligned", rand(2, 2, 5), dict(scale_factor=1.7, mode="linear", align_corners=True)),
    ("bilinear", rand(1, 2, 3, 4), dict(size=(5, 6), mode="bilinear")),
    ("bilinear x2", rand(2, 1, 4, 4), dict(scale_factor=2, mode="bilinear")),
    ("bilinear aligned", rand(1, 1, 3, 3), dict(size=4, mode="bilinear", align_corners=True)),
    ("bilinear down", rand(1, 1, 8, 6), dict(size=(3, 4), mode="bilinear")),
    ("bilinear recompute", rand(1, 1, 5, 5), dict(scale_factor=1.3, mode="bilinear",
                                                  recompute_scale_factor=True)),
    ("trilinear", rand(1, 1, 2, 3, 2), dict(scale_factor=2, mode="trilinear")),
    ("area", rand(1, 2, 6, 6), dict(size=3, mode="area")),
    ("double", rand(1, 1, 3, 3, dtype=np.float64), dict(size=5, mode="bilinear")),
]


@pytest.mark.parametrize("label,x,kw", CALLS, ids=[c[0] for c in CALLS])
def test_interpolate_as_torch(label, x, kw):
    same_chain(lambda lib, t: lib.nn.functional.interpolate(t, **kw), x)


def test_nearest_picks_the_elements_torch_picks():
    x = np.arange(7 * 11, dtype=np.float32).reshape(1, 1, 7, 11)
    each([(f"{size}", lambda size=size: run_both(
        lambda lib, t: lib.nn.functional.interpolate(t, size=size), x, printed=True))
        for size in [(3, 4), (13, 17), (14, 22), (9, 5), (20, 31)]]
        + [(f"x{f}", lambda f=f: run_both(
            lambda lib, t: lib.nn.functional.interpolate(t, scale_factor=f), x, printed=True))
           for f in [0.3, 1.25, 1.7, 2.5, 3]])


@pytest.mark.parametrize("kw", [
    dict(), dict(scale_factor=2, align_corners=True), dict(size=3, scale_factor=2),
    dict(size=(3,)), dict(scale_factor=(2, 2, 2)), dict(size=4, mode="linear"),
    dict(size=4, mode="trilinear"), dict(size=4, recompute_scale_factor=True),
    dict(size=4, mode="nearest", antialias=True)],
    ids=str)
def test_interpolate_errors_as_torch(kw):
    run_both(lambda lib, t: lib.nn.functional.interpolate(t, **kw), rand(1, 1, 3, 3))


def test_bilinear_of_a_3d_input_errors_as_torch():
    run_both(lambda lib, t: lib.nn.functional.interpolate(t, size=4, mode="bilinear"),
             rand(1, 2, 3))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Upsample(scale_factor=2, mode="bilinear"),
    lambda lib: lib.nn.Upsample(size=(5, 4)), lambda lib: lib.nn.Upsample(scale_factor=(2, 3))],
    ids=["bilinear", "size", "factors"])
def test_upsample_layer_as_torch(make):
    run_both(lambda lib, t: make(lib)(t), rand(1, 2, 3, 3), backward=True)
    run_both(lambda lib: repr(make(lib)))


def test_deprecated_upsample_warns_and_resamples_as_torch():
    import warnings

    def call(lib, t):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            out = lib.nn.functional.upsample(t, scale_factor=2)
        return [out, [str(w.message) for w in said]]
    run_both(call, rand(1, 1, 2, 2))

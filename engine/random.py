"""Random numbers bit-identical to PyTorch's CPU generator, produced as NumPy arrays.

PyTorch's CPU generator is a 32-bit Mersenne Twister (mt19937) seeded with ``init_genrand`` on
the low 32 bits of the seed. NumPy's ``MT19937`` bit generator runs the same recurrence and
tempering, so once it holds the seeded key its ``random_raw`` yields exactly torch's stream of
32-bit words. Each
sampler below then reproduces the matching ATen CPU kernel (``DistributionTemplates.h``,
``DistributionsHelper.h``, ``TransformationHelper.h``, ``TensorFactories.cpp``,
``MultinomialKernel.cpp``): how many words an element consumes, how words become numbers, and the
order and rounding of every floating-point operation -- including the fused multiply-adds that GCC
emits in torch's AVX2 kernels and the AVX2 ``log``/``sincos`` approximations used by ``randn`` for
float32 tensors of 16 or more elements.

Every sampler assumes a contiguous output in C order, as torch's factory functions produce.
"""
from __future__ import annotations

import math
import numbers
import secrets
from typing import Optional, Sequence, Union

import numpy as np

from . import caller_warning
from .libm import elementwise

__all__ = [
    "DEFAULT_SEED",
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "uniform",
    "normal",
    "normal_tensor",
    "randint",
    "random_",
    "randperm",
    "bernoulli",
    "exponential",
    "multinomial",
]

DEFAULT_SEED = 67280421310721  # c10's default_rng_seed_val: the seed of a fresh torch.Generator()

Shape = Union[int, Sequence[int]]
DTypeLike = Union[np.dtype, type, str]

_N = 624  # mt19937 state words
_U32 = np.uint64(0xFFFFFFFF)
_F32, _F64 = np.float32, np.float64

# torch.get_rng_state() layout: CPUGeneratorImplState from aten/src/ATen/CPUGeneratorImpl.cpp. The
# legacy part stores the 32-bit mt19937 words widened to uint64 and the cached double normal sample.
_STATE_DTYPE = np.dtype({
    "names": ["initial_seed", "left", "seeded", "next", "state", "normal_x", "normal_y",
              "normal_rho", "normal_is_valid", "next_float_normal", "next_float_normal_valid"],
    "formats": ["<u8", "<i4", "<i4", "<u8", ("<u8", _N), "<f8", "<f8", "<f8", "<i4", "<f4", "u1"],
    "offsets": [0, 8, 12, 16, 24, 5016, 5024, 5032, 5040, 5048, 5052],
    "itemsize": 5056,
})


# =========================================== Generator ============================================


def _seed_to_uint64(seed: int) -> int:
    """Map a seed to torch's uint64: negative seeds wrap around (two's complement)."""
    if not -(1 << 63) <= seed < (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return seed & ((1 << 64) - 1)


class Generator:
    """A CPU random number generator with torch.Generator's API and stream."""

    device = "cpu"

    def __init__(self, device: str = "cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(f"engine only supports CPU generators, got device {device!r}")
        self._bits = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"<engine.random.Generator initial_seed={self._initial_seed}>"

    def manual_seed(self, seed: int) -> "Generator":
        """Seed like torch: init_genrand on the low 32 bits, and forget any cached normal sample."""
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = _seed_to_uint64(int(seed))
        key = np.random.RandomState(seed & 0xFFFFFFFF).get_state(legacy=True)[1]
        self._load(key, pos=_N)
        self._initial_seed = seed
        self._next_double_normal: Optional[float] = None
        self._next_float_normal: Optional[float] = None
        return self

    def seed(self) -> int:
        """Reseed from the OS entropy source (as torch reads /dev/urandom) and return the seed."""
        value = secrets.randbits(64)
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The uint64 seed last given to manual_seed/seed (or stored in a loaded state)."""
        return self._initial_seed

    def get_state(self) -> np.ndarray:
        """The generator state as 5056 uint8 bytes, byte-compatible with torch.get_rng_state()."""
        pos = self._bits.state["state"]["pos"]
        rec = np.zeros((), _STATE_DTYPE)
        rec["initial_seed"] = self._initial_seed
        rec["left"] = _N + 1 - pos  # torch decrements `left` before each draw and twists at 0
        rec["seeded"] = 1
        rec["next"] = 0 if self._fresh else pos  # right after seeding torch has next=0, not 624
        rec["state"] = self._bits.state["state"]["key"]
        if self._next_double_normal is not None:
            rec["normal_y"] = self._next_double_normal
            rec["normal_is_valid"] = 1
        if self._next_float_normal is not None:
            rec["next_float_normal"] = self._next_float_normal
            rec["next_float_normal_valid"] = 1
        return rec.reshape(1).view(np.uint8).copy()

    def set_state(self, new_state: np.ndarray) -> "Generator":
        """Restore a state from get_state() or from torch.get_rng_state() (as a uint8 array)."""
        raw = np.ascontiguousarray(new_state)
        if raw.dtype != np.uint8:
            raise TypeError("RNG state must be a uint8 array (torch.ByteTensor)")
        if raw.size != _STATE_DTYPE.itemsize:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_DTYPE.itemsize} "
                               f"but found the input RNG state size to be {raw.size}")
        rec = raw.reshape(-1).view(_STATE_DTYPE)[0]
        left, nxt = int(rec["left"]), int(rec["next"])
        if not (rec["seeded"] and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        if left != 1 and nxt + left != _N + 1:
            # torch itself never writes such a state; NumPy's MT19937 cannot represent it.
            raise RuntimeError("Unsupported mt19937 state: next + left must equal 625")
        self._load((rec["state"] & _U32).astype(np.uint32), pos=_N + 1 - left)
        self._fresh = left == 1 and nxt == 0
        self._initial_seed = int(rec["initial_seed"])
        self._next_double_normal = float(rec["normal_y"]) if rec["normal_is_valid"] else None
        self._next_float_normal = (float(rec["next_float_normal"])
                                   if rec["next_float_normal_valid"] else None)
        return self

    def _load(self, key: np.ndarray, pos: int) -> None:
        """Put an mt19937 key into the bit generator; pos=624 means 'twist before next draw'."""
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._fresh = pos == _N

    def next_uint32(self, n: int) -> np.ndarray:
        """The next n 32-bit words (torch's generator->random()), as uint64."""
        if n:
            self._fresh = False
        return self._bits.random_raw(n)

    def next_uint64(self, n: int) -> np.ndarray:
        """The next n 64-bit words (torch's random64(): first word high, second word low)."""
        w = self.next_uint32(2 * n).reshape(n, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]


default_generator = Generator()
default_generator.seed()  # torch seeds its default CPU generator from /dev/urandom at start-up


def manual_seed(seed: int) -> Generator:
    """torch.manual_seed: seed the default generator (int() is applied first, as torch does)."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """torch.seed: reseed the default generator nondeterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """torch.initial_seed: the default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    """torch.get_rng_state: the default generator's state as uint8 bytes."""
    return default_generator.get_state()


def set_rng_state(new_state: np.ndarray) -> None:
    """torch.set_rng_state: restore the default generator's state."""
    default_generator.set_state(new_state)


def _gen(generator: Optional[Generator]) -> Generator:
    """The generator to draw from: the default one, or a torch.Generator (the draws read its
    private state and trust the words its methods return: no other object may stand in)."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"argument 'generator' must be torch.Generator, not "
                        f"{type(generator).__name__}")
    kind = type(generator)
    if kind is not Generator and (kind.next_uint32 is not Generator.next_uint32 or
                                  kind.next_uint64 is not Generator.next_uint64):
        raise TypeError(f"{kind.__name__} redefines how a torch.Generator draws its words; "
                        "the engine's sampling reads them from the generator itself")
    return generator


def _shape(shape: Shape) -> tuple:
    return (int(shape),) if isinstance(shape, numbers.Integral) else tuple(int(s) for s in shape)


def _numel(shape: tuple) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _float_dtype(np_dtype: DTypeLike, what: str) -> np.dtype:
    dt = np.dtype(np_dtype)
    if dt not in (np.float16, np.float32, np.float64):
        raise RuntimeError(f"{what} is not implemented for dtype {dt} (float16/32/64 only)")
    return dt


def _to_dtype(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Cast like static_cast<scalar_t>: c10::Half is only constructible from float, so a double
    reaches float16 through float32 (two roundings, unlike NumPy's direct float64->float16)."""
    if dt == np.float16 and values.dtype != np.float16:
        values = values.astype(_F32)
    return values.astype(dt, copy=False)


def _scalar(value: float, dt: np.dtype) -> np.ndarray:
    """A Python number converted to dt the way ATen converts a Scalar (see _to_dtype)."""
    return _to_dtype(np.asarray(value, _F64), dt)


# =============================== words -> uniform floats, exact FMA ===============================


def _unit24(words: np.ndarray) -> np.ndarray:
    """uniform_real<float>: the low 24 bits of a word (float's digits) scaled into [0, 1)."""
    return (words & np.uint64(0xFFFFFF)).astype(_F32) * _F32(2.0 ** -24)


def _unit53(words64: np.ndarray) -> np.ndarray:
    """uniform_real<double>: the low 53 bits of a 64-bit word scaled into [0, 1)."""
    return (words64 & np.uint64((1 << 53) - 1)).astype(_F64) * 2.0 ** -53


def _two_sum(a, b):
    """Knuth's TwoSum: s = fl(a + b) and its exact error e, so that a + b == s + e."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    """Dekker's TwoProduct: p = fl(a * b) and its exact error e (a, b split into 26-bit halves)."""
    def split(x):
        t = 134217729.0 * x  # 2**27 + 1
        hi = t - (t - x)
        return hi, x - hi
    p = a * b
    (ah, al), (bh, bl) = split(a), split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _round_to_odd(s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Round s + e (s = fl(s + e)) to odd: keep s if exact or odd, else step one ulp toward e.
    A value rounded to odd with 2 spare bits rounds correctly to the narrower format later."""
    even_inexact = (e != 0) & ((s.view(np.uint64) & np.uint64(1)) == 0)
    return np.where(even_inexact, np.nextafter(s, np.copysign(np.inf, e)), s)


def _fma64(a, b, c) -> np.ndarray:
    """float64 a*b + c rounded once, as std::fma and GCC's contracted a*b+c compute it.
    Boldo & Melquiond's emulation: exact product, exact sum, round-to-odd, final rounding."""
    a, b, c = (np.asarray(v, _F64) for v in (a, b, c))
    if b.ndim == 0 and b == 1.0:  # the product is exact: one rounding already
        return a + c
    ph, pl = _two_prod(a, b)
    th, tl = _two_sum(c, ph)
    fused = th + _round_to_odd(*_two_sum(tl, pl))
    # An exact zero keeps the sign IEEE gives a*b + c (the error terms would turn -0 into +0).
    return np.where(fused == 0, ph + c, fused)


def _fma32(a, b, c) -> np.ndarray:
    """float32 a*b + c rounded once (vfmadd). The product of two floats is exact in float64, so
    float64 only rounds the sum; that second rounding can only go wrong when it lands exactly on
    a float32 midpoint (or in float32's subnormal range), and those rare elements are redone with
    round-to-odd."""
    if np.ndim(b) == 0 and b == 1:  # the product is exact: one rounding already
        return np.add(a, c, dtype=_F32)
    s = np.multiply(a, b, dtype=_F64)
    s += c
    fix = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    fix |= np.abs(s) < 2.0 ** -125
    if fix.any():
        idx = np.nonzero(fix)
        p = np.multiply(np.broadcast_to(a, s.shape)[idx], np.broadcast_to(b, s.shape)[idx],
                        dtype=_F64)
        s[idx] = _round_to_odd(*_two_sum(p, np.broadcast_to(c, s.shape)[idx].astype(_F64)))
    return s.astype(_F32)


# ============================================ uniform =============================================


def uniform(shape: Shape, np_dtype: DTypeLike = np.float32, low: float = 0.0, high: float = 1.0,
            generator: Optional[Generator] = None) -> np.ndarray:
    """torch.rand / rand_like / Tensor.uniform_(low, high).

    One word per element for float16/float32 (computed in float), one 64-bit word for float64.
    The kernel computes x * (to - from) + from, which GCC contracts into an FMA, then casts; a value
    that rounds up to `high` in the output dtype is replaced by `low`, as torch does."""
    shape, dt = _shape(shape), _float_dtype(np_dtype, "uniform_")
    info = np.finfo(dt)
    if not (info.min <= low <= info.max and info.min <= high <= info.max):
        raise RuntimeError(f"uniform_ expects from and to to be within the range of {dt}")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={low} "
                           f"> to={high}")
    if high - low > info.max:
        raise RuntimeError(f"uniform_ expects to-from <= max of {dt}, but found to={high} and "
                           f"from={low} which result in to-from to exceed the limit")
    n, gen = _numel(shape), _gen(generator)
    if dt == np.float64:
        x = _unit53(gen.next_uint64(n))
        values = _fma64(x, high - low, low)
    else:
        f, t = _F32(low), _F32(high)
        values = _fma32(_unit24(gen.next_uint32(n)), t - f, f)
    out = _to_dtype(values, dt)
    out[out == _scalar(high, dt)] = _scalar(low, dt)
    return out.reshape(shape)


# ============================================= normal =============================================


def _box_muller_pairs(gen: Generator, n: int) -> np.ndarray:
    """n raw normals from at::normal_distribution<double>, the path for < 16 elements.

    Each pair costs two 64-bit words (u1, u2) and gives r*cos(theta) now and r*sin(theta) for the
    next call; torch keeps that second value cached in the generator across calls."""
    out = []
    if n and gen._next_double_normal is not None:
        out.append(np.array([gen._next_double_normal]))
        gen._next_double_normal = None
        n -= 1
    pairs = (n + 1) // 2
    w = gen.next_uint64(2 * pairs).reshape(pairs, 2)
    u1, u2 = _unit53(w[:, 0]), _unit53(w[:, 1])
    r = np.sqrt(-2.0 * elementwise(math.log1p, -u2))
    theta = (2.0 * np.pi) * u1
    values = np.stack([r * elementwise(math.cos, theta), r * elementwise(math.sin, theta)],
                      axis=1).reshape(-1)
    if n % 2:
        gen._next_double_normal = float(values[-1])
        values = values[:-1]
    out.append(values)
    return np.concatenate(out)


def _avx2_log(x: np.ndarray) -> np.ndarray:
    """log256_ps from ATen's avx_mathfun.h (Cephes logf) for x in (0, 1], op for op, with the
    multiply-adds GCC fuses in torch's AVX2 build."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F32) + _F32(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # mantissa scaled into [0.5, 1)
    small = m < _F32(0.707106781186547524)
    tmp = m * small  # the C code masks with bitwise and; m > 0, so this is the same
    m = m - _F32(1)
    e = e - small
    m = m + tmp
    z = m * m
    y = _F32(7.0376836292e-2)
    for p in (-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
              -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1):
        y = _fma32(y, m, _F32(p))
    y = y * m
    y = _fma32(y, z, e * _F32(-2.12194440e-4))
    y = _fma32(z, _F32(-0.5), y)
    return _fma32(e, _F32(0.693359375), m + y)


def _flip_sign(x: np.ndarray, sign_bits: np.ndarray) -> np.ndarray:
    """XOR int32 sign_bits (0 or 1 << 31) into float32 x, as the AVX code does."""
    return (x.view(np.int32) ^ sign_bits).view(_F32)


def _avx2_sincos(x: np.ndarray):
    """sincos256_ps from ATen's avx_mathfun.h (Cephes sinf/cosf) for x >= 0, op for op, with the
    multiply-adds GCC fuses in torch's AVX2 build. Returns (sin, cos)."""
    j = (x * _F32(1.27323954473516)).astype(np.int32)  # octant of x: x * 4/pi, truncated
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = _fma32(y, _F32(dp), x)  # extended-precision reduction x - y*pi/4
    z = x * x
    yc = _fma32(_F32(2.443315711809948e-5), z, _F32(-1.388731625493765e-3))
    yc = _fma32(yc, z, _F32(4.166664568298827e-2))
    yc = _fma32(yc * z, z, -(z * _F32(0.5))) + _F32(1)
    ys = _fma32(_F32(-1.9515295891e-4), z, _F32(8.3321608736e-3))
    ys = _fma32(ys, z, _F32(-1.6666654611e-1))
    ys = _fma32(ys * z, x, x)
    # The C code selects with bitwise masks; yc > 0, so multiplying by the 0/1 mask is the same.
    use_sin_poly = (j & 2) == 0
    sin_from_s, sin_from_c = ys * use_sin_poly, yc * ~use_sin_poly
    sin = sin_from_c + sin_from_s
    cos = (yc - sin_from_c) + (ys - sin_from_s)
    return _flip_sign(sin, (j & 4) << 29), _flip_sign(cos, (~(j - 2) & 4) << 29)


_FILL_ROWS = 4096  # rows of 16 per pass: temporaries stay in cache instead of fresh pages


def _normal_fill16_float(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16<float> (AVX2): Box-Muller on rows of 16 uniforms, u1 = 1 - u[:8], u2 = u[8:]."""
    u = u.reshape(-1, 16)
    out = np.empty_like(u)
    for start in range(0, len(u), _FILL_ROWS):
        block = u[start:start + _FILL_ROWS]
        radius = np.sqrt(_F32(-2) * _avx2_log(_F32(1) - block[:, :8]))
        sin, cos = _avx2_sincos(_F32(2.0 * np.pi) * block[:, 8:])
        normals = np.concatenate([radius * cos, radius * sin], axis=1)
        out[start:start + _FILL_ROWS] = _fma32(normals, _F32(std), _F32(mean))
    return out.reshape(-1)


def _normal_fill16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """NormalFill16<double> (scalar std::log/cos/sin, i.e. glibc)."""
    u = u.reshape(-1, 16)
    radius = np.sqrt(-2.0 * elementwise(math.log, 1.0 - u[:, :8]))
    theta = (2.0 * np.pi) * u[:, 8:]
    out = np.concatenate([radius * elementwise(math.cos, theta),
                          radius * elementwise(math.sin, theta)], axis=1)
    return _fma64(out, std, mean).reshape(-1)


def _fill_uniforms(gen: Generator, k: int, dt: np.dtype) -> np.ndarray:
    """k uniforms of normal_fill's compute type: 53-bit doubles for float64, else 24-bit floats."""
    return _unit53(gen.next_uint64(k)) if dt == np.float64 else _unit24(gen.next_uint32(k))


def _normal_fill(gen: Generator, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
    """normal_fill for >= 16 contiguous elements: Box-Muller in blocks of 16 uniforms; when n is
    not a multiple of 16 the last 16 outputs are recomputed from 16 fresh uniforms.

    float/double draw all n uniforms first (so the leftover n % 16 are drawn and thrown away);
    float16 draws block by block, so it skips them."""
    full = n - n % 16
    fill = _normal_fill16_double if dt == np.float64 else _normal_fill16_float
    u = _fill_uniforms(gen, full if dt == np.float16 else n, dt)
    out = np.empty(n, _F64 if dt == np.float64 else _F32)
    out[:full] = fill(u[:full], mean, std)
    if n % 16:
        out[n - 16:] = fill(_fill_uniforms(gen, 16, dt), mean, std)
    return out


def normal(shape: Shape, np_dtype: DTypeLike = np.float32, mean: float = 0.0, std: float = 1.0,
           generator: Optional[Generator] = None) -> np.ndarray:
    """torch.randn / randn_like / Tensor.normal_(mean, std) / torch.normal(float, float, size).

    Fewer than 16 elements: scalar Box-Muller in double (sharing the generator's cached sample).
    16 or more: the vectorized normal_fill (see _normal_fill)."""
    shape, dt = _shape(shape), _float_dtype(np_dtype, "normal_")
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    n, gen = _numel(shape), _gen(generator)
    if n >= 16:
        values = _normal_fill(gen, n, dt, mean, std)
    else:
        values = _fma64(_box_muller_pairs(gen, n), std, mean)  # val * std + mean, contracted
    return _to_dtype(values, dt).reshape(shape)


def _inplace_op(out: np.ndarray, other: np.ndarray, op) -> np.ndarray:
    """out.op_(other) as a CPU TensorIterator computes it: in the promoted dtype, except that a
    zero-dim `other` acts as a scalar (no promotion of a dimensioned `out`, value cast straight
    to the compute type); float16 computes in float32. The result is cast back to out's dtype."""
    if other.ndim == 0 and out.ndim > 0:
        work = out.dtype
    else:
        work = np.promote_types(out.dtype, other.dtype)
    if work == np.float16:
        work = np.dtype(_F32)
    return _to_dtype(np.asarray(op(out.astype(work), other.astype(work))), out.dtype)


def normal_tensor(mean: Union[np.ndarray, float], std: Union[np.ndarray, float],
                  np_dtype: Optional[DTypeLike] = None,
                  generator: Optional[Generator] = None) -> np.ndarray:
    """torch.normal(Tensor, Tensor) / (Tensor, float) / (float, Tensor).

    torch first fills the output (mean's dtype and shape; std's for a float mean; the broadcast
    shape for two tensors) with normal_(0, std) or normal_(0, 1), then applies mul_(std) and
    add_(mean) as separate in-place ops. np_dtype overrides the output dtype."""
    mean_is_array, std_is_array = isinstance(mean, np.ndarray), isinstance(std, np.ndarray)
    if not (mean_is_array or std_is_array):
        raise TypeError("normal_tensor needs mean or std as an array; use normal() for floats")
    if std_is_array and std.size and not std.min() >= 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    like = mean if mean_is_array else std
    dt = _float_dtype(like.dtype if np_dtype is None else np_dtype, "normal")
    if mean_is_array and not std_is_array:
        out = normal(mean.shape, dt, 0.0, std, generator)
        return _inplace_op(out, mean, np.add)
    shape = np.broadcast_shapes(mean.shape, std.shape) if mean_is_array else std.shape
    out = _inplace_op(normal(shape, dt, 0.0, 1.0, generator), std, np.multiply)
    return _inplace_op(out, mean if mean_is_array else _scalar(mean, dt), np.add)


# =================================== integers: random_, randint ===================================

_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}
_INT_DTYPES = tuple(np.dtype(t) for t in (np.bool_, np.uint8, np.int8, np.int16, np.int32,
                                          np.int64, np.uint16, np.uint32, np.uint64))


def _as_float_dtype(value: int, dt: np.dtype) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(value)) for a floating scalar_t. A value that
    overflows (float16 beyond 65504) becomes INT64_MIN, as x86's cvttss2si makes it."""
    with np.errstate(over="ignore"):
        cast = float(_to_dtype(np.array([value], np.int64), dt)[0])
    return int(cast) if -2.0 ** 63 <= cast < 2.0 ** 63 else -(1 << 63)


def _update_from(low: int, dt: np.dtype) -> int:
    """Move `from` right until it survives the cast to dt (torch's update_from)."""
    from_plus_1 = _as_float_dtype(low + 1, dt)
    if from_plus_1 < low:
        n = abs(low + 1).bit_length() - 1
        low = from_plus_1 + (1 << (n - _DIGITS[dt] + 1))
    return low


def _update_to(high: int, dt: np.dtype) -> int:
    """Move `to` left until to-1 stays below `to` after the cast to dt (torch's update_to)."""
    to_minus_1 = _as_float_dtype(high - 1, dt)
    if to_minus_1 >= high:
        n = abs(high - 1).bit_length() - 1
        high = to_minus_1 - (1 << (n - _DIGITS[dt] + 1))
    return high


def _check_in_range(low: int, high_inc: int, dt: np.dtype) -> None:
    """torch's check_from_to_in_range for [low, high_inc], warning like torch when a float dtype
    cannot hold every integer of the range."""
    if dt.kind == "f":
        lo, hi = float(np.finfo(dt).min), float(np.finfo(dt).max)
        digits = _DIGITS[dt]
        for name, v in (("from", low), ("to - 1", high_inc)):
            if not -(1 << digits) <= v <= 1 << digits:
                caller_warning.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                                    f"precision limitations {dt} can support discrete uniform "
                                    f"distribution only within this range.")
    elif dt == np.uint64:
        lo, hi = 0, (1 << 63) - 1
    elif dt == np.bool_:
        lo, hi = 0, 1
    else:
        lo, hi = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
    for name, v in (("from", low), ("to - 1", high_inc)):
        if not lo <= v <= hi:
            raise RuntimeError(f"{name} is out of bounds for {dt}")


def _from_int64(values: np.ndarray, dt: np.dtype) -> np.ndarray:
    """static_cast<scalar_t>(int64_t): wraps for narrow ints, rounds for floats."""
    return values != 0 if dt == np.bool_ else _to_dtype(values, dt)


def _random_from_to(gen: Generator, n: int, span: int, low: int, dt: np.dtype) -> np.ndarray:
    """uniform_int_from_to_distribution: (word % span) + low, in uint64 arithmetic.
    Spans of 2**28 or more use a 64-bit word per element to keep the modulo skew small."""
    words = gen.next_uint64(n) if span >= 1 << 28 else gen.next_uint32(n)
    values = (words % np.uint64(span) + np.uint64(low & ((1 << 64) - 1))).view(np.int64)
    return _from_int64(values, dt)


def _random_bits(gen: Generator, n: int, dt: np.dtype) -> np.ndarray:
    """uniform_int_distribution (Tensor.random_() without bounds): [0, 2**digits] for floats
    (yes, inclusive), [0, max] for integers; 64-bit words only for int64 and float64."""
    if dt in (np.uint16, np.uint32, np.uint64):
        raise NotImplementedError(f'"random_kernel_cpu" not implemented for {dt}')
    words = gen.next_uint64(n) if dt in (np.int64, np.float64) else gen.next_uint32(n)
    if dt == np.bool_:
        return (words & np.uint64(1)).astype(bool)
    if dt.kind == "f":
        return _to_dtype(words % np.uint64((1 << _DIGITS[dt]) + 1), dt)
    return (words % np.uint64(int(np.iinfo(dt).max) + 1)).astype(dt)


def random_(shape: Shape, np_dtype: DTypeLike = np.int64, low: Optional[int] = None,
            high: Optional[int] = None, generator: Optional[Generator] = None) -> np.ndarray:
    """Tensor.random_ in all its forms.

    low=high=None: random_(); low and high: random_(low, high) = [low, high); only high:
    random_(high) = [0, high); only low: random_(low, None) = [low, max of the dtype], which for
    low = -2**63 becomes the full 64-bit range."""
    shape, dt = _shape(shape), np.dtype(np_dtype)
    if dt.kind != "f" and dt not in _INT_DTYPES:
        raise RuntimeError(f"random_ is not implemented for dtype {dt}")
    n, gen = _numel(shape), _gen(generator)
    if low is None and high is None:
        return _random_bits(gen, n, dt).reshape(shape)
    low = 0 if low is None else int(low)
    if high is not None:
        high = int(high)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        if dt.kind == "f":
            low, high = _update_from(low, dt), _update_to(high, dt)
            if low >= high:
                raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than 'to' "
                                   f"casted to dtype, but got from={low} >= to={high}")
        _check_in_range(low, high - 1, dt)
        return _random_from_to(gen, n, high - low, low, dt).reshape(shape)
    if low == -(1 << 63):
        if dt in (np.bool_, np.float16, np.uint16, np.uint32, np.uint64):
            raise NotImplementedError(
                f'"random_full_64_bits_range_kernel_cpu" not implemented for {dt}')
        if dt not in (np.int64, np.float64, np.float32):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, "
                               "float and bfloat16")
        return _from_int64(gen.next_uint64(n).view(np.int64), dt).reshape(shape)
    if dt.kind == "f":
        high_inc = 1 << _DIGITS[dt]
        low = _update_from(low, dt)
        if low >= high_inc:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={low} > "
                               f"to_inc={high_inc}")
    else:
        high_inc = 1 if dt == np.bool_ else int(np.iinfo(dt).max)
    _check_in_range(low, high_inc, dt)
    return _random_from_to(gen, n, high_inc - low + 1, low, dt).reshape(shape)


def randint(shape: Shape, low: int, high: int, np_dtype: DTypeLike = np.int64,
            generator: Optional[Generator] = None) -> np.ndarray:
    """torch.randint / randint_like: random_(low, high) on a fresh tensor."""
    return random_(shape, np_dtype, low, high, generator)


# ============================================ randperm ============================================


def randperm(n: int, np_dtype: DTypeLike = np.int64,
             generator: Optional[Generator] = None) -> np.ndarray:
    """torch.randperm: Fisher-Yates over arange(n) where step i swaps positions i and
    i + word_i % (n - i), one 32-bit word per step (n - 1 words in all)."""
    n, dt = int(n), np.dtype(np_dtype)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    if dt.kind == "f" and n > (1 << _DIGITS[dt]) + 1:
        raise RuntimeError(f"n cannot be greater than 2^{_DIGITS[dt]}+1 for {dt}")
    if dt.kind in "iu" and n > int(np.iinfo(dt).max) + 1:
        raise RuntimeError(f"n cannot be greater than {int(np.iinfo(dt).max) + 1} for {dt}")
    if n >= 0xFFFFFFFF // 20:
        raise NotImplementedError("randperm for n >= 214748364 (torch's random64 path)")
    if n == 0:
        return np.empty(0, dt)
    steps = np.arange(n - 1, dtype=np.int64)
    offsets = _gen(generator).next_uint32(n - 1) % (n - steps).astype(np.uint64)
    targets = steps + offsets.astype(np.int64)
    return _from_int64(_swap_sequence_result(targets), dt)


def _swap_sequence_result(targets: np.ndarray) -> np.ndarray:
    """arange(n) after swapping positions i and targets[i] (>= i) for i = 0, 1, ..., n - 2 in
    turn, computed without a sequential loop.

    Step i fixes position i for good: it receives the element then at targets[i]. That element is
    targets[i] itself unless an earlier step s wrote there (targets[s] == targets[i]); then it is
    what the last such s held at position s just before its swap, its "source". The source of
    step t is t unless an earlier step s wrote to position t (targets[s] == t), in which case it
    is the source of the last such s -- a chain of strictly decreasing steps, resolved for all
    steps at once by pointer jumping. (A step that targets itself becomes its own "writer"; no
    later step reads that source, so the shortcut is harmless.)"""
    n = len(targets) + 1
    target = np.append(targets, n - 1)  # a no-op last step makes position n - 1 uniform
    keys = np.sort(target * n + np.arange(n))  # steps grouped by target, in step order
    order, grouped = keys % n, keys // n
    same = grouped[1:] == grouped[:-1]
    prev_same = np.full(n, -1)  # last earlier step with the same target
    prev_same[order[1:][same]] = order[:-1][same]
    is_last = np.append(~same, True)
    last_step, position = order[is_last], grouped[is_last]
    writer = np.full(n, -1)  # last step that wrote to position t (as its target)
    writer[position] = last_step
    source = np.where(writer >= 0, writer, np.arange(n))
    while True:
        jumped = source[source]
        if np.array_equal(jumped, source):
            break
        source = jumped
    return np.where(prev_same >= 0, source[np.maximum(prev_same, 0)], target)


# =========================================== bernoulli ============================================


def bernoulli(p: Union[np.ndarray, float], shape: Optional[Shape] = None,
              np_dtype: Optional[DTypeLike] = None,
              generator: Optional[Generator] = None) -> np.ndarray:
    """torch.bernoulli(p_tensor) / Tensor.bernoulli_(p) / torch.bernoulli(x, p=float).

    A float p (also what nn.Dropout uses) draws one 64-bit word per element and tests the double
    uniform u < p. An array p is broadcast to `shape` (default p.shape) and compared in float64
    when p is float64, otherwise in float32 with one 32-bit word per element. The output dtype
    defaults to p's dtype (float32 for a float p)."""
    gen = _gen(generator)
    if isinstance(p, np.ndarray):
        if p.dtype.kind != "f":
            raise RuntimeError(f'"bernoulli_tensor_cpu_p_" not implemented for {p.dtype}')
        shape = p.shape if shape is None else _shape(shape)
        dt = np.dtype(p.dtype if np_dtype is None else np_dtype)
        probs = np.broadcast_to(p, shape).reshape(-1)
        if not np.all((probs >= 0) & (probs <= 1)):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                               "(Could this error message be improved?  If so, please report "
                               "an enhancement request to PyTorch.)")    # torch's own words
        n = probs.size
        if p.dtype == np.float64:
            hits = _unit53(gen.next_uint64(n)) < probs
        else:
            hits = _unit24(gen.next_uint32(n)) < probs.astype(_F32)
    else:
        p = float(p)
        if not 0.0 <= p <= 1.0:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
        shape = _shape(() if shape is None else shape)
        dt = np.dtype(np.float32 if np_dtype is None else np_dtype)
        hits = _unit53(gen.next_uint64(_numel(shape))) < p
    return hits.astype(dt).reshape(shape)


# ==================================== exponential, multinomial ====================================


def exponential(shape: Shape, np_dtype: DTypeLike = np.float32, lambd: float = 1.0,
                generator: Optional[Generator] = None) -> np.ndarray:
    """Tensor.exponential_(lambd): -1/lambd * log1p(-u) in double, one 64-bit word per element."""
    shape, dt = _shape(shape), _float_dtype(np_dtype, "exponential_")
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    u = _unit53(_gen(generator).next_uint64(_numel(shape)))
    return _to_dtype((-1.0 / lambd) * elementwise(math.log1p, -u), dt).reshape(shape)


def multinomial(probs: np.ndarray, num_samples: int, replacement: bool = False,
                generator: Optional[Generator] = None) -> np.ndarray:
    """torch.multinomial for a 1-D or 2-D probability array; returns int64 indices.

    Without replacement, or for a single sample, torch draws q ~ Exp(1) like probs and takes the
    top num_samples of probs / q (argmax when num_samples == 1). Otherwise each row gets
    num_samples double uniforms, located by binary search in the row's normalized cumulative sum
    (accumulated in the row's dtype, float for float16)."""
    probs = np.asarray(probs)
    if probs.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input")
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_categories = probs.shape[-1]
    if not replacement and num_samples > n_categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if n_categories > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = probs.reshape(-1, n_categories)
    if not (np.all(rows >= 0) and np.all(np.isfinite(rows))):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(axis=1, dtype=_F64) == 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _gen(generator)
    if not replacement or num_samples == 1:
        with np.errstate(divide="ignore"):  # q == 0 has probability 2**-53
            keys = rows / exponential(rows.shape, rows.dtype, 1.0, gen)
        result = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]  # argmax / topk
    else:
        work = _F32 if rows.dtype == np.float16 else rows.dtype
        cum = np.cumsum(rows.astype(work), axis=1, dtype=work)
        cum /= cum[:, -1:]
        cum[:, -1] = 1
        u = _unit53(gen.next_uint64(rows.shape[0] * num_samples)).reshape(rows.shape[0], -1)
        result = np.stack([np.searchsorted(c.astype(_F64), r, side="left")
                           for c, r in zip(cum, u)])
    return result.astype(np.int64).reshape(probs.shape[:-1] + (num_samples,))

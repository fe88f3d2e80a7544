"""NumPy ndarray basics (creation, attributes, reshape/resize, indexing, math functions) as the warm-up before tensors.
Source: 000_3d20c0090dd74e97.txt, section "1、NumPy基礎" (creating ndarrays, np.arange, np.eye, one-hot, ndarray attributes, reshape/resize, indexing, math functions)."""
import numpy as np

# Creating arrays from Python data and with helper functions.
a = np.array([1, 2])
b = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
print(a, a.dtype)
print(b, b.dtype)
print(np.array([[[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]],
                [[3, 3, 3, 3], [4, 4, 4, 4], [5, 5, 5, 5]]]).shape)
print(np.zeros((3, 2)))
print(np.ones((3, 2)))
print(np.full((3, 2), 7))
rng = np.random.default_rng(0)
r = rng.random((3, 2))  # values in [0, 1)
print("random", r.shape, bool(((r >= 0) & (r < 1)).all()))
e = np.empty((3, 2))  # uninitialised: only the shape is meaningful
print("empty", e.shape, e.dtype)

# arange(start, stop, step): stop is excluded.
print(np.arange(3))
print(np.arange(3, dtype=np.int32))
print(np.arange(3, 9, 3))
print(np.arange(3, 10, 3))

# eye(N, M, k) and the one-hot trick np.eye(num_class)[labels].
print(np.eye(3))
print(np.eye(3, 2))
print(np.eye(3, 5, k=1))
print(np.eye(3)[[0, 1, 0, 2]])

# Attributes: ndim, shape, size, dtype, itemsize for scalar/vector/matrix/3-D.
for arr in [np.array(1.0), np.ones(3), np.ones((2, 3)), np.ones((2, 3, 4))]:
    print(arr.ndim, arr.shape, arr.size, arr.dtype, arr.itemsize)

# reshape keeps the data; np.resize repeats data, ndarray.resize pads with zeros.
m = np.arange(4).reshape((2, 2))
print(m)
print(np.reshape(m, (4, 1)))
v = np.arange(4)
print(np.resize(v, (3, 2)))
# v.resize((3, 2)) would pad in place; Autograd Explorer refuses ndarray.resize (it frees
# memory that views of v may still use), so the same result is built as a new array:
v = np.concatenate([v, np.zeros(2, dtype=v.dtype)]).reshape((3, 2))
print(v)

# Indexing: negative indices count from the end; integer-array indexing.
d = np.arange(8)
print(d[np.array([2, -2])])
d2 = d.reshape((4, 2))
print(d2)
print(d2[2, 1])

# A few element-wise math functions from the table.
x = np.array([0.0, 0.5, 1.0])
print(np.round(np.sin(x), 4), np.round(np.cos(x), 4), np.round(np.exp(x), 4))
print(np.round(np.array([-1.5, -0.4, 0.6, 2.5])), np.floor([-1.5, 0.6]), np.ceil([-1.5, 0.6]))
print(np.sum(d2, axis=0), np.diff(np.array([1, 4, 9, 16])))
print(np.sqrt([4.0, 9.0]), np.square([2, 3]), np.maximum([1, 5], [3, 2]), np.minimum([1, 5], [3, 2]))
print(np.clip(np.arange(6), 1, 4), np.add(1, 2), np.subtract(5, 3), np.multiply(2, 4), np.divide(7, 2))

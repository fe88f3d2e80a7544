"""Classic mistake: feeding float64 (NumPy default) or integer data to a float32 model, or float class labels to cross-entropy.
Source: 001_30bebaa1fd302eaa.txt section "(1)数据类型" (model and data with different dtypes raise errors); 002_f9db4d486eb61ab7.txt section "损失函数" (target must be long: torch.Tensor([2]).long())."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(3, 2)
data = torch.from_numpy(np.array([[1.0, 2.0, 3.0]]))   # float64
print(data.dtype, model.weight.dtype)
try:
    model(data)
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
try:
    model(torch.tensor([[1, 2, 3]]))
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(model(data.float()).dtype)

logits = torch.tensor([[0.1, 0.3, 0.6]])
try:
    F.cross_entropy(logits, torch.tensor([2.0]))
except RuntimeError as e:
    print(type(e).__name__, str(e).splitlines()[0])
print(F.cross_entropy(logits, torch.tensor([2.0]).long()))

# Alternative fix: convert the model instead of the data.
model64 = nn.Linear(3, 2).double()
print(model64(data).dtype)

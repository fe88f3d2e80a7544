"""How torch 2.13 binds the functions and methods the engine publishes: the signatures of
those with several (the ones torch shows; a call missing an argument fits one of them or
is "an invalid combination of arguments"), and which torch writes in Python (Python's own
binding errors, no NumPy names). Written by `python tests/test_diff_missing_arguments.py`,
which also checks it against torch."""
# flake8: noqa: E501
FUNCTION_OVERLOADS = {
    "add": (
        "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
    ),
    "addcdiv": (
        "(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, Tensor out = None)",
    ),
    "addcmul": (
        "(Tensor input, Tensor tensor1, Tensor tensor2, *, Number value = 1, Tensor out = None)",
    ),
    "addmm": (
        "(Tensor input, Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1, Tensor out = None)",
        "(Tensor input, Tensor mat1, Tensor mat2, torch.dtype out_dtype, *, Number beta = 1, Number alpha = 1, Tensor out = None)",
    ),
    "all": (
        "(Tensor input, *, Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)",
        "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)",
    ),
    "any": (
        "(Tensor input, *, Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)",
        "(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)",
    ),
    "arange": (
        "(Number end, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Number start, Number end, *, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Number start, Number end, Number step = 1, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "argsort": (
        "(Tensor input, *, bool stable, int dim = -1, bool descending = False, Tensor out = None)",
        "(Tensor input, int dim = -1, bool descending = False)",
    ),
    "bernoulli": (
        "(Tensor input, *, torch.Generator generator = None, Tensor out = None)",
        "(Tensor input, float p, *, torch.Generator generator = None)",
    ),
    "bitwise_and": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "bitwise_left_shift": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "bitwise_or": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "bitwise_right_shift": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "bitwise_xor": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "bmm": (
        "(Tensor input, Tensor mat2, *, Tensor out = None)",
        "(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)",
    ),
    "clamp": (
        "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
        "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)",
    ),
    "clamp_": (
        "(Tensor input, Tensor min = None, Tensor max = None)",
        "(Tensor input, Number min = None, Number max = None)",
    ),
    "clamp_max": (
        "(Tensor input, Tensor max, *, Tensor out = None)",
        "(Tensor input, Number max, *, Tensor out = None)",
    ),
    "clamp_max_": (
        "(Tensor input, Tensor max)",
        "(Tensor input, Number max)",
    ),
    "clamp_min": (
        "(Tensor input, Tensor min, *, Tensor out = None)",
        "(Tensor input, Number min, *, Tensor out = None)",
    ),
    "clamp_min_": (
        "(Tensor input, Tensor min)",
        "(Tensor input, Number min)",
    ),
    "clip": (
        "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
        "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)",
    ),
    "clip_": (
        "(Tensor input, Tensor min = None, Tensor max = None)",
        "(Tensor input, Number min = None, Number max = None)",
    ),
    "count_nonzero": (
        "(Tensor input, int dim = None)",
        "(Tensor input, tuple of ints dim)",
    ),
    "div": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)",
        "(Tensor input, Number other, *, str rounding_mode)",
    ),
    "divide": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)",
        "(Tensor input, Number other)",
        "(Tensor input, Number other, *, str rounding_mode)",
    ),
    "eq": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "eye": (
        "(int n, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(int n, int m, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "float_power": (
        "(Tensor input, Tensor exponent, *, Tensor out = None)",
        "(Number self, Tensor exponent, *, Tensor out = None)",
        "(Tensor input, Number exponent, *, Tensor out = None)",
    ),
    "floor_divide": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other)",
    ),
    "fmod": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "ge": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "greater": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "greater_equal": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "gt": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "le": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "lerp": (
        "(Tensor input, Tensor end, Tensor weight, *, Tensor out = None)",
        "(Tensor input, Tensor end, Number weight, *, Tensor out = None)",
    ),
    "less": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "less_equal": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "linspace": (
        "(Tensor start, Tensor end, int steps, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Number start, Tensor end, int steps, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor start, Number end, int steps, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Number start, Number end, int steps, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "logspace": (
        "(Tensor start, Tensor end, int steps, float base = 10.0, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Number start, Tensor end, int steps, float base = 10.0, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor start, Number end, int steps, float base = 10.0, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Number start, Number end, int steps, float base = 10.0, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "lt": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "masked_fill": (
        "(Tensor input, Tensor mask, Tensor value)",
        "(Tensor input, Tensor mask, Number value)",
    ),
    "max": (
        "(Tensor input, *, Tensor out = None)",
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
    ),
    "mean": (
        "(Tensor input, *, torch.dtype dtype = None, Tensor out = None)",
        "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)",
    ),
    "median": (
        "(Tensor input)",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
    ),
    "min": (
        "(Tensor input, *, Tensor out = None)",
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
    ),
    "mm": (
        "(Tensor input, Tensor mat2, *, Tensor out = None)",
        "(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)",
    ),
    "moveaxis": (
        "(Tensor input, int source, int destination)",
        "(Tensor input, tuple of ints source, tuple of ints destination)",
    ),
    "movedim": (
        "(Tensor input, int source, int destination)",
        "(Tensor input, tuple of ints source, tuple of ints destination)",
    ),
    "multiply": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other)",
    ),
    "nanmedian": (
        "(Tensor input)",
        "(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)",
    ),
    "narrow": (
        "(Tensor input, int dim, Tensor start, int length)",
        "(Tensor input, int dim, int start, int length)",
    ),
    "ne": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "normal": (
        "(Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)",
        "(Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)",
        "(float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)",
        "(float mean, float std, tuple of ints size, *, torch.Generator generator = None, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "not_equal": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "pow": (
        "(Tensor input, Tensor exponent, *, Tensor out = None)",
        "(Number self, Tensor exponent, *, Tensor out = None)",
        "(Tensor input, Number exponent, *, Tensor out = None)",
    ),
    "prod": (
        "(Tensor input, *, torch.dtype dtype = None)",
        "(Tensor input, int dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)",
    ),
    "rand": (
        "(tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "rand_like": (
        "(Tensor input, *, torch.Generator generator, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, *, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "randint": (
        "(int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(int high, tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(int low, int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(int low, int high, tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "randint_like": (
        "(Tensor input, int low, int high, *, torch.Generator generator, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, int low, int high, *, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, Tensor high, *, torch.Generator generator, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, Tensor high, *, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, int high, *, torch.Generator generator, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, int high, *, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "randn": (
        "(tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "randn_like": (
        "(Tensor input, *, torch.Generator generator, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(Tensor input, *, torch.memory_format memory_format = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "randperm": (
        "(int n, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
        "(int n, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    ),
    "remainder": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "repeat_interleave": (
        "(Tensor input, Tensor repeats, int dim = None, *, int output_size = None)",
        "(Tensor repeats, *, int output_size = None)",
        "(Tensor input, int repeats, int dim = None, *, int output_size = None)",
    ),
    "round": (
        "(Tensor input, *, Tensor out = None)",
        "(Tensor input, *, int decimals, Tensor out = None)",
    ),
    "round_": (
        "(Tensor input)",
        "(Tensor input, *, int decimals)",
    ),
    "rsub": (
        "(Tensor input, Tensor other, *, Number alpha = 1)",
        "(Tensor input, Number other, Number alpha = 1)",
    ),
    "scatter": (
        "(Tensor input, int dim, Tensor index, Tensor src, *, Tensor out = None)",
        "(Tensor input, int dim, Tensor index, Tensor src, *, str reduce, Tensor out = None)",
        "(Tensor input, int dim, Tensor index, Number value, *, Tensor out = None)",
        "(Tensor input, int dim, Tensor index, Number value, *, str reduce, Tensor out = None)",
    ),
    "sort": (
        "(Tensor input, *, bool stable, int dim = -1, bool descending = False, tuple of Tensors out = None)",
        "(Tensor input, int dim = -1, bool descending = False, *, tuple of Tensors out = None)",
    ),
    "squeeze": (
        "(Tensor input)",
        "(Tensor input, int dim)",
        "(Tensor input, tuple of ints dim)",
    ),
    "std": (
        "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False, Tensor out = None)",
        "(Tensor input, bool unbiased = True)",
    ),
    "std_mean": (
        "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False)",
        "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
        "(Tensor input, bool unbiased = True)",
    ),
    "sub": (
        "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
    ),
    "subtract": (
        "(Tensor input, Tensor other, *, Number alpha = 1, Tensor out = None)",
        "(Tensor input, Number other, Number alpha = 1)",
    ),
    "sum": (
        "(Tensor input, *, torch.dtype dtype = None)",
        "(Tensor input, tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None, Tensor out = None)",
    ),
    "tensor_split": (
        "(Tensor input, tuple of ints indices, int dim = 0)",
        "(Tensor input, Tensor tensor_indices_or_sections, int dim = 0)",
        "(Tensor input, int sections, int dim = 0)",
    ),
    "true_divide": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other)",
    ),
    "var": (
        "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, Tensor out = None)",
        "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False, Tensor out = None)",
        "(Tensor input, bool unbiased = True)",
    ),
    "var_mean": (
        "(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False)",
        "(Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False)",
        "(Tensor input, bool unbiased = True)",
    ),
    "where": (
        "(Tensor condition)",
        "(Tensor condition, Tensor input, Tensor other, *, Tensor out = None)",
        "(Tensor condition, Number self, Tensor other)",
        "(Tensor condition, Tensor input, Number other)",
        "(Tensor condition, Number self, Number other)",
    ),
    "xlogy": (
        "(Tensor input, Tensor other, *, Tensor out = None)",
        "(Number self, Tensor other, *, Tensor out = None)",
        "(Tensor input, Number other, *, Tensor out = None)",
    ),
    "xlogy_": (
        "(Tensor input, Tensor other)",
        "(Tensor input, Number other)",
    ),
}

METHOD_OVERLOADS = {
    "add": (
        "(Tensor other, *, Number alpha = 1)",
    ),
    "add_": (
        "(Tensor other, *, Number alpha = 1)",
    ),
    "addcdiv": (
        "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
    ),
    "addcdiv_": (
        "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
    ),
    "addcmul": (
        "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
    ),
    "addcmul_": (
        "(Tensor tensor1, Tensor tensor2, *, Number value = 1)",
    ),
    "addmm": (
        "(Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1)",
    ),
    "addmm_": (
        "(Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1)",
    ),
    "bitwise_and": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_and_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_left_shift": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_left_shift_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_or": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_or_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_right_shift": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_right_shift_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_xor": (
        "(Tensor other)",
        "(Number other)",
    ),
    "bitwise_xor_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "clamp_max": (
        "(Tensor max)",
        "(Number max)",
    ),
    "clamp_max_": (
        "(Tensor max)",
        "(Number max)",
    ),
    "clamp_min": (
        "(Tensor min)",
        "(Number min)",
    ),
    "clamp_min_": (
        "(Tensor min)",
        "(Number min)",
    ),
    "copy_": (
        "(Tensor other, bool non_blocking = False)",
    ),
    "div": (
        "(Tensor other)",
        "(Tensor other, *, str rounding_mode)",
        "(Number other, *, str rounding_mode)",
    ),
    "div_": (
        "(Tensor other)",
        "(Tensor other, *, str rounding_mode)",
        "(Number other, *, str rounding_mode)",
    ),
    "divide": (
        "(Tensor other)",
        "(Tensor other, *, str rounding_mode)",
        "(Number other)",
        "(Number other, *, str rounding_mode)",
    ),
    "divide_": (
        "(Tensor other)",
        "(Tensor other, *, str rounding_mode)",
        "(Number other)",
        "(Number other, *, str rounding_mode)",
    ),
    "eq": (
        "(Tensor other)",
        "(Number other)",
    ),
    "eq_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "fill_": (
        "(Tensor value)",
        "(Number value)",
    ),
    "float_power": (
        "(Tensor exponent)",
        "(Number exponent)",
    ),
    "floor_divide": (
        "(Tensor other)",
        "(Number other)",
    ),
    "floor_divide_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "fmod": (
        "(Tensor other)",
        "(Number other)",
    ),
    "fmod_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "ge": (
        "(Tensor other)",
        "(Number other)",
    ),
    "ge_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "greater": (
        "(Tensor other)",
        "(Number other)",
    ),
    "greater_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "greater_equal": (
        "(Tensor other)",
        "(Number other)",
    ),
    "greater_equal_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "gt": (
        "(Tensor other)",
        "(Number other)",
    ),
    "gt_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "le": (
        "(Tensor other)",
        "(Number other)",
    ),
    "le_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "lerp": (
        "(Tensor end, Tensor weight)",
        "(Tensor end, Number weight)",
    ),
    "lerp_": (
        "(Tensor end, Tensor weight)",
        "(Tensor end, Number weight)",
    ),
    "less": (
        "(Tensor other)",
        "(Number other)",
    ),
    "less_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "less_equal": (
        "(Tensor other)",
        "(Number other)",
    ),
    "less_equal_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "lt": (
        "(Tensor other)",
        "(Number other)",
    ),
    "lt_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "masked_fill": (
        "(Tensor mask, Tensor value)",
        "(Tensor mask, Number value)",
    ),
    "masked_fill_": (
        "(Tensor mask, Tensor value)",
        "(Tensor mask, Number value)",
    ),
    "moveaxis": (
        "(int source, int destination)",
        "(tuple of ints source, tuple of ints destination)",
    ),
    "movedim": (
        "(int source, int destination)",
        "(tuple of ints source, tuple of ints destination)",
    ),
    "multiply": (
        "(Tensor other)",
        "(Number other)",
    ),
    "multiply_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "narrow": (
        "(int dim, Tensor start, int length)",
        "(int dim, int start, int length)",
    ),
    "ne": (
        "(Tensor other)",
        "(Number other)",
    ),
    "ne_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "not_equal": (
        "(Tensor other)",
        "(Number other)",
    ),
    "not_equal_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "pow": (
        "(Tensor exponent)",
        "(Number exponent)",
    ),
    "pow_": (
        "(Tensor exponent)",
        "(Number exponent)",
    ),
    "remainder": (
        "(Tensor other)",
        "(Number other)",
    ),
    "remainder_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "repeat_interleave": (
        "(Tensor repeats, int dim = None, *, int output_size = None)",
        "(int repeats, int dim = None, *, int output_size = None)",
    ),
    "scatter": (
        "(int dim, Tensor index, Tensor src)",
        "(int dim, Tensor index, Tensor src, *, str reduce)",
        "(int dim, Tensor index, Number value)",
        "(int dim, Tensor index, Number value, *, str reduce)",
    ),
    "scatter_": (
        "(int dim, Tensor index, Tensor src)",
        "(int dim, Tensor index, Tensor src, *, str reduce)",
        "(int dim, Tensor index, Number value)",
        "(int dim, Tensor index, Number value, *, str reduce)",
    ),
    "sub": (
        "(Tensor other, *, Number alpha = 1)",
    ),
    "sub_": (
        "(Tensor other, *, Number alpha = 1)",
    ),
    "subtract": (
        "(Tensor other, *, Number alpha = 1)",
        "(Number other, Number alpha = 1)",
    ),
    "subtract_": (
        "(Tensor other, *, Number alpha = 1)",
        "(Number other, Number alpha = 1)",
    ),
    "tensor_split": (
        "(tuple of ints indices, int dim = 0)",
        "(Tensor tensor_indices_or_sections, int dim = 0)",
        "(int sections, int dim = 0)",
    ),
    "true_divide": (
        "(Tensor other)",
        "(Number other)",
    ),
    "true_divide_": (
        "(Tensor other)",
        "(Number other)",
    ),
    "view": (
        "(torch.dtype dtype)",
        "(tuple of ints size)",
    ),
    "where": (
        "(Tensor condition, Tensor other)",
        "(Tensor condition, Number other)",
    ),
    "xlogy": (
        "(Tensor other)",
        "(Number other)",
    ),
    "xlogy_": (
        "(Tensor other)",
        "(Number other)",
    ),
}

FUNCTIONS_IN_PYTHON = frozenset({
    "broadcast_shapes",
    "broadcast_tensors",
    "cdist",
    "einsum",
    "meshgrid",
    "norm",
    "split",
    "unique",
})

METHODS_IN_PYTHON = frozenset({
    "norm",
    "split",
    "unflatten",
    "unique",
})

"""The array engine: a numpy array that counts the arithmetic each numpy call performs.

``track(a)`` returns a ``Tracked`` view of ``a``. Every ufunc and array function called on
it works out its operation count from the real shapes at run time (the rules below, one
place per rule), records it, then lets numpy do the work on the plain arrays. Calls
without a rule still run and are listed in ``Counts.uncounted``.

Object arrays of ``Scalar`` (the scalar engine) use the same class: there each element
counts its own operations, so the array only adds the multiply-accumulate tally of
matrix products.

Longer than the other modules on purpose: every counting rule of the array engine lives
here, in one file, so that a reader finds each rule by name in one place.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from . import counting
from .counting import BYTES, MACS, record, record_uncounted

# -- elementwise ufuncs: the kind of one application -------------------------------
UFUNC_KINDS: dict[str, str] = {
    "add": "add", "subtract": "add", "negative": "add",
    "multiply": "mul", "square": "mul",
    "divide": "div", "true_divide": "div", "reciprocal": "div", "floor_divide": "div",
    "maximum": "max", "minimum": "max", "fmax": "max", "fmin": "max",
    "greater": "max", "greater_equal": "max", "less": "max", "less_equal": "max",
    "equal": "max", "not_equal": "max",
    "exp": "exp", "exp2": "exp2", "expm1": "expm1", "log": "log", "log2": "log2",
    "log10": "log10", "log1p": "log1p", "tanh": "tanh", "sqrt": "sqrt", "power": "pow",
    "float_power": "pow", "absolute": "abs", "fabs": "abs", "sin": "sin", "cos": "cos",
    "floor": "floor", "ceil": "ceil", "rint": "round", "sign": "sign",
}  # fmt: skip
#: the same table keyed by the ufunc object, for the hot path
_KIND_OF = {getattr(np, name): kind for name, kind in UFUNC_KINDS.items() if hasattr(np, name)}
#: ufuncs that only move or relabel data: they cost nothing.
FREE_UFUNCS = frozenset({"positive", "conjugate", "logical_not", "isnan", "isinf", "isfinite"})
#: ``clip(x, lo, hi)`` makes two comparisons per element.
CLIP_COMPARISONS = 2

# -- array functions that only move data (cost 0) ------------------------------------
FREE_FUNCTIONS = frozenset(
    """reshape ravel transpose swapaxes moveaxis rollaxis expand_dims squeeze
    concatenate stack vstack hstack dstack column_stack block split array_split
    atleast_1d atleast_2d atleast_3d broadcast_to broadcast_arrays copy copyto
    zeros_like ones_like empty_like full_like shape ndim size result_type can_cast
    may_share_memory shares_memory take take_along_axis put repeat tile flip fliplr
    flipud roll diagonal where nonzero argwhere flatnonzero pad asarray asanyarray
    array ascontiguousarray iscomplexobj isrealobj real imag diag""".split()
)
#: reductions: (kind of each step, extra division per output for the mean)
REDUCTIONS = {
    "sum": ("add", False), "mean": ("add", True), "prod": ("mul", False),
    "max": ("max", False), "amax": ("max", False), "min": ("max", False),
    "amin": ("max", False), "argmax": ("max", False), "argmin": ("max", False),
}  # fmt: skip


ndarray = np.ndarray


class Tracked(np.ndarray):
    """A numpy array whose arithmetic is counted by ``mlpops.count()``."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any):
        # the hot path: every numpy call on a tracked array passes here
        args = [x.view(ndarray) if type(x) is Tracked else x for x in inputs]
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(o.view(ndarray) if type(o) is Tracked else o for o in out)
        try:
            result = getattr(ufunc, method)(*args, **kwargs)
        except ValueError as e:
            raise _with_shapes(e, ufunc.__name__, args) from None
        if ufunc in _SELECTING and type(result) is ndarray and result.dtype.kind == "O":
            result = _as_scalars(result)
        state = counting._state.get()
        if state.sinks:
            kind = _KIND_OF.get(ufunc)
            n = -1  # the fast paths below set n; anything unusual takes the general rules
            if kind and not state.tracing:
                if method == "__call__" and (not kwargs or len(kwargs) == 1 and out is not None):
                    n = np.size(result[0] if type(result) is tuple else result)
                elif method == "reduce" and "initial" not in kwargs and "out" not in kwargs:
                    if kwargs.get("where", True) is True:  # k terms per output: k - 1 steps
                        n = max(args[0].size - np.size(result), 0)
            if n < 0:
                _count_ufunc(ufunc, method, args, kwargs, result)
            elif not _has_objects(args):  # (Scalars count themselves)
                moved = _traffic(args, kwargs["out"] if out is not None else result)
                for sink in state.sinks:
                    sink[kind] = sink.get(kind, 0) + n
                    sink[BYTES] = sink.get(BYTES, 0) + moved
        if out is not None:
            return out[0] if len(out) == 1 else out
        if type(result) is ndarray:
            return result.view(Tracked)
        return _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any):
        name = func.__name__
        plain_args = _plain_tree(args)
        plain_kwargs = _plain_tree(kwargs) if kwargs else kwargs
        if name == "einsum" and _is_object(plain_args):
            result = _einsum_by_reduction(*plain_args, **plain_kwargs)
        else:
            try:
                result = func(*plain_args, **plain_kwargs)
            except ValueError as e:
                raise _with_shapes(e, name, list(_leaves(plain_args))) from None
        if name in ("where", "clip") and type(result) is ndarray and result.dtype.kind == "O":
            result = _as_scalars(result)
        if counting._state.get().sinks:
            _count_function(name, plain_args, plain_kwargs, result, func)
        return _wrap_tree(result)

    # ndarray methods that do arithmetic in C without asking numpy's dispatch: route
    # them through the numpy functions so they are counted like np.dot(a, b).
    def dot(self, b, out=None):  # noqa: D102
        return np.dot(self, b, out=out)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):  # noqa: D102
        if counting.tracing():
            return np.mean(self, axis, dtype, out, keepdims, **kwargs)  # the general rules
        plain = self.view(ndarray)
        result = plain.mean(axis, dtype, out, keepdims, **kwargs)
        state = counting._state.get()
        if state.sinks and plain.dtype.kind != "O":
            outputs = np.size(result)  # a sum of k terms (k - 1 adds) and a division each
            moved = plain.nbytes + _nbytes(result if out is None else out)
            for sink in state.sinks:
                sink["add"] = sink.get("add", 0) + max(plain.size - outputs, 0)
                sink["div"] = sink.get("div", 0) + outputs
                sink[BYTES] = sink.get(BYTES, 0) + moved
        return _wrap(result) if out is None else out

    # copies that materialise move their bytes (no arithmetic): read once, written once
    def copy(self, order="C"):  # noqa: D102
        return _moved(self, ndarray.copy(self.view(ndarray), order))

    def flatten(self, order="C"):  # noqa: D102
        return _moved(self, ndarray.flatten(self.view(ndarray), order))

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):  # noqa: D102
        plain = self.view(ndarray)
        result = plain.astype(dtype, order, casting, subok, copy)
        if result is plain:  # copy=False and nothing to convert: the same data
            return self
        return _moved(self, result)

    def argmax(self, *args, **kwargs):  # noqa: D102
        return np.argmax(self, *args, **kwargs)

    def argmin(self, *args, **kwargs):  # noqa: D102
        return np.argmin(self, *args, **kwargs)

    def cumsum(self, *args, **kwargs):  # noqa: D102
        return np.cumsum(self, *args, **kwargs)

    def cumprod(self, *args, **kwargs):  # noqa: D102
        return np.cumprod(self, *args, **kwargs)

    def trace(self, *args, **kwargs):  # noqa: D102
        return np.trace(self, *args, **kwargs)

    def var(self, *args, **kwargs):  # noqa: D102
        return np.var(self, *args, **kwargs)

    def std(self, *args, **kwargs):  # noqa: D102
        return np.std(self, *args, **kwargs)

    def __repr__(self) -> str:
        return "tracked(" + repr(self.view(np.ndarray))[6:]

    def __reduce__(self):
        return (track, (self.view(np.ndarray),))


# Python's operators (a + b, a @ b, -a, a > b, a += b ...) on a Tracked array go straight
# to the ufunc here, skipping numpy's generic override dispatch: on small arrays that
# dispatch costs twice the arithmetic itself. Anything unusual takes the generic path.
_FAST_OPERANDS = (ndarray, float, int, bool, np.generic)


def _operator(ufunc: np.ufunc, reflected: bool = False, inplace: bool = False) -> Any:
    kind = _KIND_OF.get(ufunc)
    matmul = ufunc is np.matmul
    generic = getattr(
        ndarray, f"__{'i' if inplace else 'r' if reflected else ''}{_DUNDER[ufunc]}__"
    )

    def method(self: Tracked, other: Any) -> Any:
        if type(other) is Tracked:
            o = other.view(ndarray)
        elif isinstance(other, _FAST_OPERANDS) and not isinstance(other, Tracked):
            o = other
        else:
            return generic(self, other)  # lists, other array types: numpy decides
        s = self.view(ndarray)
        args = [o, s] if reflected else [s, o]
        try:
            result = ufunc(*args, out=s) if inplace else ufunc(*args)
        except ValueError as e:
            raise _with_shapes(e, ufunc.__name__, args) from None
        state = counting._state.get()
        if state.sinks:
            if state.tracing or _has_objects(args) or not (kind or matmul):
                _count_ufunc(ufunc, "__call__", args, {}, result)
            elif kind:
                n = result.size if type(result) is ndarray else 1
                moved = _nbytes(args[0]) + _nbytes(args[1]) + _nbytes(result)
                for sink in state.sinks:
                    sink[kind] = sink.get(kind, 0) + n
                    sink[BYTES] = sink.get(BYTES, 0) + moved
            else:  # (m x k) @ (k x n): m*n*k products, m*n*(k-1) additions
                n, k = np.size(result), args[0].shape[-1]
                moved = _nbytes(args[0]) + _nbytes(args[1]) + _nbytes(result)
                for sink in state.sinks:
                    sink["mul"] = sink.get("mul", 0) + n * k
                    sink["add"] = sink.get("add", 0) + n * max(k - 1, 0)
                    sink[MACS] = sink.get(MACS, 0) + n * k
                    sink[BYTES] = sink.get(BYTES, 0) + moved
        if inplace:
            return self
        return result.view(Tracked) if type(result) is ndarray else _wrap(result)

    return method


def _unary(ufunc: np.ufunc) -> Any:
    kind = _KIND_OF[ufunc]

    def method(self: Tracked) -> Any:
        s = self.view(ndarray)
        result = ufunc(s)
        state = counting._state.get()
        if state.sinks:
            if not state.tracing and s.dtype.kind != "O":
                moved = s.nbytes + _nbytes(result)
                for sink in state.sinks:
                    sink[kind] = sink.get(kind, 0) + result.size
                    sink[BYTES] = sink.get(BYTES, 0) + moved
            else:
                _count_ufunc(ufunc, "__call__", [s], {}, result)
        return result.view(Tracked) if type(result) is ndarray else _wrap(result)

    return method


_DUNDER = {
    np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "truediv",
    np.matmul: "matmul", np.power: "pow", np.greater: "gt", np.greater_equal: "ge",
    np.less: "lt", np.less_equal: "le", np.equal: "eq", np.not_equal: "ne",
}  # fmt: skip
for _ufunc, _name in _DUNDER.items():
    setattr(Tracked, f"__{_name}__", _operator(_ufunc))
    if _name in ("add", "sub", "mul", "truediv", "matmul", "pow"):
        setattr(Tracked, f"__r{_name}__", _operator(_ufunc, reflected=True))
        if _name != "matmul":
            setattr(Tracked, f"__i{_name}__", _operator(_ufunc, inplace=True))
Tracked.__neg__ = _unary(np.negative)


_METHOD_OF = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min"}


def _reduction(ufunc: np.ufunc) -> Any:
    """``a.sum()``, ``a.max()`` ... straight to the ufunc's reduce, counted like it: each
    output combines k terms in k - 1 steps (numpy's generic route costs 3x as much)."""
    kind, name = _KIND_OF[ufunc], _METHOD_OF[ufunc.__name__]
    generic = getattr(ndarray, name)
    fast = {"keepdims", "dtype"} if name in ("sum", "prod") else {"keepdims"}

    def method(self, axis=None, *args, **kwargs):
        if args or not fast.issuperset(kwargs) or counting.tracing():
            return generic(self, axis, *args, **kwargs)  # out=, initial=, where=: general rules
        plain = self.view(ndarray)
        result = ufunc.reduce(plain, axis=axis, **kwargs)
        state = counting._state.get()
        if state.sinks and plain.dtype.kind != "O":
            n = max(plain.size - np.size(result), 0)
            moved = plain.nbytes + _nbytes(result)
            for sink in state.sinks:
                sink[kind] = sink.get(kind, 0) + n
                sink[BYTES] = sink.get(BYTES, 0) + moved
        return result.view(Tracked) if type(result) is ndarray else _wrap(result)

    method.__name__ = name
    return method


for _ufunc in (np.add, np.multiply, np.maximum, np.minimum):
    setattr(Tracked, _METHOD_OF[_ufunc.__name__], _reduction(_ufunc))


def track(a: Any) -> Tracked:
    """A counted view of ``a`` (array engine): numpy does the work, mlpops counts it."""
    if isinstance(a, Tracked):
        return a
    arr = np.asarray(a)
    if arr.dtype == object:
        from .scalar import Scalar

        if not all(isinstance(x, (Scalar, int, float, bool)) for x in arr.flat):
            bad = next(x for x in arr.flat if not isinstance(x, (Scalar, int, float, bool)))
            raise TypeError(
                f"track() expects numbers; got {bad!r} ({type(bad).__name__}) in an object array"
            )
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"track() expects numeric data (ints or floats); got an array of dtype "
            f"{arr.dtype} (e.g. {arr.flat[0]!r} if the array is not empty). "
            "Convert it with np.asarray(data, dtype=float) first."
        )
    return arr.view(Tracked)


def _moved(source: Tracked, result: ndarray) -> Tracked:
    """A copy of ``source``: count its traffic (every element read, every one written)."""
    if counting.active() and source.dtype.kind != "O":
        record(BYTES, source.nbytes + result.nbytes)
    return result.view(Tracked)


def untrack(a: Any) -> Any:
    """The plain numpy array (or value) behind a tracked one."""
    return a.view(np.ndarray) if isinstance(a, Tracked) else a


def _with_shapes(error: ValueError, name: str, args: Any) -> ValueError:
    """numpy's message, plus the shapes of the operands it was given."""
    shapes = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray))
    return ValueError(f"{error} [np.{name} on operands of shapes {shapes}]")


# -- wrapping -------------------------------------------------------------------------
def _plain(x: Any) -> Any:
    return x.view(np.ndarray) if isinstance(x, Tracked) else x


_SELECTING = frozenset({np.maximum, np.minimum, np.fmax, np.fmin, np.clip})


def _as_scalars(result: ndarray) -> ndarray:
    """Selections on Scalars (max(z, 0), where, clip) hand back the other operand as it
    was, e.g. ReLU's plain 0: make such numbers Scalars (free, data movement) so that
    every operation that later uses them is counted too."""
    from .scalar import Scalar

    for i, x in enumerate(result.flat):
        if type(x) is not Scalar:
            result.flat[i] = Scalar(float(x))
    return result


def _has_objects(args: list) -> bool:
    for a in args:
        if type(a) is ndarray and a.dtype.kind == "O":
            return True
    return False


def _plain_tree(x: Any) -> Any:
    if type(x) is Tracked:
        return x.view(ndarray)
    if type(x) is tuple or type(x) is list:
        return type(x)(_plain_tree(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain_tree(v) for k, v in x.items()}
    return x


def _wrap(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.view(Tracked)
    if isinstance(x, np.generic):
        return np.asarray(x).view(Tracked)
    return x


def _wrap_tree(x: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return type(x)(_wrap_tree(v) for v in x)
    return _wrap(x)


def _is_object(args: Any) -> bool:
    for a in args:
        if type(a) is ndarray:
            if a.dtype.kind == "O":
                return True
        elif type(a) is list or type(a) is tuple:
            if _is_object(a):
                return True
    return False


def _leaves(x: Any):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _leaves(v)
    else:
        yield x


def _size(x: Any) -> int:
    return x.size if isinstance(x, np.ndarray) else 1


def _nbytes(x: Any) -> int:
    """Bytes to read or write ``x`` once: an array's elements at its dtype's size, a numpy
    scalar's size; a Python number (a constant in the instruction stream) costs 0."""
    if isinstance(x, np.ndarray):
        return 0 if x.dtype.kind == "O" else x.nbytes
    if isinstance(x, np.generic):
        return x.itemsize
    return 0


def _traffic(inputs: Any, outputs: Any) -> int:
    """Compulsory memory traffic: every input element read once, every output element
    written once (an operand given twice is read twice; a broadcast input at its size)."""
    moved = 0
    for x in _leaves(inputs):
        moved += _nbytes(x)
    for x in _leaves(outputs):
        moved += _nbytes(x)
    return moved


def _copy_traffic(inputs: Any, result: Any) -> int:
    """A data-movement call: a view moves nothing; a copy that materialises reads what it
    writes (each new output element read once from the inputs, written once)."""
    arrays = [x for x in _leaves(inputs) if isinstance(x, np.ndarray)]
    moved = 0
    for r in _leaves(result):
        if isinstance(r, np.ndarray):
            if not any(np.may_share_memory(r, a) for a in arrays):
                moved += 2 * _nbytes(r)
        elif isinstance(r, np.generic):
            moved += 2 * r.itemsize
    return moved


def _k_and_outputs(a: np.ndarray, axis: Any, keepdims: bool = False) -> tuple[int, int]:
    """How many terms each output of a reduction combines, and how many outputs."""
    a = np.asarray(a)
    if axis is None:
        return a.size, 1
    axes = axis if isinstance(axis, tuple) else (axis,)
    axes = tuple(ax % a.ndim if a.ndim else 0 for ax in axes)
    k = math.prod(a.shape[ax] for ax in axes) if a.ndim else 1
    return k, (a.size // k if k else math.prod(s for i, s in enumerate(a.shape) if i not in axes))


# -- the counting rules -----------------------------------------------------------------
def _count_ufunc(ufunc: np.ufunc, method: str, args: list, kwargs: dict, result: Any) -> None:
    name = ufunc.__name__
    objects = _has_objects(args)
    if name == "matmul" and method == "__call__":
        a, b = np.asarray(args[0]), np.asarray(args[1])
        k = a.shape[-1]
        record(MACS, _size(result) * k)
        if not objects:
            record("mul", _size(result) * k)
            record("add", _size(result) * max(k - 1, 0))
            record(BYTES, _traffic(args, result))
            _trace_array("matmul", "mul", (a.shape, b.shape), result, _size(result) * k)
        return
    if objects:
        return  # each Scalar counts its own operations
    if name in FREE_UFUNCS:
        record(BYTES, _traffic(args, result))
        return
    kind = UFUNC_KINDS.get(name)
    if name == "clip":
        kind = "max"
    if kind is None:
        record_uncounted(f"np.{name}.{method}" if method != "__call__" else f"np.{name}")
        return
    where = kwargs.get("where")
    reads = list(args) + ([where] if isinstance(where, np.ndarray) else [])
    if method in ("__call__", "reduce", "accumulate", "outer"):
        record(BYTES, _traffic(reads, result))
    if method == "__call__":
        n = _size(result[0] if isinstance(result, tuple) else result)
        where = kwargs.get("where", True)
        if where is not True:
            n = int(np.count_nonzero(np.broadcast_to(where, np.shape(result))))
        if name == "clip":
            n *= sum(x is not None for x in args[1:3])
        record(kind, n)
        _trace_array(name, kind, tuple(np.shape(x) for x in args), result, n)
    elif method == "reduce":
        k, outputs = _k_and_outputs(args[0], kwargs.get("axis", 0))
        steps = k if kwargs.get("initial") is not None else max(k - 1, 0)
        record(kind, steps * outputs)
        _trace_array(f"{name}.reduce", kind, (np.shape(args[0]),), result, steps * outputs)
    elif method == "accumulate":
        k, outputs = _k_and_outputs(args[0], kwargs.get("axis", 0))
        record(kind, max(k - 1, 0) * outputs)
    elif method == "outer":
        record(kind, _size(result))
    elif method == "at":  # a[indices] op= b: the indices and b read, each a[i] read and written
        n = _size(np.asarray(args[1])[..., None].reshape(-1))
        record(kind, n)
        b = args[2] if len(args) > 2 else None
        record(BYTES, _nbytes(np.asarray(args[1])) + _nbytes(b) + 2 * n * args[0].itemsize)
    else:
        record_uncounted(f"np.{name}.{method}")


def _qualname(func: Any) -> str:
    module = getattr(func, "__module__", "") or ""
    module = module.replace("numpy._core", "numpy").replace("numpy.core", "numpy")
    module = "np" + module[5:] if module.startswith("numpy") else module or "np"
    return f"{module}.{func.__name__}"


#: data-movement functions that make new data from every input element (not a copy of one)
_ELEMENTWISE_MOVES = frozenset({"where"})
#: data-movement functions that allocate and fill (write only) or leave memory unwritten
_FILLS = {"zeros_like": 1, "ones_like": 1, "full_like": 1, "empty_like": 0}


def _count_function(name: str, args: tuple, kwargs: dict, result: Any, func: Any) -> None:
    if name in FREE_FUNCTIONS or name == "shape":
        if not _is_object(args):  # no arithmetic; a view moves nothing, a copy its bytes
            if name in _ELEMENTWISE_MOVES:
                record(BYTES, _traffic((args, kwargs), result))
            elif name in _FILLS:
                record(BYTES, _FILLS[name] * _nbytes(result))
            else:
                record(BYTES, _copy_traffic((args, list(kwargs.values())), result))
        return
    if _is_object(args):
        if name in ("dot", "einsum", "inner", "tensordot", "vdot"):
            record(MACS, _contraction_macs(name, args, kwargs, result))
        return  # each Scalar counts its own operations
    if name in _RULES_WITH_BYTES:
        reads = (args, [v for k, v in kwargs.items() if k != "out"])
        record(BYTES, _traffic(reads, result))
    if name in ("dot", "inner", "vdot", "tensordot", "einsum", "outer"):
        if name == "outer":
            record("mul", _size(result))
            return
        macs = _contraction_macs(name, args, kwargs, result)
        outputs = _size(result)
        factors = _einsum_operands(args) if name == "einsum" else 2
        terms = macs
        record(MACS, macs if factors == 2 else 0)
        record("mul", terms * (factors - 1))
        record("add", max(terms - outputs, 0) if terms else 0)
        _trace_array(name, "mul", tuple(np.shape(a) for a in _leaves(args[:2])), result, terms)
        return
    if name in REDUCTIONS:
        kind, divides = REDUCTIONS[name]
        outputs = np.size(result)  # each output combines k terms in k - 1 steps
        steps = max(np.size(args[0]) - outputs, 0)
        record(kind, steps)
        _trace_array(name, kind, (np.shape(args[0]),), result, steps)
        if divides:
            record("div", outputs)
            _trace_array(name, "div", (np.shape(result),), result, outputs)
        return
    if name in ("cumsum", "cumprod"):
        a = np.asarray(args[0])
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        k, outputs = _k_and_outputs(a, axis)
        record("add" if name == "cumsum" else "mul", max(k - 1, 0) * outputs)
        return
    if name == "trace":
        a = np.asarray(args[0])
        record("add", max(min(a.shape[-2:]) - 1, 0) * (a.size // (a.shape[-1] * a.shape[-2])))
        return
    if name == "clip":
        lo = kwargs.get("a_min", kwargs.get("min", args[1] if len(args) > 1 else None))
        hi = kwargs.get("a_max", kwargs.get("max", args[2] if len(args) > 2 else None))
        record("max", _size(result) * ((lo is not None) + (hi is not None)))
        return
    record_uncounted(_qualname(func))


_RULES_WITH_BYTES = frozenset(
    ("dot", "inner", "vdot", "tensordot", "einsum", "outer", "cumsum", "cumprod", "trace", "clip")
    + tuple(REDUCTIONS)
)


def _einsum_operands(args: tuple) -> int:
    return sum(isinstance(a, np.ndarray) or np.isscalar(a) for a in args[1:])


def _contraction_macs(name: str, args: tuple, kwargs: dict, result: Any) -> int:
    """Number of product terms summed to make the result (multiply-accumulates)."""
    if name == "einsum":
        subscripts, operands = args[0], args[1:]
        if not isinstance(subscripts, str):
            raise TypeError("mlpops counts einsum in its subscripts-string form only")
        _, out, sizes = _einsum_plan(subscripts, tuple(np.shape(op) for op in operands))
        summed = math.prod(n for c, n in sizes.items() if c not in out)
        return _size(result) * summed
    a, b = np.asarray(args[0]), np.asarray(args[1])
    if name == "vdot":
        return a.size
    if name == "tensordot":
        axes = kwargs.get("axes", args[2] if len(args) > 2 else 2)
        if isinstance(axes, int):
            k = math.prod(b.shape[:axes])
        else:
            bx = axes[1] if isinstance(axes[1], (list, tuple)) else [axes[1]]
            k = math.prod(b.shape[i] for i in bx)
        return _size(result) * k
    if a.ndim == 0 or b.ndim == 0:
        return _size(result)
    return _size(result) * a.shape[-1]


@functools.lru_cache(maxsize=256)
def _einsum_plan(subscripts: str, shapes: tuple) -> tuple[tuple[str, ...], str, dict[str, int]]:
    """einsum's subscripts for these operand shapes: each operand's letters (ellipses
    spelled out), the output's letters, and the size of every letter."""
    subscripts = subscripts.replace(" ", "")
    lhs, _, rhs = subscripts.partition("->")
    terms = lhs.split(",")
    letters = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in subscripts]
    ell_dims = max((len(shape) - len(t.replace("...", "")) for t, shape in zip(terms, shapes)),
                   default=0)  # fmt: skip
    ell = "".join(letters[:ell_dims])
    expanded = []
    for t, shape in zip(terms, shapes):
        if "..." in t:
            t = t.replace("...", ell[ell_dims - (len(shape) - len(t.replace("...", ""))) :])
        expanded.append(t)
    if "->" in subscripts:
        out = rhs.replace("...", ell)
    else:
        joined = "".join(expanded)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1 and c not in ell))
    sizes: dict[str, int] = {}
    for t, shape in zip(expanded, shapes):
        for c, n in zip(t, shape):
            sizes[c] = max(sizes.get(c, 1), n)
    return tuple(expanded), out, sizes


def _einsum_by_reduction(subscripts: str, *operands: Any, **kwargs: Any) -> np.ndarray:
    """einsum for object arrays as products then one sum per output (k-1 additions).

    numpy's own object einsum starts every sum from 0, one addition more than the
    contraction needs; this keeps the scalar engine's count equal to the array engine's.
    """
    terms, out, sizes = _einsum_plan(subscripts, tuple(np.shape(op) for op in operands))
    letters = out + "".join(sorted(c for c in sizes if c not in out))
    full = [sizes[c] for c in letters]
    product = None
    for t, op in zip(terms, operands):
        op = np.asarray(op)
        if len(set(t)) != len(t):  # a repeated index (diagonal): take it first
            raise ValueError("mlpops' scalar-engine einsum does not take repeated indices")
        view = np.transpose(op, [t.index(c) for c in letters if c in t])
        shape = [sizes[c] if c in t else 1 for c in letters]
        view = np.broadcast_to(view.reshape(shape), full)
        product = view if product is None else product * view
    summed = tuple(range(len(out), len(letters)))
    if not summed:
        return np.array(product, dtype=object)
    return np.add.reduce(product, axis=summed) if math.prod(full[len(out):]) else np.zeros(
        full[: len(out)], dtype=object
    )  # fmt: skip


def _trace_array(op: str, kind: str, shapes: tuple, result: Any, n: int) -> None:
    if counting._state.get().tracing:
        counting.trace(kind, op, shapes, np.shape(result), n)

"""The array engine: a numpy array that counts the arithmetic each numpy call performs.

``track(a)`` returns a ``Tracked`` view of ``a``. Every ufunc and array function called on
it looks up its counting rule by name in ``mlpops.rules`` (one place per rule), which
works the count out from the real shapes at run time; numpy then does the work on the
plain arrays. Calls without a rule still run and are listed in ``Counts.uncounted``.

Object arrays of ``Scalar`` (the scalar engine) use the same class: there each element
counts its own operations, so the array only adds the multiply-accumulate tally of
matrix products.

Longer than the other modules on purpose: every counting rule of the array engine lives
here, in one file, so that a reader finds each rule by name in one place.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from . import counting, rules
from .counting import BYTES, MACS, active, record, record_uncounted
from .scalar import Scalar

ndarray = np.ndarray

#: each elementwise ufunc object -> the kind of one application (from the rules)
_KIND_OF = {
    getattr(np, name): kind
    for name, kind in rules.ELEMENTWISE.items()
    if isinstance(getattr(np, name, None), np.ufunc)
}
#: numpy calls that name a matrix product: on Scalars the array adds only their MACs
_CONTRACTIONS = frozenset({"dot", "einsum", "inner", "tensordot", "vdot"})


def _by_function(func: Callable[..., Any]) -> Any:
    """An ndarray method that does arithmetic in C without asking numpy's dispatch, as
    a call of the numpy function of the same name (``a.var()`` is ``np.var(a)``)."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return func(self, *args, **kwargs)

    method.__name__ = func.__name__
    return method


class Tracked(np.ndarray):
    """A numpy array whose arithmetic is counted by ``mlpops.count()``."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any):
        # the hot path: every numpy call on a tracked array passes here
        args = []
        objects = False  # an object array among the operands (Scalars: the scalar engine)
        for x in inputs:  # (_plain and _has_objects, written out: once per operand)
            if type(x) is Tracked:
                x = x.view(ndarray)
                objects = objects or x.dtype.kind == "O"
            elif type(x) is TrackedFloat:
                x = _F64(x)
            elif type(x) is ndarray:
                objects = objects or x.dtype.kind == "O"
            args.append(x)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        try:
            if objects and method == "__call__" and ufunc in _BY_METHOD:
                result = _BY_METHOD[ufunc](*args)  # (Scalars: numpy's own loop differs)
            elif objects and method == "reduce" and ufunc in _SELECT_LOOPS:
                result = _select_reduce(ufunc, *args, **kwargs)  # a nan wins, as in float64
            elif objects and method == "accumulate" and ufunc in _SELECT_LOOPS:
                with np.errstate(invalid="ignore"):
                    result = _SELECT_LOOPS[ufunc].accumulate(*args, **kwargs)
            elif method == "__call__":
                result = ufunc(*args, **kwargs)
            else:
                result = getattr(ufunc, method)(*args, **kwargs)
        except ValueError as e:
            raise _with_shapes(e, ufunc.__name__, args) from None
        if type(result) is ndarray and result.dtype.kind == "O" and ufunc in _SELECTING:
            result = _as_scalars(result)
        kind = _KIND_OF.get(ufunc)
        if (
            kind is not None
            and method == "__call__"
            and type(result) is ndarray
            and "where" not in kwargs
            and not objects
        ):  # the usual: the elementwise rule from sizes (rules.elementwise); record()
            moved = result.nbytes  # adds nothing when no count() is open
            for x in args:  # (rules.traffic, written out for the usual operands)
                if type(x) is ndarray:
                    moved += x.nbytes
                elif type(x) is list or type(x) is tuple:
                    moved += rules.traffic(x, ())
                elif type(x) is not float and type(x) is not int:  # (a constant: 0 bytes)
                    moved += _nbytes(x)
            n = result.size
            if record(kind, n, False, moved) and n:
                _trace(ufunc.__name__, args, kind, n, result)
        elif active():
            _count_ufunc(ufunc, method, args, kwargs, result)
        if out is not None:
            return out[0] if len(out) == 1 else out
        if type(result) is ndarray:
            return result.view(Tracked)
        return _wrap_tree(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any):
        name = func.__name__
        plain_args = []
        objects = False  # an object array among the operands (Scalars: the scalar engine)
        for a in args:  # (_plain_tree and _is_object in one pass: once per operand)
            if type(a) is Tracked:
                a = a.view(ndarray)
                objects = objects or a.dtype.kind == "O"
            elif type(a) is TrackedFloat:
                a = _F64(a)
            elif type(a) is ndarray:
                objects = objects or a.dtype.kind == "O"
            elif type(a) is list or type(a) is tuple or isinstance(a, dict):
                a = _plain_tree(a)
                objects = objects or _is_object([a])
            plain_args.append(a)
        plain_kwargs = _plain_tree(kwargs) if kwargs else kwargs
        if objects and name in _BY_ARITHMETIC:
            # Scalars: run the rule's arithmetic on them, so each counts itself
            return _BY_ARITHMETIC[name](*args, **kwargs)
        # only our types asked for the override: numpy's own implementation, straight
        # away (calling func would ask every operand again: einsum's costs 2 us)
        run = getattr(func, "_implementation", func) if _OURS.issuperset(types) else func
        plain_args = tuple(plain_args)
        try:
            result = run(*plain_args, **plain_kwargs)
        except ValueError as e:
            raise _with_shapes(e, name, list(rules.leaves(plain_args))) from None
        if name in ("where", "clip") and type(result) is ndarray and result.dtype.kind == "O":
            result = _as_scalars(result)
        if counting.active():
            if objects:  # each Scalar counts its own operations
                if name in _CONTRACTIONS:
                    record(MACS, rules.contraction_macs(name, plain_args, plain_kwargs, result))
                elif rules.rule_for(func) is None:
                    record_uncounted(rules.qualname(func))
            else:
                counts = rules.function_counts(func, plain_args, plain_kwargs, result)
                if counts is None:
                    record_uncounted(rules.qualname(func))
                else:
                    _record(name, plain_args, counts, result)
        if type(result) is ndarray:  # (the usual: one array)
            return result.view(Tracked)
        return _wrap_tree(result)

    # ndarray methods that do arithmetic in C without asking numpy's dispatch: route
    # them through the numpy functions so they are counted like np.dot(a, b).
    def dot(self, b, out=None):
        return np.dot(self, b, out=out)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kwargs):
        if kwargs:
            if out is not None or set(kwargs) - {"where"}:
                return np.mean(self, axis, dtype, out, keepdims, **kwargs)  # the general route
            kwargs = {k: _plain(v) for k, v in kwargs.items()}
        elif out is not None:
            return np.mean(self, axis, dtype, out, keepdims)
        plain = self.view(ndarray)
        result = plain.mean(axis, dtype, None, keepdims, **kwargs)
        if counting.active() and plain.dtype.kind != "O":  # (Scalars count themselves)
            if kwargs:
                counts = rules.FUNCTION_RULES["mean"](
                    np.mean, (), {"a": plain, "axis": axis, **kwargs}, result
                )
            else:  # the usual: a sum of k terms and a division per output, from sizes
                outputs = result.size if type(result) is ndarray else 1
                moved = plain.nbytes + _nbytes(result)
                counts = rules.reduction("add", plain.size, outputs if plain.size else 0, moved)
                counts["div"] = outputs
            _record("mean", [plain], counts, result)
        return _wrap(result)

    def round(self, decimals=0, out=None):
        return np.round(self, decimals, out)

    # (each the numpy function of that name on this array: counted by its rule)
    argmax = _by_function(np.argmax)
    argmin = _by_function(np.argmin)
    cumsum = _by_function(np.cumsum)
    cumprod = _by_function(np.cumprod)
    trace = _by_function(np.trace)
    var = _by_function(np.var)
    std = _by_function(np.std)

    def sort(self, *args, **kwargs):
        """In place, like ndarray.sort: comparisons mlpops has no rule for (listed)."""
        if counting.active():
            record_uncounted("np.ndarray.sort")
        return self.view(ndarray).sort(*args, **kwargs)

    # copies that materialise move their bytes (no arithmetic): read once, written once
    def copy(self, order="C"):
        return _moved(self, ndarray.copy(self.view(ndarray), order))

    def flatten(self, order="C"):
        return _moved(self, ndarray.flatten(self.view(ndarray), order))

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        plain = self.view(ndarray)
        result = plain.astype(dtype, order, casting, subok, copy)
        if result is plain:  # copy=False and nothing to convert: the same data
            return self
        return _moved(self, result)

    # Python's own loops over the elements: each element a tracked number, so that a
    # dot product written as a for loop (w[i] * x[i], sum(w)) is counted too
    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        for i in range(len(self)):
            yield self[i]

    def __getitem__(self, index):
        result = ndarray.__getitem__(self, index)
        if isinstance(result, np.generic):  # one element: still a counted number
            return _wrap(result)
        return result

    def __repr__(self) -> str:
        return "tracked(" + repr(self.view(np.ndarray))[6:]

    def __reduce__(self):
        return (track, (self.view(np.ndarray),))


class TrackedFloat(np.float64):
    """A float64 result of a full reduction (or one element): a numpy scalar, so it is
    hashable, JSON-ready and a number (``lr=t.sum()`` works), whose arithmetic is still
    counted, as a 0-d tracked array's would be."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any):
        return Tracked.__array_ufunc__(self, ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any):
        return Tracked.__array_function__(self, func, types, args, kwargs)

    def __repr__(self) -> str:
        return repr(np.float64(self))

    __hash__ = np.float64.__hash__


# Python's operators on a TrackedFloat: with a float64 or a Python float on the other
# side, float64's own arithmetic straight away (numpy's scalar math: its values, its
# warnings), counted by the elementwise rule; anything else through the ufunc
def _scalar_operator(ufunc: np.ufunc, reflected: bool = False) -> Any:
    kind = _KIND_OF[ufunc]
    op = _PYTHON_OPERATOR[ufunc]
    name = ufunc.__name__

    def method(self: TrackedFloat, other: Any) -> Any:
        if type(other) is TrackedFloat or type(other) is _F64:
            o, moved = _F64(other), 16  # (rules.elementwise: both float64 read ...)
        elif type(other) is float:
            o, moved = other, 8  # (... a Python float is a constant: 0 bytes)
        else:
            return ufunc(other, self) if reflected else ufunc(self, other)
        s = _F64(self)
        args = [o, s] if reflected else [s, o]
        result = op(*args)
        if record(kind, 1, False, moved + result.itemsize):  # (... the result written)
            _trace(name, args, kind, 1, result)
        return TrackedFloat(result) if type(result) is _F64 else _wrap(result)

    return method


_F64 = np.float64
_OURS = frozenset((Tracked, TrackedFloat))


#: Python's arithmetic operators and comparisons: each ufunc -> its dunder's stem
_ARITHMETIC = {
    np.add: "add",
    np.subtract: "sub",
    np.multiply: "mul",
    np.true_divide: "truediv",
    np.floor_divide: "floordiv",
    np.remainder: "mod",
    np.power: "pow",
}
_COMPARISONS = {
    np.greater: "gt",
    np.greater_equal: "ge",
    np.less: "lt",
    np.less_equal: "le",
    np.equal: "eq",
    np.not_equal: "ne",
}
#: the same, as Python's operator functions (float64 scalars do numpy's scalar math)
_PYTHON_OPERATOR = {u: getattr(operator, n) for u, n in {**_ARITHMETIC, **_COMPARISONS}.items()}
for _ufunc, _name in _ARITHMETIC.items():
    setattr(TrackedFloat, f"__{_name}__", _scalar_operator(_ufunc))
    setattr(TrackedFloat, f"__r{_name}__", _scalar_operator(_ufunc, reflected=True))
for _ufunc, _name in _COMPARISONS.items():
    setattr(TrackedFloat, f"__{_name}__", _scalar_operator(_ufunc))
TrackedFloat.__neg__ = lambda self: np.negative(self)
TrackedFloat.__abs__ = lambda self: np.absolute(self)
TrackedFloat.__hash__ = np.float64.__hash__


# Python's operators (a + b, a @ b, -a, a > b, a += b ...) on a Tracked array go straight
# to the ufunc here, skipping numpy's generic override dispatch: on small arrays that
# dispatch costs twice the arithmetic itself. They count with the same rules.
_FAST_OPERANDS = (ndarray, float, int, bool, np.generic)


def _operator(ufunc: np.ufunc, reflected: bool = False, inplace: bool = False) -> Any:
    kind = _KIND_OF.get(ufunc)
    matmul = ufunc is np.matmul
    generic = getattr(
        ndarray, f"__{'i' if inplace else 'r' if reflected else ''}{_DUNDER[ufunc]}__"
    )

    def method(self: Tracked, other: Any) -> Any:
        kind_of_other = type(other)
        if kind_of_other is Tracked:
            o = other.view(ndarray)
        elif kind_of_other is float or kind_of_other is int or kind_of_other is ndarray:
            o = other  # (the usual operands, before the general test below)
        elif kind_of_other is TrackedFloat:
            o = _F64(other)
        elif isinstance(other, _FAST_OPERANDS) and not isinstance(other, Tracked):
            o = other
        else:
            return generic(self, other)  # lists, other array types: numpy decides
        s = self.view(ndarray)
        try:
            if inplace:
                result = ufunc(s, o, out=s)
            else:
                result = ufunc(o, s) if reflected else ufunc(s, o)
        except ValueError as e:
            raise _with_shapes(e, ufunc.__name__, [o, s] if reflected else [s, o]) from None
        if (
            kind is not None
            and type(result) is ndarray
            and s.dtype.kind != "O"
            and (type(o) is not ndarray or o.dtype.kind != "O")
        ):  # the usual: the elementwise rule from sizes (rules.elementwise), no lookup;
            moved = result.nbytes + s.nbytes  # record() adds nothing when no count() is open
            if type(o) is ndarray:
                moved += o.nbytes
            elif type(o) is not float and type(o) is not int:
                moved += _nbytes(o)
            n = result.size
            if record(kind, n, False, moved):
                _trace(ufunc.__name__, [o, s] if reflected else [s, o], kind, n, result)
        elif matmul and type(result) is ndarray and result.dtype.kind != "O":
            # (m x k) @ (k x n) of numbers, by its rule: k multiplies, k - 1 adds an output
            # (the result is of numbers only when both operands are: Scalars count themselves)
            first = o if reflected else s
            counts = rules.matmul(
                result.size, first.shape[-1], result.nbytes + s.nbytes + _nbytes(o)
            )
            if record(counts):
                _trace("matmul", [o, s] if reflected else [s, o], "mul", counts["mul"], result)
        elif active():
            _count_ufunc(ufunc, "__call__", [o, s] if reflected else [s, o], {}, result)
        if inplace:
            return self
        return result.view(Tracked) if type(result) is ndarray else _wrap(result)

    return method


def _unary(ufunc: np.ufunc) -> Any:
    kind = _KIND_OF[ufunc]

    def method(self: Tracked) -> Any:
        s = self.view(ndarray)
        result = ufunc(s)
        if type(result) is ndarray and s.dtype.kind != "O":  # (rules.elementwise; record()
            n = result.size  # adds nothing when no count() is open)
            if record(kind, n, False, s.nbytes + result.nbytes) and n:
                _trace(ufunc.__name__, [s], kind, n, result)
        elif active():
            _count_ufunc(ufunc, "__call__", [s], {}, result)
        return result.view(Tracked) if type(result) is ndarray else _wrap(result)

    return method


# (floor division and remainder keep numpy's route on arrays: rarely on a hot path)
_DUNDER = {
    **{u: n for u, n in _ARITHMETIC.items() if n not in ("floordiv", "mod")},
    np.matmul: "matmul",
    **_COMPARISONS,
}
for _ufunc, _name in _DUNDER.items():
    setattr(Tracked, f"__{_name}__", _operator(_ufunc))
    if _name in ("add", "sub", "mul", "truediv", "matmul", "pow"):
        setattr(Tracked, f"__r{_name}__", _operator(_ufunc, reflected=True))
        if _name != "matmul":
            setattr(Tracked, f"__i{_name}__", _operator(_ufunc, inplace=True))
Tracked.__neg__ = _unary(np.negative)


_METHOD_OF = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min"}


def _reduction(ufunc: np.ufunc) -> Any:
    """``a.sum()``, ``a.max()`` ... straight to the ufunc's reduce, counted by its rule
    (numpy's generic route costs 3x as much)."""
    name = _METHOD_OF[ufunc.__name__]
    kind = _KIND_OF[ufunc]
    generic = getattr(ndarray, name)
    fast = (
        {"keepdims", "dtype", "initial", "where"}
        if name in ("sum", "prod")
        else {"keepdims", "initial", "where"}
    )

    def method(self, axis=None, *args, **kwargs):
        if args or (kwargs and not fast.issuperset(kwargs)):
            return generic(self, axis, *args, **kwargs)  # out=: numpy's route, same rule
        plain = self.view(ndarray)
        objects = plain.dtype.kind == "O"
        if kwargs:
            kwargs = {k: _plain(v) for k, v in kwargs.items()}
        if objects and ufunc in _SELECT_LOOPS:  # Scalars: a nan wins
            result = _select_reduce(ufunc, plain, axis, **kwargs)
        else:
            result = ufunc.reduce(plain, axis, **kwargs)
        if objects or "where" in kwargs or "initial" in kwargs:
            if active():
                _count_ufunc(ufunc, "reduce", [plain], {"axis": axis, **kwargs}, result)
        else:  # the usual: k - 1 steps per output, from sizes (rules.reduction); record()
            terms = plain.size  # adds nothing when no count() is open
            if type(result) is ndarray:
                outputs, moved = (result.size if terms else 0), plain.nbytes + result.nbytes
            else:
                outputs, moved = (1 if terms else 0), plain.nbytes + _nbytes(result)
            steps = terms - outputs if terms > outputs else 0
            if record(kind, steps, False, moved):
                _trace(name, [plain], kind, steps, result)
        return result.view(Tracked) if type(result) is ndarray else _wrap(result)

    method.__name__ = name
    return method


for _ufunc in (np.add, np.multiply, np.maximum, np.minimum):
    setattr(Tracked, _METHOD_OF[_ufunc.__name__], _reduction(_ufunc))


def _count_ufunc(ufunc: np.ufunc, method: str, args: list, kwargs: dict, result: Any) -> None:
    """Record one ufunc call by its rule (or list it as uncounted)."""
    if _has_objects(args):  # each Scalar counts its own operations
        if ufunc.__name__ in rules.PRODUCTS and method == "__call__":
            record(MACS, rules.size(result) * np.shape(args[0])[-1])
        elif ufunc.__name__ not in rules.UFUNC_RULES:
            record_uncounted(_ufunc_name(ufunc, method))
        return
    kind = _KIND_OF.get(ufunc)
    if kind is not None and method == "__call__" and "where" not in kwargs:  # the usual
        n = result.size if type(result) is ndarray else rules.size(_first(result))
        counts = rules.elementwise(kind, n, rules.traffic(args, result))
    else:
        counts = rules.ufunc_counts(ufunc, method, args, kwargs, result)
    if counts is None:
        record_uncounted(_ufunc_name(ufunc, method))
    else:
        _record(
            ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}",
            args,
            counts,
            result,
        )


def _first(result: Any) -> Any:
    return result[0] if type(result) is tuple else result


def _ufunc_name(ufunc: np.ufunc, method: str) -> str:
    return f"np.{ufunc.__name__}.{method}" if method != "__call__" else f"np.{ufunc.__name__}"


_nbytes = rules.nbytes


def _trace(name: str, args: Any, kind: str, n: int, result: Any) -> None:
    shapes = tuple(np.shape(a) for a in args if hasattr(a, "shape"))
    counting.trace(kind, name, shapes, np.shape(result), n)


def _record(name: str, args: Any, counts: dict[str, int], result: Any) -> None:
    if record(counts):  # and, inside count(trace=...), one log entry per kind
        shapes = tuple(np.shape(a) for a in rules.leaves(args) if hasattr(a, "shape"))
        for kind, n in counts.items():
            if n and kind not in (MACS, BYTES):
                counting.trace(kind, name, shapes, np.shape(result), n)


def track(a: Any) -> Tracked:
    """A counted view of ``a`` (array engine): numpy does the work, mlpops counts it."""
    if type(a) is ndarray and a.dtype.kind in "biufc":  # the usual: numbers (no checks)
        return a.view(Tracked)
    if isinstance(a, Tracked):
        return a
    arr = np.asarray(a)
    if arr.dtype == object:
        for x in arr.flat:
            if not isinstance(x, (Scalar, int, float)) or isinstance(x, bool):
                raise TypeError(
                    f"track() expects numbers; got {x!r} ({type(x).__name__}) in an object array"
                )
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        example = f" (e.g. {arr.flat[0]!r})" if arr.size else " (empty)"
        raise TypeError(
            f"track() expects numeric data (ints or floats); got an array of dtype "
            f"{arr.dtype}{example}. Convert it with np.asarray(data, dtype=float) first."
        )
    return arr.view(Tracked)


def scalars(a: Any) -> Tracked:
    """The same values as counting Scalars, in an object array (scalar engine)."""
    arr = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    if arr.dtype != object and not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"scalars() expects numeric data (ints or floats); got an array of dtype {arr.dtype}"
        )
    out = np.empty(arr.shape, dtype=object)
    if arr.dtype.kind in "fiu":  # the usual, floats or ints: no checks needed per value
        flat = out.reshape(-1)  # (a view: filling it fills out)
        for i, x in enumerate(np.asarray(arr, dtype=float).ravel().tolist()):
            flat[i] = Scalar(x)
        return out.view(Tracked)
    for idx, x in np.ndenumerate(arr):
        try:
            out[idx] = Scalar(x)
        except TypeError:
            where = f" at index {idx}" if idx else ""
            raise TypeError(
                f"scalars() expects numbers; got {x!r} ({type(x).__name__}){where}"
            ) from None
    return out.view(Tracked)


def _moved(source: Tracked, result: ndarray) -> Tracked:
    """A copy of ``source``: count its traffic (every element read, every one written)."""
    if counting.active() and source.dtype.kind != "O":
        record(BYTES, source.nbytes + result.nbytes)
    return result.view(Tracked)


def untrack(a: Any) -> Any:
    """The plain numpy array (or value) behind a tracked one."""
    if isinstance(a, Tracked):
        return a.view(np.ndarray)
    if type(a) is TrackedFloat:
        return np.float64(a)
    return a


def _with_shapes(error: ValueError, name: str, args: Any) -> ValueError:
    """numpy's message, plus the shapes of the operands it was given."""
    shapes = ", ".join(str(np.shape(a)) for a in args if isinstance(a, np.ndarray))
    return ValueError(f"{error} [np.{name} on operands of shapes {shapes}]")


# -- wrapping -------------------------------------------------------------------------
def _plain(x: Any) -> Any:
    if type(x) is Tracked:
        return x.view(ndarray)
    if type(x) is TrackedFloat:
        return np.float64(x)
    return x


_SELECTING = frozenset({np.maximum, np.minimum, np.fmax, np.fmin, np.clip})


def _as_scalars(result: ndarray) -> ndarray:
    """Selections on Scalars (max(z, 0), where, clip) hand back the other operand as it
    was, e.g. ReLU's plain 0: make such numbers Scalars (free, data movement) so that
    every operation that later uses them is counted too."""
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
    if type(x) is TrackedFloat:
        return np.float64(x)
    if type(x) is tuple or type(x) is list:
        return type(x)([_plain_tree(v) for v in x])
    if isinstance(x, dict):
        return {k: _plain_tree(v) for k, v in x.items()}
    return x


def _wrap(x: Any) -> Any:
    if type(x) is _F64:  # (the usual: a full reduction's float64)
        return TrackedFloat(x)
    if isinstance(x, np.ndarray):
        return x.view(Tracked)
    if type(x) is np.float64:
        return TrackedFloat(x)
    if isinstance(x, np.generic) and not isinstance(x, (np.str_, np.bytes_, np.void)):
        return np.asarray(x).view(Tracked)
    return x


def _wrap_tree(x: Any) -> Any:
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # named tuples stay named tuples
        return type(x)(*(_wrap_tree(v) for v in x))
    if type(x) is list or type(x) is tuple:
        return type(x)([_wrap_tree(v) for v in x])
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


# -- rules run as arithmetic on Scalars (the scalar engine counts each step itself) ---
def _einsum_by_reduction(subscripts: str, *operands: Any, **kwargs: Any) -> np.ndarray:
    """einsum for object arrays as products then one sum per output (k-1 additions).

    numpy's own object einsum starts every sum from 0, one addition more than the
    contraction needs; this keeps the scalar engine's count equal to the array engine's.
    """
    terms, out, sizes = rules.einsum_plan(subscripts, tuple(np.shape(op) for op in operands))
    if counting.active():
        record(MACS, math.prod(sizes.values()) if len(terms) == 2 else 0)
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
        return np.array(product, dtype=object).view(Tracked)
    if math.prod(full[len(out) :]):
        return np.add.reduce(product, axis=summed).view(Tracked)
    return np.zeros(full[: len(out)], dtype=object).view(Tracked)


def _variance_by_arithmetic(
    a: Any,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: int = 0,
    keepdims: bool = False,
    **kwargs: Any,
) -> Any:
    """var on Scalars, as the rule counts it: mean, deviations, squares, their mean."""
    x = np.asarray(a).view(Tracked)
    k = (
        x.size
        if axis is None
        else math.prod(x.shape[ax] for ax in (axis if isinstance(axis, tuple) else (axis,)))
    )
    mean = np.add.reduce(x.view(ndarray), axis=axis, keepdims=True).view(Tracked) / k
    d = x - mean
    return np.add.reduce((d * d).view(ndarray), axis=axis, keepdims=keepdims) / (k - ddof)


def _std_by_arithmetic(a: Any, *args: Any, **kwargs: Any) -> Any:
    v = _variance_by_arithmetic(a, *args, **kwargs)
    return np.sqrt(v) if isinstance(v, np.ndarray) else v.sqrt()


def _select(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    """np.maximum / np.minimum on Scalars with float64's rule: a nan wins. numpy's object
    loop keeps the second operand whenever the comparison is false, so max(nan, 0) would
    give 0 where float64 gives nan; the one comparison is still made (and counted)."""

    def select(a: Any, b: Any) -> Any:  # (once per element: the nan checks written out)
        first = compare(a, b)
        v = a.v if type(a) is Scalar else a  # (its value: read without counting a comparison)
        if isinstance(v, float) and v != v:
            return a
        v = b.v if type(b) is Scalar else b
        if isinstance(v, float) and v != v:
            return b
        return a if first else b

    return select


def _quiet(loop: np.ufunc) -> Callable[..., Any]:
    """The loop without numpy's "invalid value" warning: comparing a nan is no error in
    float64's maximum and minimum either."""

    def run(*args: Any) -> Any:
        with np.errstate(invalid="ignore"):
            return loop(*args)

    return run


#: np.maximum / np.minimum on Scalars, as loops whose every method (call, reduce,
#: accumulate) lets a nan win as float64 does; ``a.max()`` reduces with them too
_SELECT_LOOPS = {
    np.maximum: np.frompyfunc(_select(operator.ge), 2, 1),
    np.minimum: np.frompyfunc(_select(operator.le), 2, 1),
}

#: ufuncs whose object loop does not do what float64 does on Scalars, run by a loop
#: of ours instead: np.sign (numpy's compares with 0 and returns ints: call the Scalar's
#: own sign), np.maximum / np.minimum (a nan wins)
_BY_METHOD = {
    np.sign: np.frompyfunc(lambda x: x.sign() if isinstance(x, Scalar) else np.sign(x), 1, 1),
    **{ufunc: _quiet(loop) for ufunc, loop in _SELECT_LOOPS.items()},
}


def _select_reduce(ufunc: np.ufunc, a: np.ndarray, axis: Any = None, **kwargs: Any) -> Any:
    """``ufunc.reduce`` of maximum/minimum over object arrays by the loop that lets a nan
    win. That loop reduces one axis at a time: several axes (None: all) are moved to the
    end and flattened into one first."""
    loop = _SELECT_LOOPS[ufunc]
    axes = tuple(range(a.ndim)) if axis is None else normalize_axis_tuple(axis, a.ndim)
    with np.errstate(invalid="ignore"):
        if len(axes) == 1:
            return loop.reduce(a, axis=axes[0], **kwargs)
        if "where" in kwargs or not axes:  # (rare: numpy's own loop)
            return ufunc.reduce(a, axis=axis, **kwargs)
        keepdims = kwargs.pop("keepdims", False)
        rest = [d for d in range(a.ndim) if d not in axes]
        flat = a.transpose(rest + list(axes)).reshape([a.shape[d] for d in rest] + [-1])
        result = loop.reduce(flat, axis=-1, **kwargs)
        if keepdims:
            result = np.reshape(result, [1 if d in axes else a.shape[d] for d in range(a.ndim)])
        return result


def _selecting_reduction(method: str) -> Callable[..., Any]:
    """np.max / np.min on Scalars through the method, whose loop lets a nan win."""

    def reduce(a: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(a if isinstance(a, Tracked) else track(a), method)(*args, **kwargs)

    return reduce


_BY_ARITHMETIC = {
    **{name: _selecting_reduction(name[-3:]) for name in ("max", "amax", "min", "amin")},
    "einsum": _einsum_by_reduction,
    "var": _variance_by_arithmetic,
    "std": _std_by_arithmetic,
}

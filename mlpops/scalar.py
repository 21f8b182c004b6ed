"""The scalar engine: numbers that count (and can log) every operation they take part in.

A ``Scalar`` holds one float. Put many in a numpy object array (``scalars(a)``) and array
code runs unchanged, numpy calling the Scalars' own ``__mul__``, ``__add__``, ``exp`` ...
once per element: so every single multiply is one Python call that is counted, and,
inside ``count(trace=True)``, logged with its operands, result and scope.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from . import counting


def _v(x: Any) -> float:
    return x.v if isinstance(x, Scalar) else x


class Scalar:
    """One counted number: ``Scalar(2.0) * 3`` counts one ``mul``."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        if isinstance(v, Scalar):
            v = v.v
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (Real, np.number)):
            raise TypeError(f"a Scalar holds a number; got {v!r} ({type(v).__name__})")
        self.v = float(v)

    def _op(self, kind: str, op: str, value: float, *operands: Any) -> Scalar:
        state = counting._state.get()
        for sink in state.scalar_sinks:
            sink[kind] = sink.get(kind, 0) + 1
        if state.tracing:
            counting.trace(kind, op, tuple(_v(x) for x in operands), value)
        out = _new(Scalar)
        out.v = value
        return out

    # arithmetic: one counted operation each (made by _binary below) ----------------------
    def __neg__(self) -> Scalar:
        return self._op("add", "0-", -self.v, self)  # a negation is a subtraction from 0

    def __pos__(self) -> Scalar:
        return self

    def __abs__(self) -> Scalar:
        return self._op("abs", "abs", abs(self.v), self)

    # comparisons count as ``max`` (ReLU's max(0, z), its derivative's z > 0) ----------
    def _cmp(self, o: Any, op: str, result: bool) -> bool:
        state = counting._state.get()
        for sink in state.scalar_sinks:
            sink["max"] = sink.get("max", 0) + 1
        if state.tracing:
            counting.trace("max", op, (self.v, _v(o)), result)
        return result

    def __gt__(self, o: Any) -> bool:
        return self._cmp(o, ">", self.v > _v(o)) if _num(o) else NotImplemented

    def __ge__(self, o: Any) -> bool:
        return self._cmp(o, ">=", self.v >= _v(o)) if _num(o) else NotImplemented

    def __lt__(self, o: Any) -> bool:
        return self._cmp(o, "<", self.v < _v(o)) if _num(o) else NotImplemented

    def __le__(self, o: Any) -> bool:
        return self._cmp(o, "<=", self.v <= _v(o)) if _num(o) else NotImplemented

    def __eq__(self, o: Any) -> bool:
        return self._cmp(o, "==", self.v == _v(o)) if _num(o) else NotImplemented

    def __ne__(self, o: Any) -> bool:
        return self._cmp(o, "!=", self.v != _v(o)) if _num(o) else NotImplemented

    __hash__ = object.__hash__

    # elementary functions: numpy calls these by name on object arrays (np.exp -> .exp)
    def exp(self) -> Scalar:
        return self._op("exp", "exp", _exp(self.v), self)

    def log(self) -> Scalar:
        return self._op("log", "log", math.log(self.v) if self.v > 0 else _log0(self.v), self)

    def tanh(self) -> Scalar:
        return self._op("tanh", "tanh", math.tanh(self.v), self)

    def sqrt(self) -> Scalar:
        return self._op("sqrt", "sqrt", math.sqrt(self.v) if self.v >= 0 else math.nan, self)

    # plain-number views (data movement: free) ------------------------------------------
    def __float__(self) -> float:
        return float(self.v)

    def __int__(self) -> int:
        return int(self.v)

    def __bool__(self) -> bool:
        return self.v != 0.0

    def __repr__(self) -> str:
        return f"Scalar({self.v:.6g})"

    def __format__(self, spec: str) -> str:
        return format(self.v, spec) if spec else repr(self)

    def __reduce__(self):
        return (Scalar, (self.v,))


def _num(o: Any) -> bool:
    return isinstance(o, (Scalar, Real, np.number, np.bool_))


_new = object.__new__
_PLAIN = (float, int, bool)


# The scalar engine's hot path: one method per operator, each counting itself once. They
# are written out from one template (below) so that the arithmetic is inline: a method
# is called once for every single multiply or add of a network.
_TEMPLATE = """
def {name}(self, o):
    if type(o) is Scalar:
        ov = o.v
    elif type(o) in _PLAIN or isinstance(o, _NUMBER):
        ov = o
    else:
        return NotImplemented
    value = {expression}
    state = get_state()
    sink = state.scalar_sink
    if sink is not None:  # one count() open: the common case
        try:
            sink["{kind}"] += 1
        except KeyError:
            sink["{kind}"] = 1
    else:
        for sink in state.scalar_sinks:
            sink["{kind}"] = sink.get("{kind}", 0) + 1
    if state.tracing:
        trace("{kind}", "{symbol}", {operands}, value)
    out = _new(Scalar)
    out.v = value
    return out
"""
_NUMBER = (Real, np.number, np.bool_)
_OPERATORS = [  # (name, kind, symbol)
    ("add", "add", "+"),
    ("sub", "add", "-"),
    ("mul", "mul", "*"),
    ("truediv", "div", "/"),
    ("pow", "pow", "**"),
]
for _name, _kind, _symbol in _OPERATORS:
    for _reflected in (False, True):
        _method = f"__{'r' if _reflected else ''}{_name}__"
        _a, _b = ("ov", "self.v") if _reflected else ("self.v", "ov")
        _namespace = {"Scalar": Scalar, "_PLAIN": _PLAIN, "_NUMBER": _NUMBER, "_new": _new,
                      "get_state": counting._state.get, "trace": counting.trace}  # fmt: skip
        exec(  # noqa: S102 - a fixed template, no outside input
            _TEMPLATE.format(
                name=_method,
                expression=f"{_a} {_symbol} {_b}",
                kind=_kind,
                symbol=_symbol,
                operands=f"({_a}, {_b})",
            ),  # fmt: skip
            _namespace,
        )
        setattr(Scalar, _method, _namespace[_method])


def _exp(v: float) -> float:
    try:
        return math.exp(v)
    except OverflowError:
        return math.inf


def _log0(v: float) -> float:
    return -math.inf if v == 0 else math.nan


def scalars(a: Any) -> np.ndarray:
    """The same values as counting Scalars, in an object array (scalar engine)."""
    from .tracked import track

    arr = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    if arr.dtype != object and not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"scalars() expects numeric data (ints or floats); got an array of dtype {arr.dtype}"
        )
    out = np.empty(arr.shape, dtype=object)
    for idx, x in np.ndenumerate(arr):
        try:
            out[idx] = Scalar(x)
        except TypeError:
            where = f" at index {idx}" if idx else ""
            raise TypeError(
                f"scalars() expects numbers; got {x!r} ({type(x).__name__}){where}"
            ) from None
    return track(out)


def values(a: Any) -> Any:
    """Plain floats from either engine: a float ndarray (or a float for one value)."""
    if isinstance(a, Scalar):
        return a.v
    arr = np.asarray(a)
    if arr.dtype == object:
        return np.vectorize(_v, otypes=[float])(arr) if arr.size else arr.astype(float)
    if arr.ndim == 0:
        return arr.item()
    return arr

"""The scalar engine: numbers that count (and can log) every operation they take part in.

A ``Scalar`` holds one float. Put many in a numpy object array (``scalars(a)``) and array
code runs unchanged, numpy calling the Scalars' own ``__mul__``, ``__add__``, ``exp`` ...
once per element: so every single multiply is one Python call that is counted, and,
inside ``count(trace=True)``, logged with its operands, result and scope.

Arithmetic follows float64 as numpy does it: a division by zero gives inf, an overflow
inf, a negative base to a fractional power nan, each with numpy's RuntimeWarning, never
a Python exception or a complex number. Each operation's kind comes from the same
table as the array engine's (``mlpops.rules.ELEMENTWISE``), so both count alike.

Long on purpose: every operator is written out, its counting fast path inline
(``counting.scalar_fast()``), because each one runs once per element (the hot path).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from .counting import record, scalar_fast, trace
from .rules import ELEMENTWISE


def _v(x: Any) -> float:
    return x.v if isinstance(x, Scalar) else x


_new = object.__new__
_PLAIN = (float, int, bool)
_NUMBER = (Real, np.number, np.bool_)
#: the float64 operation behind each operator symbol (used when a result is not finite)
_FLOAT64 = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "//": np.floor_divide,
    "%": np.remainder,
    "**": np.power,
}


def _float64(symbol: str, a: float, b: Any, value: Any) -> Any:
    """numpy's float64 result of ``a symbol b`` (inf or nan, with numpy's warning); a
    function's ``value`` as it is (numpy's own already)."""
    if symbol not in _FLOAT64:
        return value
    return float(_FLOAT64[symbol](np.float64(a), np.float64(b)))


class Scalar:
    """One counted number: ``Scalar(2.0) * 3`` counts one ``mul``."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        if type(v) is float:  # (the usual: no abstract-class checks)
            self.v = v
            return
        if isinstance(v, Scalar):
            v = v.v
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (Real, np.number)):
            raise TypeError(f"a Scalar holds a number; got {v!r} ({type(v).__name__})")
        if isinstance(v, np.complexfloating):
            raise TypeError(f"a Scalar holds a real number; got {v!r}")
        self.v = float(v)

    # arithmetic: one counted operation each, written out; ``_made`` counts, logs and
    # makes the result. Additions, subtractions and multiplications do the usual case
    # themselves: a network spends nearly all its operations in them (a matrix
    # product's multiplies and additions, the update's W - lr * dW), and a call to
    # _made and record costs each more than the operation itself; anything else (inf
    # or nan, no fast counter) goes to _made
    def __add__(self, o: Any) -> Scalar:
        if type(o) is Scalar:
            ov = o.v
        elif type(o) is float:
            ov = o
        else:
            ov = _operand(o)
            if ov is None:
                return NotImplemented
        value = self.v + ov
        counter = scalar_fast().add
        if counter is None or value * 0.0 != 0.0:  # (see _made)
            return _made("add", "+", self.v, ov, value)
        next(counter)
        out = _new(Scalar)
        out.v = value
        return out

    def __radd__(self, o: Any) -> Scalar:
        if type(o) is float:
            ov = o
        else:
            ov = _operand(o)
            if ov is None:
                return NotImplemented
        value = ov + self.v
        counter = scalar_fast().add
        if counter is None or value * 0.0 != 0.0:  # (see _made)
            return _made("add", "+", ov, self.v, value)
        next(counter)
        out = _new(Scalar)
        out.v = value
        return out

    def __sub__(self, o: Any) -> Scalar:
        if type(o) is Scalar:
            ov = o.v
        elif type(o) is float:
            ov = o
        else:
            ov = _operand(o)
            if ov is None:
                return NotImplemented
        value = self.v - ov
        counter = scalar_fast().add
        if counter is None or value * 0.0 != 0.0:  # (see _made)
            return _made("add", "-", self.v, ov, value)
        next(counter)
        out = _new(Scalar)
        out.v = value
        return out

    def __rsub__(self, o: Any) -> Scalar:
        if type(o) is float:
            ov = o
        else:
            ov = _operand(o)
            if ov is None:
                return NotImplemented
        value = ov - self.v
        counter = scalar_fast().add
        if counter is None or value * 0.0 != 0.0:  # (see _made)
            return _made("add", "-", ov, self.v, value)
        next(counter)
        out = _new(Scalar)
        out.v = value
        return out

    def __mul__(self, o: Any) -> Scalar:
        if type(o) is Scalar:
            ov = o.v
        elif type(o) is float:
            ov = o
        else:
            ov = _operand(o)
            if ov is None:
                return NotImplemented
        value = self.v * ov
        counter = scalar_fast().mul
        if counter is None or value * 0.0 != 0.0:  # (see _made)
            return _made("mul", "*", self.v, ov, value)
        next(counter)
        out = _new(Scalar)
        out.v = value
        return out

    def __rmul__(self, o: Any) -> Scalar:
        if type(o) is float:
            ov = o
        else:
            ov = _operand(o)
            if ov is None:
                return NotImplemented
        value = ov * self.v
        counter = scalar_fast().mul
        if counter is None or value * 0.0 != 0.0:  # (see _made)
            return _made("mul", "*", ov, self.v, value)
        next(counter)
        out = _new(Scalar)
        out.v = value
        return out

    def __truediv__(self, o: Any) -> Scalar:
        ov = o.v if type(o) is Scalar else _operand(o)
        return NotImplemented if ov is None else _made("div", "/", self.v, ov, _div(self.v, ov))

    def __rtruediv__(self, o: Any) -> Scalar:
        ov = _operand(o)
        return NotImplemented if ov is None else _made("div", "/", ov, self.v, _div(ov, self.v))

    def __floordiv__(self, o: Any) -> Scalar:
        ov = o.v if type(o) is Scalar else _operand(o)
        return NotImplemented if ov is None else _made("div", "//", self.v, ov, _fdiv(self.v, ov))

    def __rfloordiv__(self, o: Any) -> Scalar:
        ov = _operand(o)
        return NotImplemented if ov is None else _made("div", "//", ov, self.v, _fdiv(ov, self.v))

    def __mod__(self, o: Any) -> Scalar:
        ov = o.v if type(o) is Scalar else _operand(o)
        return NotImplemented if ov is None else _made("div", "%", self.v, ov, _mod(self.v, ov))

    def __rmod__(self, o: Any) -> Scalar:
        ov = _operand(o)
        return NotImplemented if ov is None else _made("div", "%", ov, self.v, _mod(ov, self.v))

    def __pow__(self, o: Any) -> Scalar:
        ov = o.v if type(o) is Scalar else _operand(o)
        return NotImplemented if ov is None else _made("pow", "**", self.v, ov, _pow(self.v, ov))

    def __rpow__(self, o: Any) -> Scalar:
        ov = _operand(o)
        return NotImplemented if ov is None else _made("pow", "**", ov, self.v, _pow(ov, self.v))

    def __neg__(self) -> Scalar:
        return self._function("add", "0-", -self.v)  # a negation: a subtraction from 0

    def __pos__(self) -> Scalar:
        return self

    def __abs__(self) -> Scalar:
        return self._function("abs", "abs", abs(self.v))

    # comparisons count as ``max`` (ReLU's max(0, z), its derivative's z > 0) ----------
    def _cmp(self, symbol: str, ov: Any, result: bool) -> bool:
        """Count (and log) one comparison; its result is a plain bool, no Scalar."""
        fast = scalar_fast()
        if fast.max is not None:
            next(fast.max)
        elif not fast.idle and record("max", 1, True):  # (idle: nothing to count)
            trace("max", symbol, (self.v, ov), result)
        return result

    def __gt__(self, o: Any) -> bool:
        ov = o.v if isinstance(o, Scalar) else _operand(o)
        return NotImplemented if ov is None else self._cmp(">", ov, self.v > ov)

    def __ge__(self, o: Any) -> bool:
        ov = o.v if isinstance(o, Scalar) else _operand(o)
        return NotImplemented if ov is None else self._cmp(">=", ov, self.v >= ov)

    def __lt__(self, o: Any) -> bool:
        ov = o.v if isinstance(o, Scalar) else _operand(o)
        return NotImplemented if ov is None else self._cmp("<", ov, self.v < ov)

    def __le__(self, o: Any) -> bool:
        ov = o.v if isinstance(o, Scalar) else _operand(o)
        return NotImplemented if ov is None else self._cmp("<=", ov, self.v <= ov)

    def __eq__(self, o: Any) -> bool:
        ov = o.v if isinstance(o, Scalar) else _operand(o)
        return NotImplemented if ov is None else self._cmp("==", ov, self.v == ov)

    def __ne__(self, o: Any) -> bool:
        ov = o.v if isinstance(o, Scalar) else _operand(o)
        return NotImplemented if ov is None else self._cmp("!=", ov, self.v != ov)

    __hash__ = object.__hash__

    # elementary functions: numpy calls these by name on object arrays (np.exp -> .exp),
    # math.floor/ceil/trunc call __floor__ ... ; each is numpy's own float64 function
    def _function(self, kind: str, name: str, value: float) -> Scalar:
        return _made(kind, name, self.v, _UNARY, value)

    def _apply(self, name: str) -> Scalar:
        return self._function(ELEMENTWISE[name], name, float(getattr(np, name)(np.float64(self.v))))

    def exp(self) -> Scalar:
        return self._apply("exp")

    def exp2(self) -> Scalar:
        return self._apply("exp2")

    def expm1(self) -> Scalar:
        return self._apply("expm1")

    def log(self) -> Scalar:
        return self._apply("log")

    def log2(self) -> Scalar:
        return self._apply("log2")

    def log10(self) -> Scalar:
        return self._apply("log10")

    def log1p(self) -> Scalar:
        return self._apply("log1p")

    def sqrt(self) -> Scalar:
        return self._apply("sqrt")

    def cbrt(self) -> Scalar:
        return self._apply("cbrt")

    def tanh(self) -> Scalar:
        return self._apply("tanh")

    def sinh(self) -> Scalar:
        return self._apply("sinh")

    def cosh(self) -> Scalar:
        return self._apply("cosh")

    def sin(self) -> Scalar:
        return self._apply("sin")

    def cos(self) -> Scalar:
        return self._apply("cos")

    def tan(self) -> Scalar:
        return self._apply("tan")

    def arcsin(self) -> Scalar:
        return self._apply("arcsin")

    def arccos(self) -> Scalar:
        return self._apply("arccos")

    def arctan(self) -> Scalar:
        return self._apply("arctan")

    def arcsinh(self) -> Scalar:
        return self._apply("arcsinh")

    def arccosh(self) -> Scalar:
        return self._apply("arccosh")

    def arctanh(self) -> Scalar:
        return self._apply("arctanh")

    def rint(self) -> Scalar:
        return self._apply("rint")

    def sign(self) -> Scalar:
        return self._apply("sign")

    def __floor__(self) -> Scalar:
        return self._apply("floor")

    def __ceil__(self) -> Scalar:
        return self._apply("ceil")

    def __trunc__(self) -> Scalar:
        return self._apply("trunc")

    def conjugate(self) -> Scalar:
        return self  # a real number is its own conjugate: nothing computed

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


def _operand(o: Any) -> Any:
    """A plain number's value for an operator, None for anything else (NotImplemented)."""
    return o if type(o) in _PLAIN or isinstance(o, _NUMBER) else None


_UNARY = object()  # ``_made``'s second operand when there is none


def _made(kind: str, symbol: str, a: Any, b: Any, value: Any) -> Scalar:
    """The Scalar holding ``value``, the result of ``a symbol b`` (or of the function
    ``symbol`` on ``a``), counted as one operation of ``kind`` and, inside
    ``count(trace=...)``, logged: every operator's one shared path."""
    if value * 0.0 != 0.0:  # inf or nan (finite * 0 is +-0): float64's value and warning
        value = _float64(symbol, a, b, value)
    if not scalar_fast().idle and record(kind, 1, True):  # (idle: nothing to count)
        trace(kind, symbol, (a,) if b is _UNARY else (a, b), value)
    out = _new(Scalar)
    out.v = value
    return out


# Python raises where float64 gives inf or nan: these return nan there, and the operator
# redoes any result that is not finite as numpy's float64 (its value and its warning)
def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        return _NAN


def _fdiv(a: float, b: float) -> float:
    try:
        return float(a // b)
    except ZeroDivisionError:
        return _NAN


def _mod(a: float, b: float) -> float:
    try:
        return float(a % b)
    except ZeroDivisionError:
        return _NAN


def _pow(a: float, b: float) -> float:
    try:
        value = a**b
    except (OverflowError, ZeroDivisionError):
        return _NAN
    return _NAN if type(value) is complex else value  # (a negative base: redone as float64)


_NAN = float("nan")


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

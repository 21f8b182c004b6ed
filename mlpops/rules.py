"""The counting rules: each defined once here, found by name.

A rule turns one numpy call (its operands, options and result) into counts by kind,
``bytes`` included (the compulsory traffic: every input element read once, every output
element written once). ``implements(name, "ufunc" | "function")`` files a rule under
the name numpy gives the callable, as pint's ``implements`` does: the array engine's
generic dispatch (``Tracked.__array_ufunc__`` / ``__array_function__``) looks rules up
by name, its fast paths (operators, ``a.sum()``) call the same primitives
(``elementwise``, ``reduction``, ``matmul``), and the scalar engine takes each
elementary function's kind from ``ELEMENTWISE``. A call with no rule returns None and
is listed in ``Counts.uncounted``: never a silent zero.

Over 500 lines on purpose: this file is the registry, every counting rule in one place, so
that a reader finds any rule by searching one file for its numpy name.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .counting import BYTES, MACS

Kinds = dict[str, int]
Rule = Callable[..., "Kinds | None"]

#: rules for ufuncs: ``rule(ufunc, method, args, kwargs, result) -> kinds or None``
UFUNC_RULES: dict[str, Rule] = {}
#: rules for array functions: ``rule(func, args, kwargs, result) -> kinds or None``
FUNCTION_RULES: dict[str, Rule] = {}
#: numpy function -> its rule (or None), filled by ``rule_for`` as functions are called
_RULE_OF: dict[Any, Rule | None] = {}
_RULE_OF_SIZE = [0]  # how many rules FUNCTION_RULES held when _RULE_OF was filled


def implements(name: str, what: str = "function") -> Callable[[Rule], Rule]:
    """File the decorated rule under ``name`` (a ufunc's or a numpy function's name)."""
    table = {"ufunc": UFUNC_RULES, "function": FUNCTION_RULES}[what]

    def decorate(rule: Rule) -> Rule:
        if name in table:
            raise ValueError(f"two counting rules for the {what} {name!r}")
        table[name] = rule
        _RULE_OF.clear()  # (functions looked up before may have this rule now)
        return rule

    return decorate


# -- what one application of each elementwise ufunc counts as ----------------------
ELEMENTWISE: dict[str, str] = {
    "add": "add",
    "subtract": "add",
    "negative": "add",
    "multiply": "mul",
    "square": "mul",
    "divide": "div",
    "true_divide": "div",
    "reciprocal": "div",
    "floor_divide": "div",
    "remainder": "div",
    "fmod": "div",
    "maximum": "max",
    "minimum": "max",
    "fmax": "max",
    "fmin": "max",
    "greater": "max",
    "greater_equal": "max",
    "less": "max",
    "less_equal": "max",
    "equal": "max",
    "not_equal": "max",
    "exp": "exp",
    "exp2": "exp2",
    "expm1": "expm1",
    "log": "log",
    "log2": "log2",
    "log10": "log10",
    "log1p": "log1p",
    "tanh": "tanh",
    "sqrt": "sqrt",
    "cbrt": "cbrt",
    "power": "pow",
    "float_power": "pow",
    "absolute": "abs",
    "fabs": "abs",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "arcsin": "arcsin",
    "arccos": "arccos",
    "arctan": "arctan",
    "arctan2": "arctan2",
    "sinh": "sinh",
    "cosh": "cosh",
    "arcsinh": "arcsinh",
    "arccosh": "arccosh",
    "arctanh": "arctanh",
    "floor": "floor",
    "ceil": "ceil",
    "trunc": "trunc",
    "rint": "round",
    "sign": "sign",
}
#: ufuncs that only move, relabel or test data: no arithmetic (their bytes still count)
FREE_UFUNCS = frozenset(
    {"positive", "conjugate", "logical_not", "isnan", "isinf", "isfinite", "signbit"}
)

#: ``clip(x, lo, hi)`` makes one comparison per bound per element.
CLIP_COMPARISONS = 2

# -- bytes: what a call must read and write -------------------------------------------


def leaves(x: Any) -> Iterator[Any]:
    """The values inside nested lists and tuples (numpy's operand lists)."""
    if type(x) is list or type(x) is tuple:
        for v in x:
            yield from leaves(v)
    else:
        yield x


def nbytes(x: Any) -> int:
    """Bytes to read or write ``x`` once: an array's elements at its dtype's size, a numpy
    scalar's size; a Python number (a constant in the instruction stream) costs 0, and
    so does an object array (the scalar engine: its traffic is not seen)."""
    if isinstance(x, np.ndarray):
        return 0 if x.dtype.kind == "O" else x.nbytes
    if isinstance(x, np.generic):
        return x.itemsize
    return 0


def traffic(inputs: Any, outputs: Any) -> int:
    """Compulsory memory traffic: every input element read once, every output element
    written once (an operand given twice is read twice; a broadcast input at its size)."""
    moved = 0
    for x in inputs if type(inputs) is list or type(inputs) is tuple else (inputs,):
        if type(x) is ndarray:
            if x.dtype.kind != "O":
                moved += x.nbytes
        elif type(x) is list or type(x) is tuple:
            moved += traffic(x, ())
        elif type(x) is not float and type(x) is not int and type(x) is not str:
            moved += nbytes(x)  # (a Python number or a name: 0 bytes)
    if type(outputs) is ndarray:
        return moved + nbytes(outputs)
    if type(outputs) is tuple and not outputs:
        return moved
    for x in leaves(outputs):
        moved += nbytes(x)
    return moved


ndarray = np.ndarray


def copy_traffic(inputs: Any, result: Any) -> int:
    """A data-movement call: a view moves nothing; a copy that materialises reads what
    it writes (each new element read once from the inputs, written once)."""
    arrays = [x for x in leaves(inputs) if isinstance(x, np.ndarray)]
    moved = 0
    for r in leaves(result):
        if isinstance(r, np.ndarray):
            if not any(np.may_share_memory(r, a) for a in arrays):
                moved += 2 * nbytes(r)
        elif isinstance(r, np.generic):
            moved += 2 * r.itemsize
    return moved


# -- the primitives: the arithmetic of a call, from sizes -----------------------------
def elementwise(kind: str, outputs: int, moved: int = 0) -> Kinds:
    """A function applied elementwise: one ``kind`` per output element."""
    return {kind: outputs, BYTES: moved}


def reduction(kind: str, terms: int, outputs: int, moved: int = 0, initial: bool = False) -> Kinds:
    """``outputs`` results combining ``terms`` values in all: k terms take k - 1 steps
    (k steps when an initial value starts each result)."""
    steps = terms if initial else max(terms - outputs, 0)
    return {kind: steps, BYTES: moved}


def matmul(outputs: int, k: int, moved: int = 0) -> Kinds:
    """Each output a dot product of k terms: k multiplies, k - 1 additions, k MACs."""
    return {"mul": outputs * k, "add": outputs * max(k - 1, 0), MACS: outputs * k, BYTES: moved}


def size(x: Any) -> int:
    return x.size if isinstance(x, np.ndarray) else 1


# -- ufuncs -----------------------------------------------------------------------------
def _terms_per_output(a: np.ndarray, axis: Any, where: Any) -> tuple[int, int, int]:
    """(terms combined in all, outputs, outputs with no term) of a reduction."""
    a = np.asarray(a)
    if axis is None:
        axes = tuple(range(a.ndim))
    else:
        axes = axis if isinstance(axis, tuple) else (axis,)
        axes = tuple(ax % a.ndim if a.ndim else 0 for ax in axes)
    if where is None or where is True:
        k = math.prod(a.shape[ax] for ax in axes) if a.ndim else 1
        outputs = math.prod(s for i, s in enumerate(a.shape) if i not in axes)
        return k * outputs, outputs, outputs if k == 0 else 0
    mask = np.broadcast_to(where, a.shape)
    per = np.count_nonzero(mask, axis=axes) if axes else mask.astype(int)
    per = np.asarray(per)
    return int(per.sum()), per.size, int(np.count_nonzero(per == 0))


def _ufunc_reduce(kind: str, a: Any, kwargs: dict, result: Any) -> Kinds:
    where = kwargs.get("where", True)
    initial = kwargs.get("initial", np._NoValue)
    started = initial is not None and initial is not np._NoValue
    if where is True or where is None:  # every term: k - 1 steps per output
        terms = np.size(a)
        filled = size(result) if terms else 0  # (no term: numpy's identity, no step)
        return reduction(kind, terms, filled, traffic([a], result), started)
    terms, outputs, empty = _terms_per_output(a, kwargs.get("axis", 0), where)
    reads = [a, where] if isinstance(where, np.ndarray) else [a]
    # an output with no term takes numpy's identity (or the initial value): no step
    return reduction(kind, terms, outputs - empty, traffic(reads, result), started)


def _elementwise_rule(kind: str) -> Rule:
    def rule(ufunc: np.ufunc, method: str, args: list, kwargs: dict, result: Any) -> Kinds | None:
        where = kwargs.get("where", True)
        if method == "__call__":
            reads = list(args) + ([where] if isinstance(where, np.ndarray) else [])
            first = result[0] if isinstance(result, tuple) else result
            n = size(first)
            if where is not True:
                n = int(np.count_nonzero(np.broadcast_to(where, np.shape(first))))
            return elementwise(kind, n, traffic(reads, result))
        if method == "reduce":
            return _ufunc_reduce(kind, args[0], kwargs, result)
        if method == "accumulate":
            terms, outputs, _ = _terms_per_output(args[0], kwargs.get("axis", 0), None)
            return reduction(kind, terms, outputs, traffic(args, result))
        if method == "outer":
            return elementwise(kind, size(result), traffic(args, result))
        if method == "at":  # a[indices] op= b: indices and b read, each a[i] read and written
            n = size(np.asarray(args[1])[..., None].reshape(-1))
            b = args[2] if len(args) > 2 else None
            moved = nbytes(np.asarray(args[1])) + nbytes(b) + 2 * n * args[0].itemsize
            return elementwise(kind, n, moved)
        if method == "reduceat":
            a, indices = np.asarray(args[0]), np.asarray(args[1])
            axis = kwargs.get("axis", 0) % max(a.ndim, 1)
            length, outputs = a.shape[axis], size(result)
            per_row = outputs // max(len(indices), 1)
            steps = 0
            for i, start in enumerate(indices):
                stop = indices[i + 1] if i + 1 < len(indices) else length
                steps += max(stop - start - 1, 0)  # (start >= stop: a[start] copied)
            return {kind: steps * per_row, BYTES: traffic([a, indices], result)}
        return None

    rule.__name__ = f"{kind}_elementwise"
    return rule


for _name, _kind in ELEMENTWISE.items():
    _ufunc = getattr(np, _name, None)
    if isinstance(_ufunc, np.ufunc) and _ufunc.__name__ not in UFUNC_RULES:  # (aliases)
        implements(_ufunc.__name__, "ufunc")(_elementwise_rule(_kind))


def _free_ufunc(ufunc, method, args, kwargs, result) -> Kinds:
    """No arithmetic: a test or a relabelling, its input read and its output written."""
    return {BYTES: traffic(args, result)}


for _name in FREE_UFUNCS:
    implements(_name, "ufunc")(_free_ufunc)


#: ufuncs that are matrix or vector products: dot products of k = last axis of args[0]
PRODUCTS = frozenset({"matmul", "vecdot", "matvec", "vecmat"})


@implements("matmul", "ufunc")
@implements("vecdot", "ufunc")
@implements("matvec", "ufunc")
@implements("vecmat", "ufunc")
def _matmul_ufunc(ufunc, method, args, kwargs, result) -> Kinds | None:
    if method != "__call__":
        return None
    return matmul(size(result), np.shape(args[0])[-1], traffic(args, result))


@implements("clip", "ufunc")
def _clip_ufunc(ufunc, method, args, kwargs, result) -> Kinds | None:
    if method != "__call__":
        return None
    bounds = sum(x is not None for x in args[1:3])
    return elementwise("max", size(result) * bounds, traffic(args, result))


def ufunc_counts(ufunc: np.ufunc, method: str, args: list, kwargs: dict, result: Any):
    """The counts of one ufunc call, or None when no rule covers it."""
    rule = UFUNC_RULES.get(ufunc.__name__)
    return None if rule is None else rule(ufunc, method, args, kwargs, result)


# -- array functions ----------------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def _positional_names(func: Any) -> tuple[str, ...]:
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in kinds)


def bound(func: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """A call's arguments by parameter name (positional ones named too; defaults left
    out: rules read them with ``.get``)."""
    params = dict(zip(_positional_names(func), args)) if args else {}
    params.update(kwargs)
    return params


def _reads(args: tuple, kwargs: dict) -> Any:
    if not kwargs:  # (the usual)
        return args
    return [args, [v for k, v in kwargs.items() if k != "out"]]


#: data-movement functions: no arithmetic (views move nothing, copies their bytes)
FREE_FUNCTIONS = frozenset(
    """reshape ravel transpose swapaxes moveaxis rollaxis expand_dims squeeze
    concatenate stack vstack hstack dstack column_stack block split array_split
    hsplit vsplit dsplit atleast_1d atleast_2d atleast_3d broadcast_to broadcast_arrays
    copy copyto zeros_like ones_like empty_like full_like shape ndim size result_type
    can_cast may_share_memory shares_memory take take_along_axis put repeat tile flip
    fliplr flipud roll rot90 diagonal where nonzero argwhere flatnonzero pad asarray
    asanyarray array ascontiguousarray asfortranarray iscomplexobj isrealobj real imag
    diag diagflat tril triu append insert delete resize unstack matrix_transpose
    permute_dims concat astype select choose compress extract place putmask
    isscalar iscomplex isreal isfortran ndim count_nonzero""".split()
)
#: of those, the ones that read every input element to make each output (not copies)
_ELEMENTWISE_MOVES = frozenset({"where", "select", "choose", "count_nonzero"})
#: of those, the ones that allocate and fill (written only) or leave memory unwritten
_FILLS = {"zeros_like": 1, "ones_like": 1, "full_like": 1, "empty_like": 0}


def _free_function(func, args, kwargs, result) -> Kinds:
    name = func.__name__
    if name in _ELEMENTWISE_MOVES:
        return {BYTES: traffic(_reads(args, kwargs), result)}
    if name in _FILLS:
        return {BYTES: _FILLS[name] * nbytes(result)}
    return {BYTES: copy_traffic((args, list(kwargs.values())), result)}


for _name in FREE_FUNCTIONS:
    implements(_name, "function")(_free_function)


#: reductions as functions: the ufunc whose reduce they are, and a division per output
REDUCTIONS: dict[str, tuple[str, bool]] = {
    "sum": ("add", False),
    "mean": ("add", True),
    "prod": ("mul", False),
    "max": ("max", False),
    "amax": ("max", False),
    "min": ("max", False),
    "amin": ("max", False),
}


def _reduction_function(kind: str, divides: bool) -> Rule:
    def rule(func, args, kwargs, result) -> Kinds:
        params = bound(func, args, kwargs)
        a = params.get("a", args[0] if args else None)
        options = {k: params[k] for k in ("axis", "initial", "where") if k in params}
        options.setdefault("axis", None)
        counts = _ufunc_reduce(kind, a, options, result)
        if divides:  # one division per output
            counts["div"] = size(result)
        return counts

    return rule


for _name, (_kind, _divides) in REDUCTIONS.items():
    implements(_name, "function")(_reduction_function(_kind, _divides))


@implements("argmax")
@implements("argmin")
def _arg_reduction(func, args, kwargs, result) -> Kinds:
    params = bound(func, args, kwargs)
    a = params["a"]
    terms, outputs, _ = _terms_per_output(a, params.get("axis"), None)
    return reduction("max", terms, outputs, traffic([a], result))


@implements("cumsum")
@implements("cumprod")
def _cumulative(func, args, kwargs, result) -> Kinds:
    params = bound(func, args, kwargs)
    a = np.asarray(params["a"])
    axis = params.get("axis")
    if axis is None:
        terms, outputs = a.size, 1
    else:
        terms, outputs, _ = _terms_per_output(a, axis, None)
    kind = "add" if func.__name__ == "cumsum" else "mul"
    return reduction(kind, terms, outputs, traffic([params["a"]], result))


@implements("trace")
def _trace(func, args, kwargs, result) -> Kinds:
    params = bound(func, args, kwargs)
    a = np.asarray(params["a"])
    diag = np.diagonal(a, params.get("offset", 0), params.get("axis1", 0), params.get("axis2", 1))
    outputs = size(result)
    return reduction("add", diag.size, outputs, nbytes(diag) + nbytes(result))


@implements("clip")
def _clip_function(func, args, kwargs, result) -> Kinds:
    if len(args) == 3 and not kwargs:  # the usual, np.clip(a, lo, hi): read in place
        bounds = (args[1] is not None) + (args[2] is not None)
        return elementwise("max", size(result) * bounds, traffic(args, result))
    params = bound(func, args, kwargs)
    lo = params.get("a_min", params.get("min"))
    hi = params.get("a_max", params.get("max"))
    lo = None if lo is np._NoValue else lo
    hi = None if hi is np._NoValue else hi
    bounds = (lo is not None) + (hi is not None)
    return elementwise("max", size(result) * bounds, traffic(_reads(args, kwargs), result))


@implements("round")
@implements("around")
def _round(func, args, kwargs, result) -> Kinds:
    """Rounding to d decimals: x * 10**d, rounded, / 10**d (d = 0: the rounding only)."""
    params = bound(func, args, kwargs)
    n = size(result)
    moved = traffic([params["a"]], result)
    if params.get("decimals", 0):
        return {"mul": n, "round": n, "div": n, BYTES: moved}
    return {"round": n, BYTES: moved}


@implements("var")
@implements("std")
def _variance(func, args, kwargs, result) -> Kinds:
    """mean (k - 1 adds, 1 div), k deviations, k squares, their sum (k - 1 adds) over
    k - ddof (1 div) per output; std adds a square root."""
    params = bound(func, args, kwargs)
    a = params["a"]
    terms, outputs, empty = _terms_per_output(a, params.get("axis"), None)
    filled = outputs - empty
    steps = max(terms - filled, 0)
    counts = {"add": 2 * steps + terms, "mul": terms, "div": 2 * outputs}
    if func.__name__ == "std":
        counts["sqrt"] = outputs
    counts[BYTES] = traffic([a], result)
    return counts


# -- contractions ------------------------------------------------------------------------
def _contraction(macs: int, outputs: int, factors: int, moved: int) -> Kinds:
    """Sums of products: each of ``macs`` terms multiplies ``factors`` values
    (factors - 1 multiplies); each output sums its terms (terms - 1 additions)."""
    counts = {"mul": macs * (factors - 1), "add": max(macs - outputs, 0) if macs else 0}
    counts[MACS] = macs if factors == 2 else 0
    counts[BYTES] = moved
    return counts


@implements("dot")
@implements("inner")
@implements("vdot")
@implements("tensordot")
def _dot(func, args, kwargs, result) -> Kinds:
    macs = contraction_macs(func.__name__, args, kwargs, result)
    return _contraction(macs, size(result), 2, traffic(_reads(args, kwargs), result))


@implements("outer")
def _outer(func, args, kwargs, result) -> Kinds:
    return {"mul": size(result), BYTES: traffic(_reads(args, kwargs), result)}


@implements("einsum")
def _einsum(func, args, kwargs, result) -> Kinds:
    """What numpy actually contracts: the path ``einsum_path`` chooses when ``optimize``
    is on (pairwise steps), else the one naive loop over every index."""
    subscripts, operands = args[0], args[1:]
    if not isinstance(subscripts, str):
        raise TypeError("mlpops counts einsum in its subscripts-string form only")
    moved = traffic(_reads(args, kwargs), result)
    optimize = kwargs.get("optimize", False) if kwargs else False
    arrays = [o for o in operands if isinstance(o, np.ndarray) or np.isscalar(o)]
    if optimize is not False and len(arrays) > 2:
        path, _ = np.einsum_path(subscripts, *operands, optimize=optimize)
        total = {"mul": 0, "add": 0, MACS: 0}
        steps = _einsum_steps(subscripts, shapes_of(operands), tuple(map(tuple, path[1:])))
        for macs, outputs, factors in steps:
            part = _contraction(macs, outputs, factors, 0)
            for k in total:
                total[k] += part[k]
        total[BYTES] = moved
        return total
    macs = contraction_macs("einsum", args, kwargs, result)
    return _contraction(macs, size(result), len(arrays), moved)


@functools.lru_cache(maxsize=256)
def _einsum_steps(subscripts: str, shapes: tuple, path: tuple) -> list[tuple[int, int, int]]:
    """(terms, outputs, factors) of each pairwise contraction along ``path``."""
    terms, out, sizes = einsum_plan(subscripts, shapes)
    terms = list(terms)
    steps = []
    for step_no, pair in enumerate(path):
        picked = [terms[i] for i in pair]
        for i in sorted(pair, reverse=True):
            del terms[i]
        rest = "".join(terms) + out
        letters = set("".join(picked))
        if step_no == len(path) - 1:
            keep = out
        else:
            keep = "".join(sorted(c for c in letters if c in rest))
        outputs = math.prod(sizes[c] for c in keep)
        macs = outputs * math.prod(sizes[c] for c in letters if c not in keep)
        steps.append((macs, outputs, len(picked)))
        terms.append(keep)
    return steps


def contraction_macs(name: str, args: tuple, kwargs: dict, result: Any) -> int:
    """Number of product terms summed to make the result (multiply-accumulates)."""
    if name == "einsum":
        subscripts, operands = args[0], args[1:]
        if not isinstance(subscripts, str):
            raise TypeError("mlpops counts einsum in its subscripts-string form only")
        return size(result) * _einsum_terms(subscripts, shapes_of(operands))
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
        return size(result) * k
    if a.ndim == 0 or b.ndim == 0:
        return size(result)
    return size(result) * a.shape[-1]


def shapes_of(operands: Any) -> tuple:
    """Each operand's shape (an array's read directly: np.shape dispatches)."""
    return tuple([o.shape if type(o) is ndarray else np.shape(o) for o in operands])


@functools.lru_cache(maxsize=256)
def _einsum_terms(subscripts: str, shapes: tuple) -> int:
    """How many product terms each output of this einsum sums."""
    _, out, sizes = einsum_plan(subscripts, shapes)
    return math.prod(n for c, n in sizes.items() if c not in out)


@functools.lru_cache(maxsize=256)
def einsum_plan(subscripts: str, shapes: tuple) -> tuple[tuple[str, ...], str, dict[str, int]]:
    """einsum's subscripts for these operand shapes: each operand's letters (ellipses
    spelled out), the output's letters, and the size of every letter."""
    subscripts = subscripts.replace(" ", "")
    lhs, _, rhs = subscripts.partition("->")
    terms = lhs.split(",")
    letters = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in subscripts]
    ell_dims = max(
        (len(shape) - len(t.replace("...", "")) for t, shape in zip(terms, shapes)), default=0
    )
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


def rule_for(func: Any) -> Rule | None:
    """The rule for a numpy function, by name (None: no rule; numpy.linalg, numpy.fft
    and numpy.random have none, whatever their functions are called)."""
    if len(FUNCTION_RULES) != _RULE_OF_SIZE[0]:  # a rule filed or removed since: forget
        _RULE_OF.clear()
        _RULE_OF_SIZE[0] = len(FUNCTION_RULES)
    try:
        return _RULE_OF[func]
    except (KeyError, TypeError):  # (first call of func, or func unhashable)
        pass
    rule = FUNCTION_RULES.get(func.__name__)
    if rule is None or _qualname(func).startswith(("np.linalg.", "np.fft.", "np.random.")):
        rule = None
    with contextlib.suppress(TypeError):
        _RULE_OF[func] = rule
    return rule


def function_counts(func: Any, args: tuple, kwargs: dict, result: Any) -> Kinds | None:
    """The counts of one array-function call, or None when no rule covers it."""
    rule = rule_for(func)
    return None if rule is None else rule(func, args, kwargs, result)


def _qualname(func: Any) -> str:
    module = getattr(func, "__module__", "") or ""
    module = module.replace("numpy._core", "numpy").replace("numpy.core", "numpy")
    module = "np" + module[5:] if module.startswith("numpy") else module or "np"
    return f"{module}.{func.__name__}"


def qualname(func: Any) -> str:
    """How ``Counts.uncounted`` names a numpy callable: ``np.sort``, ``np.linalg.svd``."""
    return _qualname(func)

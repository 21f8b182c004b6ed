"""The counter: ``count()`` opens a tally, ``scope()`` names where operations happen.

Every engine reports what it counted with ``record(kind, n)`` (or ``record({kind: n,
...})``): the one way into the open tallies. The active tallies live in a context
variable, so threads and asyncio tasks never see each other's operations, and nested
``count()`` blocks all receive what runs inside them. Scope paths are relative to the
``count()`` block that sees them.

Over 500 lines on purpose: ``count()``, ``scope()``, the tallies they share across threads
and ``Counts`` are one mechanism, and the state rules that keep it from leaking (exceptions,
paused generators, threads) read best in one place.
"""

from __future__ import annotations

import contextvars
import difflib
import html
import itertools
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: Arithmetic kinds every table shows first, in this order (others follow by name).
CORE_KINDS = ("mul", "add", "div", "max")
#: Elementary functions counted under their own name.
FUNCTION_KINDS = (
    "exp",
    "log",
    "tanh",
    "sqrt",
    "pow",
    "abs",
    "sin",
    "cos",
    "expm1",
    "log1p",
    "log2",
    "log10",
    "exp2",
    "floor",
    "ceil",
    "round",
    "sign",
    "cbrt",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "arctan2",
    "sinh",
    "cosh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "trunc",
)
#: Applications of a transfer function f: a tally beside the arithmetic, not in ``total``.
ACTIVATIONS = "activations"
#: Multiply-accumulates inside matrix products: kept for the MACs convention, not a kind.
MACS = "macs"
#: Compulsory memory traffic: every input element read once, every output element
#: written once, at the dtype's size. A tally beside the arithmetic, never in ``total``.
BYTES = "bytes"
#: Kinds that are tallied beside the arithmetic and never added into ``total``.
NOT_ARITHMETIC = frozenset((ACTIVATIONS, MACS, BYTES))
KNOWN_KINDS = frozenset(CORE_KINDS + FUNCTION_KINDS + (ACTIVATIONS, BYTES))


@dataclass(frozen=True)
class TraceEntry:
    """One traced operation: what ran, on what, giving what, where."""

    kind: str
    op: str
    operands: tuple
    result: Any
    scope: str
    count: int = 1

    def __str__(self) -> str:
        args = ", ".join(_short(x) for x in self.operands)
        where = f"  [{self.scope}]" if self.scope else ""
        many = f" x{self.count}" if self.count != 1 else ""
        return f"{self.kind:>5}{many}  {self.op}({args}) = {_short(self.result)}{where}"


def _short(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


class TraceLimitError(RuntimeError):
    """Raised when a trace would grow past its limit (so a kernel never freezes)."""


class _Tally:
    """The mutable state behind one ``count()`` block: per-scope dicts of kind -> n."""

    __slots__ = (
        "buckets",
        "scalar_buckets",
        "scalar_fast",
        "threads",
        "uncounted",
        "trace",
        "trace_limit",
    )

    def __init__(self, trace_limit: int | None) -> None:
        self.buckets: dict[tuple[str, ...], dict[str, int]] = {}
        # what the scalar engine counted, kept apart: it cannot see memory traffic
        self.scalar_buckets: dict[tuple[str, ...], dict[str, int]] = {}
        # and the scalar engine's additions, multiplications and comparisons, where
        # they count fast (ScalarFast)
        self.scalar_fast: list[tuple[tuple[str, ...], ScalarFast]] = []
        # buckets of other threads sharing this block's context (copy_context().run):
        # (path, kinds, scalar engine?), each written by one thread only, so exact
        self.threads: list[tuple[tuple[str, ...], dict[str, int], bool]] = []
        self.uncounted: dict[str, int] = {}
        self.trace: list[TraceEntry] | None = [] if trace_limit else None
        self.trace_limit = trace_limit or 0


_LOCK = threading.Lock()
_new = object.__new__


class ScalarFast:
    """The scalar engine's fast path (see ``scalar_fast``): ``add``, ``mul`` and
    ``max`` count the additions, multiplications and comparisons of one scope of one
    ``count()`` block, None where the caller must go through ``record`` instead;
    ``idle``: True while no block is open anywhere (nothing to count, nothing to note:
    ``record`` can be skipped).

    Each is an ``itertools.count``: one ``next()`` is one step in C that no other
    thread can split (the GIL), so threads sharing the block's context count into it
    exactly without asking which thread runs, a question (a ``threading.local`` or
    ``get_ident()``) that costs more than the counting itself."""

    __slots__ = ("add", "mul", "max", "idle")

    def __init__(self, counting: bool) -> None:
        self.add = itertools.count() if counting else None
        self.mul = itertools.count() if counting else None
        self.max = itertools.count() if counting else None
        self.idle = False

    def counters(self) -> tuple:
        return self.add, self.mul, self.max

    def __reduce__(self) -> tuple:
        """Copied and pickled as its counts (``itertools.count`` stopped being
        picklable in Python 3.14): a live ``Counts`` copies like the dicts beside it."""
        return _restored, (self.counts(),)

    def counts(self) -> dict[str, int]:
        """What was counted so far, kind -> n (the kinds with none left out)."""
        out = {}
        for kind, counter in (("add", self.add), ("mul", self.mul), ("max", self.max)):
            n = _counted(counter) if counter is not None else 0
            if n:
                out[kind] = n
        return out


def _restored(counts: dict[str, int]) -> ScalarFast:
    """A ScalarFast whose counters start at ``counts`` (see ``ScalarFast.__reduce__``)."""
    fast = ScalarFast(False)
    fast.add, fast.mul, fast.max = (
        itertools.count(counts.get(k, 0)) for k in ("add", "mul", "max")
    )
    return fast


def _counted(counter: itertools.count) -> int:
    """How far an ``itertools.count()`` has counted, read without a step: its repr,
    ``count(n)``, the one reading that does not move it."""
    return int(repr(counter)[6:-1])


def _atomic_next() -> bool:
    """True where ``next()`` on a counter cannot be split by another thread: not in a
    free-threaded Python running without its GIL (there every scalar operation goes
    through ``record``, one bucket per thread, slower and as exact)."""
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    return is_gil_enabled is None or is_gil_enabled()


_NO_FAST = ScalarFast(False)  # never counts: every call goes through record
#: ``scalar_fast()`` where no block is open in this context: while no block is open
#: anywhere, counters nobody reads (nothing to count, nothing to note); while one is
#: open in some thread, None, so that the call is noted there
_IDLE = ScalarFast(True)
_IDLE.idle = True
_UNREAD = ScalarFast(True)  # counters for _IDLE when the last block closes: nobody reads them
_get_ident = threading.get_ident
#: open count() blocks -> the thread that opened each (to note work in other threads)
_OPEN: dict[_Tally, int] = {}
#: how a call made in a thread with no count() open is noted in the blocks open elsewhere
OTHER_THREADS = "operations in other threads (not counted: no count() open there)"


class _State:
    """What is open in this context: the scope path, the tallies, where ops go now.

    Immutable by convention and rebuilt on every scope change, so that recording an
    operation (the hot path) is one lookup and a loop over ``sinks``. The thread that
    made it writes ``sinks``; any other thread sharing the context gets buckets of its
    own (``thread_sinks``), so no two threads ever add into the same dict.
    """

    __slots__ = (
        "path",
        "tallies",
        "sinks",
        "sink",
        "scalar_sinks",
        "scalar_sink",
        "scalar_fast",
        "tracing",
        "children",
        "owner",
        "others",
    )

    def _bind(self) -> None:
        """Everything but path and tallies ((tally, length of path when it was opened),
        ...), from them."""
        path, tallies = self.path, self.tallies
        self.children: dict[str, _State] = {}  # scope name -> state, made once, reused
        self.owner = _get_ident()
        self.others: dict[tuple[int, bool], tuple] | None = None  # (thread, scalar?) -> sinks
        # each tally's bucket for the current path, relative to where the tally opened
        if len(tallies) == 1:  # the usual case, written out: this runs on every scope
            tally, base = tallies[0]
            self.sink = tally.buckets.setdefault(path[base:], {})
            self.sinks = (self.sink,)
            self.tracing = (tally,) if tally.trace is not None else ()
        else:
            self.sinks = tuple(t.buckets.setdefault(path[base:], {}) for t, base in tallies)
            self.tracing = tuple(t for t, _ in tallies if t.trace is not None)
            self.sink = None  # (the engines' fastest path: exactly one count() open)
        # the scalar engine's buckets, made on its first operation here (most scopes
        # never see one): None until then, () when nothing is counting
        self.scalar_sinks: tuple | None = None if tallies else ()
        self.scalar_sink: dict[str, int] | None = None
        # that same bucket for ``scalar_fast()``, made on the first scalar operation
        # when exactly one block is open and nothing traces here
        self.scalar_fast: ScalarFast = _NO_FAST

    def child(self, name: str) -> _State:
        """The state inside scope ``name`` here: made on its first entry in this
        ``count()`` block, then reused (``children``) by every later entry; the next
        block makes its own, so no two blocks ever share a state or a bucket."""
        child = _State()  # (no __init__: type() then the slots, the cheapest way)
        child.path = path = self.path + (name,)
        child.tallies = tallies = self.tallies
        if len(tallies) != 1:
            child._bind()  # (several blocks open, or a scope entered after its block)
        else:  # the usual, as _bind does it, written out: once per scope and block
            child.children = {}
            child.owner = _get_ident()
            child.others = None
            tally, base = tallies[0]
            child.sink = sink = tally.buckets.setdefault(path[base:], {})
            child.sinks = (sink,)
            child.tracing = self.tracing  # (the same tallies: the same tracing)
            child.scalar_sinks = None
            child.scalar_sink = None
            child.scalar_fast = _NO_FAST
        self.children[name] = child
        return child

    def own_scalar_sinks(self) -> tuple:
        """The scalar engine's buckets for the thread that made this state."""
        if self.scalar_sinks is None:
            self.scalar_sinks = tuple(
                t.scalar_buckets.setdefault(self.path[base:], {}) for t, base in self.tallies
            )
            self.scalar_sink = self.scalar_sinks[0] if len(self.scalar_sinks) == 1 else None
            if self.scalar_sink is not None and not self.tracing and _atomic_next():
                tally, base = self.tallies[0]
                self.scalar_fast = ScalarFast(True)
                tally.scalar_fast.append((self.path[base:], self.scalar_fast))
        return self.scalar_sinks

    def thread_sinks(self, scalar: bool) -> tuple:
        """The sinks of a thread that did not make this state (made once per thread)."""
        if not self.tallies:
            if _OPEN:
                _note_other_thread()
            return ()
        key = (threading.get_ident(), scalar)
        sinks = self.others.get(key) if self.others is not None else None
        if sinks is None:
            with _LOCK:
                if self.others is None:
                    self.others = {}
                made = []
                for tally, base in self.tallies:
                    bucket: dict[str, int] = {}
                    tally.threads.append((self.path[base:], bucket, scalar))
                    made.append(bucket)
                sinks = self.others[key] = tuple(made)
        return sinks


def _state_at(path: tuple[str, ...], tallies: tuple) -> _State:
    """A state that is no scope's child: no block open, or a block's own."""
    state = _State()
    state.path = path
    state.tallies = tallies
    state._bind()
    return state


def _note_other_thread() -> None:
    """A call in a thread with no count() open while blocks are open in other threads:
    note it in those blocks (visible in ``uncounted``), never a silent zero."""
    me = threading.get_ident()
    with _LOCK:
        for tally, opener in _OPEN.items():
            if opener != me:
                tally.uncounted[OTHER_THREADS] = tally.uncounted.get(OTHER_THREADS, 0) + 1


_EMPTY = _state_at((), ())
_EMPTY.scalar_fast = _IDLE  # type: ignore[assignment]
_state: contextvars.ContextVar[_State] = contextvars.ContextVar("mlpops", default=_EMPTY)
_get_state = _state.get
_set_state = _state.set
# the current state's ``scalar_fast``, kept beside it (set wherever the state is set)
# so that the scalar engine reaches its bucket with no Python call in between
_fast: contextvars.ContextVar[ScalarFast] = contextvars.ContextVar("mlpops-scalar", default=_IDLE)
_set_fast = _fast.set

#: ``scalar_fast().add``, ``.mul``, ``.max``: the scalar engine's fast path, a C-level
#: call (no Python frame: it runs once per scalar operation). The counter that the
#: next addition (multiplication, comparison) here steps, ``next(counter)``, or None
#: when the caller must go through ``record(kind, 1, scalar=True)`` instead (several
#: blocks open, a trace wanted, the first scalar operation in this scope, or no block
#: open here while one is open in another thread; with no block open anywhere it is a
#: counter nobody reads). See ``ScalarFast``. Public so that no module but this one
#: reads the counting state.
scalar_fast: Callable[[], ScalarFast] = _fast.get


def active() -> bool:
    """True when some ``count()`` block is open in this context."""
    state = _get_state()
    if state.sinks:
        return True
    if _OPEN and state.owner != _get_ident():  # a worker thread while a block is open
        _note_other_thread()
    return False


def record(kind: str | Mapping[str, int], n: int = 1, scalar: bool = False, moved: int = 0) -> Any:
    """Add ``n`` operations of ``kind`` (or each ``{kind: n}`` of a mapping) to every
    open ``count()`` block; ``scalar=True`` for the scalar engine's own operations;
    ``moved``: the bytes of memory traffic that go with them (array engine).

    The one way any module records into the open tallies. Returns something true when
    an open ``count(trace=...)`` block wants the operation logged (see ``trace``)."""
    state = _get_state()
    if scalar:  # the scalar engine: one operation of one kind, once per Python call
        sink = state.scalar_sink
        if sink is not None and state.owner == _get_ident():
            try:
                sink[kind] += n
            except KeyError:
                sink[kind] = n
            return state.tracing
    elif state.sink is not None and state.owner == _get_ident():  # one block open
        sink = state.sink
        if type(kind) is str:
            if n:
                sink[kind] = sink.get(kind, 0) + n
            if moved:
                sink[BYTES] = sink.get(BYTES, 0) + moved
        else:
            for k, m in kind.items():
                if m:
                    sink[k] = sink.get(k, 0) + m
        return state.tracing
    if state.owner != _get_ident():
        sinks = state.thread_sinks(scalar)
    elif scalar:
        sinks = state.own_scalar_sinks()
        if state.scalar_fast is not _NO_FAST:
            _set_fast(state.scalar_fast)  # the next operation here takes the fast path
    else:
        sinks = state.sinks
    if type(kind) is str:
        for sink in sinks:
            if n:
                sink[kind] = sink.get(kind, 0) + n
            if moved:
                sink[BYTES] = sink.get(BYTES, 0) + moved
    else:
        for sink in sinks:
            for k, m in kind.items():
                if m:
                    sink[k] = sink.get(k, 0) + m
    return state.tracing


def record_uncounted(name: str) -> None:
    """Note one call that ran without a counting rule (shown, never a silent zero)."""
    tallies = _get_state().tallies
    if len(tallies) and _get_state().owner != _get_ident():
        with _LOCK:
            for tally, _ in tallies:
                tally.uncounted[name] = tally.uncounted.get(name, 0) + 1
        return
    for tally, _ in tallies:
        tally.uncounted[name] = tally.uncounted.get(name, 0) + 1


def tracing() -> bool:
    """True when an open ``count(trace=...)`` block wants each operation logged."""
    return bool(_get_state().tracing)


def trace(kind: str, op: str, operands: tuple, result: Any, count: int = 1) -> None:
    """Log one operation in every tracing ``count()`` block, within its size limit."""
    state = _get_state()
    for tally in state.tracing:
        if len(tally.trace) >= tally.trace_limit:
            raise TraceLimitError(
                f"the trace already holds {tally.trace_limit:,} operations, its limit. "
                "Trace a smaller network or batch, or pass a larger "
                "trace=... to count() (each entry keeps its operands in memory)."
            )
        path = "/".join(state.path)
        tally.trace.append(TraceEntry(kind, op, operands, result, path, count))


def count(trace: bool | int = False) -> _Count:
    """Count every operation that runs inside the block.

    ``with mlpops.count() as ops: ...`` then ``ops["mul"]``, ``ops.total``,
    ``ops.bytes``. The Counts is live inside the block and final after it, also when the
    block raises. ``trace=True`` (or a number, the limit; default 10,000) also logs each
    operation in ``ops.trace``.

    Leaving the block restores the state from before it, whatever happened inside
    (an exception, a scope left open, a generator paused inside a scope).

    What is counted, exactly:

    - the code of the block, in this thread and this context (asyncio tasks started
      inside it copy the context: they are counted; nested blocks all count);
    - other threads that run in a copy of this context
      (``contextvars.copy_context().run``): counted exactly, each thread into buckets
      of its own (the scalar engine's additions, multiplications and comparisons
      into counters that no thread can split, see ``ScalarFast``);
    - NOT counted: threads started inside the block (``threading.Thread``,
      ``ThreadPoolExecutor``) — a thread starts with no ``count()`` open. Their calls
      are not silent: each is noted in ``ops.uncounted`` under
      ``"operations in other threads (not counted: no count() open there)"``;
    - generators share their caller's context: a generator resumed inside the block
      is counted while it runs; one that opens ``count()`` or ``scope()`` and yields
      inside it leaves that block open in its caller until it is resumed, so the
      caller's operations meanwhile count into it (close the generator to end it).
    """
    if isinstance(trace, bool):
        limit = 10_000 if trace else None
    elif isinstance(trace, int) and trace > 0:
        limit = trace
    else:
        raise ValueError(f"count(trace=...) takes True, False or a positive limit; got {trace!r}")
    block = _new(_Count)  # (no __init__ call: one per block, often in a loop)
    block.limit = limit
    block.tally = None
    return block


class _Count:
    """What ``count()`` returns: a block entered once (``with``), as ``count`` says."""

    __slots__ = ("limit", "tally", "before")

    def __enter__(self) -> Counts:
        if self.tally is not None:
            raise RuntimeError("a count() block is entered once: call mlpops.count() again")
        tally = self.tally = _Tally(self.limit)
        before = self.before = _get_state()
        inside = _state_at(before.path, before.tallies + ((tally, len(before.path)),))
        _set_state(inside)
        _set_fast(inside.scalar_fast)
        with _LOCK:
            _OPEN[tally] = _get_ident()
            _IDLE.add = _IDLE.mul = _IDLE.max = None  # calls elsewhere are noted now
            _IDLE.idle = False
        return Counts._live(tally)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        tally = self.tally
        with _LOCK:
            _OPEN.pop(tally, None)
            if not _OPEN:
                _IDLE.add, _IDLE.mul, _IDLE.max = _UNREAD.counters()
                _IDLE.idle = True
        for t, _ in _get_state().tallies:
            if t is tally:
                _set_state(self.before)
                _set_fast(self.before.scalar_fast)
                break  # (a paused generator's scope inside is closed with it)


class _NullScope:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NULL_SCOPE = _NullScope()


class _Scope:
    """What ``scope(name)`` returns while a block is open (made by ``scope``: ``inside``
    None until entered, ``entered`` None until re-entered inside itself)."""

    __slots__ = ("name", "before", "inside", "entered")

    def __enter__(self) -> None:
        state = _get_state()
        name = self.name
        child = state.children.get(name)
        if child is None:
            child = state.child(name)
        _set_state(child)
        if child.scalar_fast is not state.scalar_fast:  # (both _NO_FAST: the usual)
            _set_fast(child.scalar_fast)
        if self.inside is not None:  # the same scope object entered again inside itself
            if self.entered is None:
                self.entered = []
            self.entered.append((self.before, self.inside))
        self.before = state
        self.inside = child

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        before = self.before
        inside = self.inside
        if self.entered:
            self.before, self.inside = self.entered.pop()
        else:
            self.inside = None
        if _get_state() is inside:  # else its count() closed meanwhile: nothing to undo
            _set_state(before)
            if before.scalar_fast is not inside.scalar_fast:
                _set_fast(before.scalar_fast)


def scope(name: str) -> _Scope | _NullScope:
    """Attribute the operations inside the block to ``name`` (scopes nest: ``a/b``)."""
    if type(name) is not str or not name or "/" in name:
        raise ValueError(f"a scope name is a non-empty string without '/'; got {name!r}")
    if not _get_state().tallies:
        return _NULL_SCOPE  # nothing is counting: a scope costs nothing
    made = _Scope()  # (no __init__: type() then the slots, the cheapest way)
    made.name = name
    made.inside = None
    made.entered = None
    return made


def _sort_kinds(kinds: Any) -> list[str]:
    order = {k: i for i, k in enumerate(CORE_KINDS + FUNCTION_KINDS)}
    last = {ACTIVATIONS: 1, BYTES: 2}
    return sorted(kinds, key=lambda k: (last.get(k, 0), order.get(k, len(order)), k))


class Counts(Mapping):
    """Operations counted, by kind (a mapping kind -> int) and by scope.

    ``total`` adds every arithmetic kind; ``activations`` (applications of f) is shown
    beside it, not added, since the arithmetic inside f is already counted. ``bytes``
    (the compulsory memory traffic, array engine) is likewise beside it, never in
    ``total``; ``intensity`` is operations per byte. The scalar engine cannot see
    memory traffic: when any of its operations was counted, ``bytes`` is None (and the
    table says why), never a silent zero.
    """

    def __init__(
        self,
        by_scope: Mapping[str, Mapping[str, int]] | None = None,
        uncounted: Mapping[str, int] | None = None,
        trace: list[TraceEntry] | None = None,
        bytes_unseen: bool = False,
    ) -> None:
        self._tally = _Tally(None)
        self._tally.buckets = {
            tuple(p.split("/")) if p else (): dict(d) for p, d in (by_scope or {}).items()
        }
        self._tally.uncounted = dict(uncounted or {})
        self._tally.trace = trace
        self._unseen = bool(bytes_unseen)

    def _all_buckets(self) -> Iterator[tuple[tuple[str, ...], dict[str, int], bool]]:
        """Every bucket: (path, kinds, counted by the scalar engine?)."""
        tally = self._tally
        for p, d in tally.buckets.items():
            yield p, d, False
        for p, d in tally.scalar_buckets.items():
            yield p, d, True
        for p, fast in list(tally.scalar_fast):
            yield p, fast.counts(), True
        yield from list(tally.threads)

    def _merged(self) -> dict[str, dict[str, int]]:
        out = {"/".join(p): dict(d) for p, d in self._tally.buckets.items()}
        for p, d, _ in self._all_buckets():
            if d is self._tally.buckets.get(p) or not any(d.values()):
                continue
            b = out.setdefault("/".join(p), {})
            for k, n in d.items():
                b[k] = b.get(k, 0) + n
        return out

    @property
    def _buckets(self) -> dict[str, dict[str, int]]:
        return self._merged()

    def _scalar_paths(self) -> set[str]:
        """Scope paths where the scalar engine counted something (bytes unseen there)."""
        return {"/".join(p) for p, d, scalar in self._all_buckets() if scalar and any(d.values())}

    @property
    def _bytes_unseen(self) -> bool:
        return self._unseen or bool(self._scalar_paths())

    @property
    def _uncounted(self) -> dict[str, int]:
        return self._tally.uncounted

    @property
    def _trace(self) -> list[TraceEntry] | None:
        return self._tally.trace

    @classmethod
    def _live(cls, tally: _Tally) -> Counts:
        counts = cls.__new__(cls)
        counts._tally = tally  # shared: the Counts grows while the block runs
        counts._unseen = False
        return counts

    # -- the mapping: kind -> int ---------------------------------------------------
    def _kinds(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for _, bucket, _ in self._all_buckets():
            for k, n in bucket.items():
                out[k] = out.get(k, 0) + n
        return out

    def __getitem__(self, kind: str) -> int:
        if kind == BYTES:
            return self.bytes  # type: ignore[return-value]
        kinds = self._kinds()
        if kind in kinds and kind != MACS:
            return kinds[kind]
        if kind in KNOWN_KINDS:
            return 0
        if kind in ("total", MACS, "uncounted", "intensity"):
            raise KeyError(f"{kind!r} is not a kind of operation: use ops.{kind}")
        known = sorted(KNOWN_KINDS)
        close = difflib.get_close_matches(str(kind), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise KeyError(
            f"{kind!r} is not a kind of operation mlpops counts.{hint} "
            f"Kinds: {', '.join(_sort_kinds(known))}."
        )

    def __iter__(self) -> Iterator[str]:
        # the kinds, then activations and bytes (beside them, like activations: never in
        # the total); bytes left out where the scalar engine ran (unseen, not 0)
        skip = (MACS, BYTES) if self._bytes_unseen else (MACS,)
        return iter(_sort_kinds(k for k, n in self._kinds().items() if n and k not in skip))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, kind: object) -> bool:
        return kind in set(self)

    # -- totals and views ---------------------------------------------------------
    @property
    def total(self) -> int:
        """Every arithmetic operation (all kinds but ``activations``, ``bytes``)."""
        return sum(n for k, n in self._kinds().items() if k not in NOT_ARITHMETIC)

    @property
    def macs(self) -> int:
        """Multiply-accumulates inside matrix products (matmul, dot, einsum)."""
        return self._kinds().get(MACS, 0)

    @property
    def bytes(self) -> int | None:
        """Compulsory memory traffic in bytes (array engine): every input element read
        once, every output element written once. None when the scalar engine counted
        any operation here: its numbers are Python objects, their traffic unseen."""
        if self._bytes_unseen:
            return None
        return self._kinds().get(BYTES, 0)

    @property
    def intensity(self) -> float:
        """Arithmetic intensity: operations per byte moved (``total / bytes``); nan when
        no bytes were counted (or the scalar engine ran, see ``bytes``)."""
        moved = self.bytes
        return self.total / moved if moved else float("nan")

    @property
    def uncounted(self) -> dict[str, int]:
        """numpy calls that ran without a counting rule: name -> number of calls."""
        return dict(self._uncounted)

    @property
    def trace(self) -> list[TraceEntry]:
        """The logged operations of a ``count(trace=True)`` block."""
        if self._trace is None:
            raise ValueError("no trace was kept: open the block with mlpops.count(trace=True)")
        return list(self._trace)

    def by_scope(self) -> dict[str, dict[str, int]]:
        """Scope path -> {kind: n}, in the order the scopes first ran ('' = no scope).

        ``bytes`` appears where the array engine moved some (not in scopes where the
        scalar engine counted: its traffic is unseen)."""
        out = {}
        unseen = self._scalar_paths()
        for path, bucket in self._buckets.items():
            skip = (MACS, BYTES) if path in unseen or self._unseen else (MACS,)
            kinds = {k: bucket[k] for k in _sort_kinds(bucket) if bucket[k] and k not in skip}
            if kinds:
                out[path] = kinds
        return out

    def within(self, path: str) -> Counts:
        """The Counts of one scope and everything nested in it, e.g. ``"forward/layer1"``."""
        path = path.strip("/")
        unseen = self._scalar_paths()
        keep, blind = {}, self._unseen
        for p, d in self._buckets.items():
            if not path or p == path or p.startswith(path + "/"):
                keep[p[len(path) :].lstrip("/")] = d
                blind = blind or p in unseen
        return Counts(keep, bytes_unseen=blind)

    def scopes(self, depth: int = 1) -> list[str]:
        """Distinct scope paths cut at ``depth`` levels, in the order they appear."""
        seen: dict[str, None] = {}
        for p in self._buckets:
            if p:
                seen.setdefault("/".join(p.split("/")[:depth]), None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: kinds, total, macs, bytes, by_scope and uncounted (JSON-ready)."""
        return {
            "kinds": {k: n for k, n in self.items() if k != BYTES},
            "total": self.total,
            "macs": self.macs,
            "bytes": self.bytes,
            "by_scope": self.by_scope(),
            "uncounted": self.uncounted,
        }

    # -- arithmetic between Counts ------------------------------------------------
    def _combine(self, other: Counts, sign: int) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        buckets = {p: dict(d) for p, d in self._buckets.items()}
        for p, d in other._buckets.items():
            b = buckets.setdefault(p, {})
            for k, n in d.items():
                b[k] = b.get(k, 0) + sign * n
        unc = dict(self._uncounted)
        for name, n in other._uncounted.items():
            unc[name] = unc.get(name, 0) + sign * n
        return Counts(
            buckets,
            {k: n for k, n in unc.items() if n},
            bytes_unseen=self._bytes_unseen or other._bytes_unseen,
        )

    def __add__(self, other: Counts) -> Counts:
        return self._combine(other, 1)

    def __radd__(self, other: Any) -> Counts:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self._combine(Counts(), 1)  # sum([a, b]) starts from 0
        return NotImplemented

    def __sub__(self, other: Counts) -> Counts:
        return self._combine(other, -1)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Counts):
            return (dict(self), self.macs, self.bytes) == (dict(other), other.macs, other.bytes)
        if isinstance(other, Mapping):  # bytes compared when the other side states them
            mine = dict(self) if BYTES in other else {k: n for k, n in self.items() if k != BYTES}
            return mine == {k: n for k, n in other.items() if n}
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # -- display ------------------------------------------------------------------
    def _rows(self) -> list[tuple[str, str]]:
        rows = [(k, f"{n:,}") for k, n in self.items() if k not in (ACTIVATIONS, BYTES)]
        rows.append(("total", f"{self.total:,}"))
        if self[ACTIVATIONS]:
            rows.append(("activations (f)", f"{self[ACTIVATIONS]:,}"))
        if self.bytes:
            rows.append(("bytes moved", f"{self.bytes:,}"))
        return rows

    def _notes(self) -> list[str]:
        notes = []
        if self._bytes_unseen:
            notes.append(
                "bytes moved: not counted, the scalar engine cannot see memory traffic "
                "(count with the array engine for bytes)"
            )
        if self._uncounted:
            calls = ", ".join(f"{k} x{n}" for k, n in sorted(self._uncounted.items()))
            notes.append(f"ran without a counting rule (not in total): {calls}")
        return notes

    def table(self) -> str:
        """A plain-text table of the counts by kind (bytes moved on a line of its own)."""
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        nwidth = max(len(v) for _, v in rows)
        lines = [f"{k:<{width}}  {v:>{nwidth}}" for k, v in rows]
        return "\n".join(lines + self._notes())

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={n:,}" for k, n in self.items() if k != BYTES)
        moved = f"; bytes={self.bytes:,}" if self.bytes else ""
        return f"Counts({inner}; total={self.total:,}{moved})"

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><td style='text-align:left'>{html.escape(k)}</td>"
            f"<td style='text-align:right'>{v}</td></tr>"
            for k, v in self._rows()
        )
        notes = "".join(f"<p><em>{html.escape(n)}</em></p>" for n in self._notes())
        return (
            "<table><thead><tr><th>kind</th><th>count</th></tr></thead>"
            f"<tbody>{cells}</tbody></table>{notes}"
        )

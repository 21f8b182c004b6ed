"""The counter: count(), scope(), Counts — nesting, isolation, exceptions, display."""

import asyncio
import threading

import numpy as np
import pytest

import mlpops
from mlpops import Counts, count, scope, track
from mlpops.counting import record
from mlpops.formulas import without_bytes


def test_record_outside_count_is_a_no_op():
    record("mul", 5)  # nothing open: nothing to count into, nothing raised
    with count() as ops:
        pass
    assert ops.total == 0 and without_bytes(dict(ops)) == {}


def test_nested_counts_all_see_inner_operations():
    a = track(np.ones(10))
    with count() as outer:
        a + a  # 10 adds
        with count() as inner:
            a * a  # 10 muls
        a - a  # 10 adds
    assert without_bytes(dict(inner)) == {"mul": 10}
    assert without_bytes(dict(outer)) == {"mul": 10, "add": 20}


def test_scopes_nest_and_paths_are_relative_to_the_count_block():
    a = track(np.ones(4))
    with count() as outer:
        with scope("phase"):
            with scope("layer1"):
                a * a
            with count() as inner:
                with scope("layer2"):
                    a + a
    moved = 3 * 4 * 8  # two float64 operands of 4 read, 4 written
    assert outer.by_scope() == {
        "phase/layer1": {"mul": 4, "bytes": moved},
        "phase/layer2": {"add": 4, "bytes": moved},
    }
    assert inner.by_scope() == {"layer2": {"add": 4, "bytes": moved}}
    assert outer.within("phase").bytes == 2 * moved
    assert without_bytes(dict(outer.within("phase"))) == {"mul": 4, "add": 4}
    assert without_bytes(dict(outer.within("phase/layer1"))) == {"mul": 4}
    assert outer.scopes(depth=1) == ["phase"]


def test_scope_names_are_checked():
    for bad in ("", "a/b", 3, None):
        with pytest.raises(ValueError, match="scope name"):
            scope(bad)


def test_an_exception_inside_a_block_leaves_every_counter_consistent():
    a = track(np.ones(3))
    with count() as outer:
        with pytest.raises(ZeroDivisionError):
            with count() as inner:
                with scope("s"):
                    a * a
                    raise ZeroDivisionError
        a + a  # after the failed block: counted by outer only, at the root
    assert without_bytes(dict(inner)) == {"mul": 3}
    assert without_bytes(dict(outer)) == {"mul": 3, "add": 3}
    assert outer.by_scope() == {"": {"add": 3, "bytes": 72}, "s": {"mul": 3, "bytes": 72}}
    with count() as later:
        a * a
    assert without_bytes(dict(later)) == {"mul": 3}  # the state was restored: no stale scope


def test_threads_do_not_see_each_other():
    a = track(np.ones(7))
    seen = {}
    barrier = threading.Barrier(2)

    def work(name, n):
        with count() as ops:
            barrier.wait()
            for _ in range(n):
                a * a
        seen[name] = ops["mul"]

    threads = [threading.Thread(target=work, args=(i, i + 1)) for i in range(2)]
    with count() as main:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert seen == {0: 7, 1: 14}
    assert main.total == 0  # another thread's work is not this context's


def test_asyncio_tasks_are_isolated():
    a = track(np.ones(5))

    async def task(n):
        with count() as ops:
            for _ in range(n):
                a + a
                await asyncio.sleep(0)
        return ops["add"]

    async def main():
        return await asyncio.gather(task(1), task(2), task(3))

    assert asyncio.run(main()) == [5, 10, 15]


def test_counts_mapping_and_totals():
    c = Counts({"x": {"mul": 3, "add": 2, "activations": 4}, "y": {"exp": 1, "macs": 9}})
    assert dict(c) == {"mul": 3, "add": 2, "exp": 1, "activations": 4}
    assert c.total == 6  # applications of f are not arithmetic
    assert c.macs == 9
    assert c["div"] == 0  # a known kind that did not occur
    assert "mul" in c and "div" not in c
    assert len(c) == 4


def test_a_typo_in_a_kind_gets_a_message_a_learner_understands():
    c = Counts({"": {"mul": 1}})
    with pytest.raises(KeyError, match="Did you mean 'mul'"):
        c["mull"]
    with pytest.raises(KeyError, match="use ops.total"):
        c["total"]
    with pytest.raises(KeyError, match="use ops.macs"):
        c["macs"]


def test_counts_add_and_subtract():
    a = Counts({"f": {"mul": 3}}, {"np.sort": 1})
    b = Counts({"f": {"mul": 1, "add": 2}, "g": {"exp": 1}}, {"np.sort": 1})
    assert dict(a + b) == {"mul": 4, "add": 2, "exp": 1}
    assert (a + b).uncounted == {"np.sort": 2}
    assert dict((a + b) - a) == {"mul": 1, "add": 2, "exp": 1}
    assert dict(a - a) == {} and (a - a).total == 0  # zero kinds vanish
    assert dict(a - b) == {"mul": 2, "add": -2, "exp": -1}  # a difference may be negative
    assert (a + b).by_scope()["f"] == {"mul": 4, "add": 2}


def test_counts_display_and_to_dict():
    with count() as ops:
        a = track(np.ones((2, 3)))
        np.exp(a @ a.T)
        np.sort(a)
    assert ops.to_dict() == {
        "kinds": {"mul": 12, "add": 8, "exp": 4},
        "total": 24,
        "macs": 12,
        "bytes": 8 * (6 + 6 + 4) + 8 * (4 + 4),  # a @ a.T, then exp of the 2x2 product
        "by_scope": {"": {"mul": 12, "add": 8, "exp": 4, "bytes": 192}},
        "uncounted": {"np.sort": 1},
    }
    text = ops.table()
    assert "mul" in text and "24" in text and "np.sort x1" in text
    html = ops._repr_html_()
    assert "<table>" in html and "np.sort" in html
    assert repr(ops) == "Counts(mul=12, add=8, exp=4; total=24; bytes=192)"


def test_trace_logs_operations_and_has_a_limit():
    x = mlpops.scalars([1.0, 2.0, 3.0])
    with count(trace=True) as ops:
        x * 2
    assert [e.kind for e in ops.trace] == ["mul"] * 3
    assert ops.trace[0].operands == (1.0, 2)
    with pytest.raises(mlpops.TraceLimitError, match="limit"):
        with count(trace=5):
            x * x
            x * x
    with count() as plain:
        x * x
    with pytest.raises(ValueError, match="trace=True"):
        plain.trace
    with pytest.raises(ValueError, match="positive limit"):
        with count(trace=-1):
            pass

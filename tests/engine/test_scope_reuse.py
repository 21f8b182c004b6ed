"""A scope's state is made once per count() block and reused by every later entry of
the same scope there (the speed of a training step's 27 scopes): pinned here so that
the reuse never carries counts between blocks, between threads or between paths."""

import numpy as np
from in_threads import in_threads

from mlpops import Scalar, count, counting, scalars, scope, track
from mlpops.formulas import without_bytes


def _inside(*names):
    """The counting state inside the scopes ``names``, entered afresh."""
    if not names:
        return counting._get_state()
    with scope(names[0]):
        return _inside(*names[1:])


def test_a_scope_entered_again_in_one_block_reuses_its_state_and_its_bucket():
    a = track(np.ones(3))
    with count() as ops:
        first = _inside("layer", "W")
        for _ in range(4):
            with scope("layer"), scope("W"):
                a * a
        assert _inside("layer", "W") is first
        assert _inside("other", "W") is not first  # same name, another path
    assert {path: kinds["mul"] for path, kinds in ops.by_scope().items()} == {"layer/W": 12}


def test_a_second_count_block_never_reuses_the_first_blocks_scopes():
    a = track(np.ones(5))
    seen, results = [], []
    for block in range(3):
        with count() as ops:
            seen.append(_inside("forward", "layer1"))
            with scope("forward"), scope("layer1"):
                for _ in range(block + 1):
                    a + a
        results.append(ops)
    assert len({id(state) for state in seen}) == 3
    assert [without_bytes(r.by_scope()["forward/layer1"]) for r in results] == [
        {"add": 5},
        {"add": 10},
        {"add": 15},
    ]
    assert not counting.active() and counting._get_state() is counting._EMPTY


def test_a_scope_reused_after_an_inner_block_closes_counts_only_into_the_open_block():
    a = track(np.ones(2))
    with count() as outer:
        with scope("x"):
            with count() as inner:
                with scope("y"):
                    a * a  # both blocks: outer x/y, inner y
            with scope("y"):
                a * a  # the inner block is closed: outer only
    assert {p: k["mul"] for p, k in outer.by_scope().items()} == {"x/y": 4}
    assert {p: k["mul"] for p, k in inner.by_scope().items()} == {"y": 2}


def test_threads_sharing_one_block_through_the_same_scopes_count_exactly():
    x = track(np.ones(3))
    rounds, threads = 1_000, 4

    def work():
        for _ in range(rounds):
            with scope("layer"), scope("dW"):
                x + x
            with scope("layer"):
                x * x

    with count() as ops:
        in_threads(work, threads)  # (switching often: a lost step would show)
    runs = rounds * (threads + 1)
    assert without_bytes(ops.by_scope()) == {
        "layer/dW": {"add": 3 * runs},
        "layer": {"mul": 3 * runs},
    }


def test_the_scalar_engine_inside_reused_scopes_counts_exactly_in_every_block():
    v = scalars(np.ones(3))
    for block in range(1, 4):
        with count() as ops:
            for _ in range(block):
                with scope("layer"):
                    v * v
                with scope("layer"), scope("b"):
                    v + v
        assert {p: without_bytes(k) for p, k in ops.by_scope().items()} == {
            "layer": {"mul": 3 * block},
            "layer/b": {"add": 3 * block},
        }
    assert counting.scalar_fast() is counting._IDLE  # no block open: nothing left on


def test_threads_sharing_one_block_count_the_scalar_engine_exactly_in_every_scope():
    # the scalar engine's additions, multiplications and comparisons count into one
    # counter per scope that every thread sharing the block steps; its other kinds
    # (div) go through record, one bucket per thread: both exact, both under the right path
    v = scalars(np.ones(3))
    rounds, threads = 300, 4

    def work():
        for _ in range(rounds):
            with scope("layer"), scope("dW"):
                v + v
                v / v
            with scope("layer"):
                v * v
                2.0 * v - v  # (the reflected multiply, then a subtraction: an add)
                np.greater(v, v)

    with count() as ops:
        in_threads(work, threads)  # (switching often: a lost step would show)
    runs = rounds * (threads + 1)
    assert without_bytes(ops.by_scope()) == {
        "layer/dW": {"add": 3 * runs, "div": 3 * runs},
        "layer": {"mul": 6 * runs, "add": 3 * runs, "max": 3 * runs},
    }


def test_a_live_count_reads_the_scalar_engine_without_moving_its_counters():
    v = scalars(np.ones(3))
    with count() as ops:
        v * v
        v + v
        np.greater_equal(v, v)
        assert (ops["mul"], ops["add"], ops["max"], ops.total) == (3, 3, 3, 9)
        assert (ops["mul"], ops["add"], ops["max"], ops.total) == (3, 3, 3, 9)  # the same
        with scope("s"):
            v * v
        assert without_bytes(dict(ops)) == {"mul": 6, "add": 3, "max": 3}
        assert without_bytes(ops.by_scope()) == {
            "": {"mul": 3, "add": 3, "max": 3},
            "s": {"mul": 3},
        }
    assert ops.total == 12


def test_scalar_operations_in_a_thread_with_no_block_open_are_noted_not_counted():
    import threading

    v = Scalar(2.0)

    def work():
        v * v, v + v, v / v  # a thread started inside the block: nothing open there

    with count() as ops:
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
    assert ops.total == 0
    assert ops.uncounted == {counting.OTHER_THREADS: 3}
    with count() as after:  # and nothing was left behind for the next block
        work()
    assert dict(after) == {"mul": 1, "add": 1, "div": 1}
    assert counting.scalar_fast() is counting._IDLE and counting.scalar_fast().idle


def test_a_block_opened_inside_a_scope_left_from_an_earlier_block_keeps_paths_relative():
    a = track(np.ones(2))
    with count():
        kept = scope("kept")  # entered only after its block closed: counts nothing
    with kept:
        with count() as ops:
            with scope("layer"):
                a * a
    assert {p: k["mul"] for p, k in ops.by_scope().items()} == {"layer": 2}
    assert counting._get_state() is counting._EMPTY


def test_every_operator_with_a_fast_path_is_still_logged_inside_a_trace():
    a = Scalar(3.0)
    with count(trace=True) as ops:
        a + 1, 1 + a, a - 1, 1 - a, a * 2, 2 * a, a > 1
    logged = [(e.kind, e.op, e.operands, e.result) for e in ops.trace]
    assert logged == [
        ("add", "+", (3.0, 1), 4.0),
        ("add", "+", (1, 3.0), 4.0),
        ("add", "-", (3.0, 1), 2.0),
        ("add", "-", (1, 3.0), -2.0),
        ("mul", "*", (3.0, 2), 6.0),
        ("mul", "*", (2, 3.0), 6.0),
        ("max", ">", (3.0, 1), True),
    ]
    assert dict(ops) == {"add": 4, "mul": 2, "max": 1}


def test_a_count_of_the_scalar_engine_copies_and_pickles_with_its_fast_counts():
    import copy
    import pickle

    v = scalars(np.ones(3))
    with count() as ops:
        v * v
        v + v
        np.greater(v, v)
        copied = copy.deepcopy(ops)  # (live: the counters are copied as counts)
        v * v
    pickled = pickle.loads(pickle.dumps(ops))
    assert without_bytes(dict(copied)) == {"mul": 3, "add": 3, "max": 3}
    assert (
        without_bytes(dict(pickled)) == without_bytes(dict(ops)) == {"mul": 6, "add": 3, "max": 3}
    )

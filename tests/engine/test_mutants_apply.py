"""tools/mutants_engine.py stays runnable: a refactor that moves a mutant's original text
makes it stale, and this fails in CI instead of the mutation check silently weakening."""

import pathlib

import mutants_engine  # tools/ is on the path (tests/conftest.py)
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("mutant", mutants_engine.MUTANTS, ids=lambda m: m[0])
def test_each_mutant_original_occurs_exactly_once_and_differs_from_its_replacement(mutant):
    name, path, old, new, tests = mutant
    assert (ROOT / path).read_text().count(old) == 1, f"stale mutant {name!r}: update it"
    assert old != new
    for test in tests.split():
        assert (ROOT / test.split("::")[0]).is_file(), f"{name!r} names no test file {test}"


def test_the_tool_finds_no_stale_mutant_and_lists_every_stale_one_it_would_refuse():
    assert mutants_engine.stale() == []
    broken = [("a", "mlpops/counting.py", "no such text", "x", "tests/engine/test_counting.py")]
    broken += [("b", "mlpops/rules.py", "def ", "x", "tests/engine/no_such_test.py")]
    assert mutants_engine.stale(broken) == [
        "a: its original occurs 0 times in mlpops/counting.py (want 1)",
        f"b: its original occurs {(ROOT / 'mlpops/rules.py').read_text().count('def ')} "
        "times in mlpops/rules.py (want 1)",
        "b: no test file tests/engine/no_such_test.py",
    ]


def test_the_mutants_named_in_issue_11_are_all_there():
    names = {m[0] for m in mutants_engine.MUTANTS}
    assert {
        "Counts.total leaves out max",
        "table() shows mul + 1",
        "the command's JSON drops per_layer",
        "the command's JSON drops uncounted",
        "the command's table total + 1",
        "the explorers' memory limit removed",
    } <= names
    assert len(names) == len(mutants_engine.MUTANTS)  # one name, one mutant


def test_a_stale_mutant_stops_the_tool_with_exit_2_before_anything_runs(monkeypatch, capsys):
    good = mutants_engine.MUTANTS[0]
    gone = ("gone", "mlpops/counting.py", "no such text", "x", "tests/engine/test_counting.py")
    monkeypatch.setattr(mutants_engine, "MUTANTS", [good, gone])
    monkeypatch.setattr(mutants_engine, "pytest", lambda tests: pytest.fail("ran " + tests))
    assert mutants_engine.main([]) == 2
    err = capsys.readouterr().err
    assert "gone: its original occurs 0 times in mlpops/counting.py (want 1)" in err
    assert good[0] not in err

"""One place per counting rule: the registry, and the module structure it promises."""

import ast
import pathlib

import numpy as np
import pytest

import mlpops
from mlpops import count, counting, rules, scalars, track
from mlpops.formulas import without_bytes

PACKAGE = pathlib.Path(mlpops.__file__).parent


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_rules_are_found_by_the_name_numpy_gives_the_callable():
    assert rules.UFUNC_RULES["multiply"] is rules.UFUNC_RULES[np.multiply.__name__]
    assert rules.rule_for(np.dot) is rules.FUNCTION_RULES["dot"]
    assert rules.rule_for(np.linalg.inv) is None  # no rule: listed as uncounted
    assert rules.rule_for(np.linalg.outer) is None  # a linalg name is not np's rule


def test_a_rule_filed_after_its_function_was_looked_up_is_found_and_removed_again():
    def frobnicate(a):
        return a

    assert rules.rule_for(frobnicate) is None  # looked up (and remembered) without a rule
    rule = rules.implements("frobnicate")(lambda func, args, kwargs, result: {"add": 1})
    try:
        assert rules.rule_for(frobnicate) is rule
        assert rules.rule_for(frobnicate) is rule  # (the remembered answer)
    finally:
        del rules.FUNCTION_RULES["frobnicate"]
    assert rules.rule_for(frobnicate) is None


def test_elementwise_fast_paths_move_the_bytes_the_traffic_rule_gives():
    a = np.arange(6.0).reshape(2, 3)
    cases = [
        (lambda t: -t, [a]),
        (lambda t: t + 1.0, [a, 1.0]),
        (lambda t: t * np.float32(2), [a, np.float32(2)]),
        (lambda t: np.exp(t), [a]),
        (lambda t: np.add(t, [1.0, 2.0, 3.0]), [a, [1.0, 2.0, 3.0]]),
        (lambda t: np.add(t, [a[0], a[1]]), [a, [a[0], a[1]]]),
    ]
    for fn, inputs in cases:
        with count() as ops:
            result = fn(track(a))
        assert ops.bytes == rules.traffic(inputs, np.asarray(result)), inputs


def test_a_second_rule_for_one_name_is_refused():
    with pytest.raises(ValueError, match="two counting rules"):
        rules.implements("dot")(lambda *a: {})


def test_every_kind_a_rule_can_record_is_a_known_kind():
    assert set(rules.ELEMENTWISE.values()) <= counting.KNOWN_KINDS
    for kind in rules.ELEMENTWISE.values():
        assert mlpops.Counts()[kind] == 0  # readable by name, not a KeyError


def test_no_module_but_counting_reaches_into_its_state():
    for path in PACKAGE.rglob("*.py"):
        if path.name != "counting.py":
            assert "_state" not in path.read_text(), path


def test_scalar_does_not_import_tracked_and_builds_no_code_from_templates():
    assert not any("tracked" in name for name in _imports(PACKAGE / "scalar.py"))
    source = (PACKAGE / "scalar.py").read_text()
    assert "exec(" not in source and "_TEMPLATE" not in source
    for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow"):
        for name in (f"__{op}__", f"__r{op}__"):
            assert f"def {name}(" in source, name  # written out, searchable


def test_fast_paths_and_the_generic_route_count_by_the_same_rule():
    a, b = track(np.ones((3, 4))), track(np.full((3, 4), 2.0))
    pairs = [
        (lambda: a * b, lambda: np.multiply(a, b, where=True)),  # operator vs generic
        (lambda: a.sum(axis=0), lambda: np.add.reduce(a, axis=0, out=np.zeros(4))),
        (lambda: a.max(), lambda: np.max(a)),
        (lambda: a.mean(axis=1), lambda: np.mean(a, axis=1)),
        (lambda: a @ b.T, lambda: np.matmul(a, b.T)),
    ]
    for fast, generic in pairs:
        with count() as one:
            fast()
        with count() as two:
            generic()
        assert without_bytes(dict(one)) == without_bytes(dict(two)) and one.macs == two.macs


def test_the_scalar_engine_takes_its_kinds_from_the_same_table():
    x = scalars([0.25, 0.5])
    for name in ("exp", "log1p", "arctan", "rint", "cbrt", "sign", "floor"):
        with count() as ops:
            getattr(np, name)(x)
        assert without_bytes(dict(ops)) == {rules.ELEMENTWISE[name]: 2}, name

"""The mlpops command: table and JSON outputs, exit codes, bad arguments, too-large sizes."""

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys

import pytest

from mlpops import cli, formulas
from mlpops.cli import MAX_DIGITS, _batch, _width, main, parser, render, run
from mlpops.counting import CORE_KINDS


def run_cli(*args):
    proc = subprocess.run(
        [sys.executable, "-m", "mlpops", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_json_has_the_documented_shape_and_agrees_with_the_formulas(capsys):
    assert main(["30", "30", "30", "--train", "--batch", "4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["layers"] == [30, 30, 30] and out["batch"] == 4 and out["engine"] == "array"
    assert out["formula_check"] == "ok" and out["live"] is True
    expected = formulas.phase_totals(formulas.mlp([30, 30, 30], batch=4))
    for phase in ("forward", "backward", "update"):
        assert out["phases"][phase] == expected[phase]
    macs = formulas.matmul_macs([30, 30, 30], 4)
    macs_fb = formulas.matmul_macs([30, 30, 30], 4, backward=True)
    assert out["conventions"]["macs"] == {"forward": macs, "forward_backward": macs_fb}
    assert out["conventions"]["pytorch_flop_counter"] == {
        "forward": 2 * macs,
        "forward_backward": 2 * macs_fb,
    }
    flops = out["conventions"]["flops"]
    fwd = formulas.mlp([30, 30, 30], batch=4, train=False)
    assert flops["forward"] == formulas.total(formulas.phase_totals(fwd)["forward"])


def test_forward_only_json_has_only_the_forward_phase(capsys):
    assert main(["4", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["phases"]) == ["forward"]
    assert out["phases"]["forward"]["mul"] == 4 * 3


@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_table_output_names_layers_phases_and_the_check(engine, capsys):
    args = [
        "3",
        "4",
        "2",
        "--train",
        "--engine",
        engine,
        "--activation",
        "relu",
        "--loss",
        "cross-entropy",
    ]
    assert main(args) == 0
    text = capsys.readouterr().out
    for needle in (
        "layer1 forward",
        "layer2 backward",
        "layer1 update",
        "\nloss ",  # the loss is its own phase: its row is named once
        "all loss",
        "pytorch_flop_counter",
        "formula check: ok",
        f"{engine} engine",
    ):
        assert needle in text


def test_input_grad_adds_the_first_layers_dX(capsys):
    main(["5", "4", "3", "--train", "--json"])
    without = json.loads(capsys.readouterr().out)
    main(["5", "4", "3", "--train", "--json", "--input-grad"])
    with_dx = json.loads(capsys.readouterr().out)
    extra = with_dx["phases"]["backward"]["mul"] - without["phases"]["backward"]["mul"]
    assert extra == 5 * 4  # dX = dZ @ W.T: B*N*M products, B = 1


def test_the_console_script_and_python_dash_m_both_run():
    code, out, err = run_cli(30, 30, 30)
    assert code == 0 and "formula check: ok" in out and err == ""
    script = shutil.which("mlpops", path=os.path.dirname(sys.executable))
    assert script, "the console script 'mlpops' is not installed beside this Python"
    proc = subprocess.run([script, "4", "2", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["formula_check"] == "ok"


@pytest.mark.parametrize(
    "args, needle",
    [
        (["30", "0", "10"], "layer width 0 must be at least 1"),
        (["30", "-5"], "layer width -5 must be at least 1"),
        (["30", "abc"], "layer width 'abc' is not a whole number"),
        (["30", "30", "--activation", "sigmod"], "invalid choice: 'sigmod'"),
        (["30", "30", "--batch", "0"], "batch 0 must be at least 1"),
        (["30"], "at least two widths"),
    ],
)
def test_bad_arguments_get_one_line_and_exit_code_2(args, needle):
    code, out, err = run_cli(*args)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_sizes_too_large_to_run_get_the_formula_not_a_crash(capsys):
    big = ["100000", "100000", "100000"]
    assert main([*big, "--train", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["live"] is False and "too large to run live" in out["reason"]
    assert out["phases"] == formulas.phase_totals(formulas.mlp([100000] * 3))
    assert out["formula_check"].startswith("not run")
    assert main(big) == 0
    assert "too large to run live" in capsys.readouterr().out


def test_scalar_engine_refuses_networks_that_would_take_minutes(capsys):
    assert main(["200", "200", "200", "--engine", "scalar", "--batch", "50", "--train"]) == 0
    assert "too large for the scalar engine" in capsys.readouterr().out


def test_scalar_engine_refuses_too_many_weights(capsys):
    assert main(["1000", "1000", "--engine", "scalar"]) == 0
    assert "1,001,000 weights and biases" in capsys.readouterr().out


# -- refusals: one line on stderr, exit code 2, whatever the size -------------------------------
@pytest.mark.parametrize("sizes", [["30", "30"], ["100000", "100000", "100000"]])
def test_cross_entropy_with_a_non_softmax_output_is_refused_in_one_line(sizes):
    # the small one used to end in a traceback; the large one in a formula table for a
    # network MLP refuses to build
    code, out, err = run_cli(*sizes, "--loss", "cross-entropy", "--output-activation", "sigmoid")
    assert (code, out) == (2, "")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "softmax" in err and "sigmoid" in err


@pytest.mark.parametrize("option", ["width", "--batch"])
def test_a_number_with_thousands_of_digits_says_how_many_are_allowed(option):
    huge = "1" * 5000  # past Python's limit for reading digits (4,300)
    args = ["30", huge] if option == "width" else ["30", "30", "--batch", huge]
    code, out, err = run_cli(*args)
    assert (code, out) == (2, "")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "5,000 digits" in err and f"at most {MAX_DIGITS:,} digits" in err
    assert "not a whole number" not in err and len(err) < 300  # the digits are not echoed


def test_widths_and_batches_read_every_allowed_digit():
    longest = "9" * MAX_DIGITS
    assert _width(longest) == _batch(longest) == 10**MAX_DIGITS - 1
    for read in (_width, _batch):
        with pytest.raises(argparse.ArgumentTypeError, match=f"at most {MAX_DIGITS:,} digits"):
            read("1" + longest)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_output_that_cannot_be_written_is_one_line_and_a_failing_exit(json_flag):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "mlpops", "30", "30", *json_flag],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert proc.stderr.startswith("mlpops: error: cannot write the output")
    assert len(proc.stderr.strip().splitlines()) == 1


# -- exact values, so that a wrong command fails a test ------------------------------------------
SETTINGS = {
    "layers",
    "batch",
    "engine",
    "activation",
    "output_activation",
    "loss",
    "train",
    "input_grad",
}
#: The small network of the tests below: 3-4-2, batch 3, ReLU, softmax and cross-entropy.
SMALL_SIZES, SMALL_BATCH = [3, 4, 2], 3
SMALL = ["3", "4", "2", "--batch", "3", "--activation", "relu", "--loss", "cross-entropy"]
LIVE_KEYS = SETTINGS | {"live", "per_layer", "phases", "conventions", "uncounted", "formula_check"}
FORMULA_KEYS = SETTINGS | {"live", "reason", "per_layer", "phases", "conventions", "formula_check"}


@pytest.mark.parametrize("engine", ["array", "scalar"])
@pytest.mark.parametrize("train", [True, False])
def test_json_keys_and_per_layer_counts_are_exactly_the_formulas(engine, train, capsys):
    sizes, batch = SMALL_SIZES, SMALL_BATCH
    assert main([*SMALL, "--engine", engine, "--json", *(["--train"] if train else [])]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == LIVE_KEYS
    kw = dict(activation="relu", loss="cross-entropy")
    want = formulas.mlp(sizes, batch, **kw, train=train)
    if engine == "scalar":  # it cannot see memory traffic: no bytes to compare
        want = formulas.without_bytes(want)
    assert out["per_layer"] == want
    assert out["phases"] == formulas.phase_totals(want)
    assert out["uncounted"] == {} and out["formula_check"] == "ok" and out["live"] is True
    assert {k: out[k] for k in SETTINGS} == dict(
        layers=sizes,
        batch=batch,
        engine=engine,
        activation="relu",
        output_activation="softmax",
        loss="cross-entropy",
        train=train,
        input_grad=False,
    )


def test_json_of_a_network_too_large_to_run_has_the_formula_keys_and_counts(capsys):
    sizes = [100_000] * 3
    assert main(["100000", "100000", "100000", "--train", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == FORMULA_KEYS
    assert out["per_layer"] == formulas.mlp(sizes)
    assert out["phases"] == formulas.phase_totals(formulas.mlp(sizes))
    macs_f = formulas.matmul_macs(sizes)
    macs_fb = formulas.matmul_macs(sizes, backward=True)
    fb = formulas.phase_totals(formulas.mlp(sizes))
    assert out["conventions"] == {
        "flops": {
            "forward": formulas.total(fb["forward"]),  # the layers alone: what inference counts
            "forward_backward": formulas.total(fb["forward"])
            + formulas.total(fb["loss"])
            + formulas.total(fb["backward"]),
        },
        "macs": {"forward": macs_f, "forward_backward": macs_fb},
        "pytorch_flop_counter": {"forward": 2 * macs_f, "forward_backward": 2 * macs_fb},
    }


def table_rows(text):
    """The command's table as {row name: {column: int}}; columns are kinds, total, f applied
    and, where the engine counts memory traffic, bytes."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "total  f applied" in line)
    columns = lines[start].replace("f applied", "f-applied").split()
    columns = [c.replace("f-applied", "f applied") for c in columns]
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        parts = line.split()
        words = 1 if parts[0] == "loss" else 2  # the loss phase's one row is named "loss"
        name, cells = " ".join(parts[:words]), parts[words:]
        row = dict(zip(columns, cells, strict=True))  # "-": not counted (the scalar engine's bytes)
        rows[name] = {k: int(c.replace(",", "")) for k, c in row.items() if c != "-"}
    return rows


def expected_row(kinds, columns):
    row = {k: kinds.get(k, 0) for k in columns if k not in ("total", "f applied", "bytes")}
    row |= {"total": formulas.total(kinds), "f applied": kinds.get("activations", 0)}
    return row | ({"bytes": kinds["bytes"]} if "bytes" in columns and "bytes" in kinds else {})


@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_every_table_row_and_total_equals_the_formulas(engine, capsys):
    sizes, batch = SMALL_SIZES, SMALL_BATCH
    assert main([*SMALL, "--train", "--engine", engine]) == 0
    rows = table_rows(capsys.readouterr().out)
    want = formulas.mlp(sizes, batch, activation="relu", loss="cross-entropy")
    expected = {
        u if u == p else f"{u} {p}": k for u, phases in want.items() for p, k in phases.items()
    }
    expected |= {f"all {p}": k for p, k in formulas.phase_totals(want).items()}
    assert list(rows) == list(expected)  # every row, in order: layers, loss, then totals
    columns = list(rows["layer2 backward"])
    # the four core kinds, and softmax's exp and the loss's log
    assert set(columns) - {"total", "f applied", "bytes"} == {*CORE_KINDS, "exp", "log"}
    # the scalar engine cannot see memory traffic: its bytes column shows "-", never a 0
    assert ("bytes" in columns) == (engine == "array")
    if engine == "scalar":
        want = formulas.without_bytes(want)
        expected = {name: formulas.without_bytes(k) for name, k in expected.items()}
    for name, kinds in expected.items():
        assert rows[name] == expected_row(kinds, columns), name
    # one row by hand: layer2 backward, N=4, M=2, B=3 (dZ given by the loss)
    rows["layer2 backward"].pop("bytes", None)  # the hand row is operations only
    assert rows["layer2 backward"] == {
        "mul": 4 * 2 * 3 + 3 * 4 * 2,
        "add": 4 * 2 * 2 + 2 * 2 + 3 * 4 * 1,
        "div": 0,
        "max": 0,
        "exp": 0,
        "log": 0,
        "total": 48 + 32,
        "f applied": 0,
    }


def test_the_table_of_a_network_too_large_to_run_is_the_formulas(capsys):
    sizes = [100_000] * 3
    assert main(["100000", "100000", "100000", "--train"]) == 0
    rows = table_rows(capsys.readouterr().out)
    want = formulas.mlp(sizes)
    for unit, phases in want.items():
        for phase, kinds in phases.items():
            name = unit if unit == phase else f"{unit} {phase}"  # the loss's row: "loss"
            assert rows[name] == expected_row(kinds, rows[name])


def test_the_table_lists_the_conventions_of_the_json(capsys):
    args = ["5", "4", "3", "--batch", "2", "--train"]
    main([*args, "--json"])
    conventions = json.loads(capsys.readouterr().out)["conventions"]
    main(args)
    text = capsys.readouterr().out
    for name, v in conventions.items():
        line = next(line for line in text.splitlines() if line.split()[:1] == [name])
        assert line.split()[1:] == [
            "forward",
            f"{v['forward']:,}",
            "forward+backward",
            f"{v['forward_backward']:,}",
        ]


def test_operations_without_a_rule_are_listed_in_the_table():
    result = json.loads(json.dumps(run(parser().parse_args(["3", "2"]))))
    result["uncounted"] = {"np.frobnicate": 2}
    assert "ran without a counting rule: {'np.frobnicate': 2}" in render(result)


def test_a_live_count_that_differs_from_the_formula_is_a_mismatch_and_exit_code_1(
    monkeypatch, capsys
):
    real = formulas.mlp

    def off_by_one(*args, **kwargs):
        table = real(*args, **kwargs)
        table["layer1"]["forward"]["mul"] += 1
        return table

    monkeypatch.setattr(formulas, "mlp", off_by_one)
    assert main(["3", "2", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["formula_check"] == "MISMATCH"
    (mismatch,) = out["formula_mismatches"]
    live, formula = mismatch.removeprefix("layer1 forward: live ").split(" != formula ")
    live, formula = ast.literal_eval(live), ast.literal_eval(formula)
    assert (live["mul"], formula["mul"]) == (6, 7)
    assert {k: n for k, n in live.items() if k != "mul"} == {
        k: n for k, n in formula.items() if k != "mul"
    }
    assert main(["3", "2"]) == 1
    assert "formula check: MISMATCH" in capsys.readouterr().out


def test_a_unit_missing_from_the_formula_is_a_mismatch(monkeypatch, capsys):
    real = formulas.mlp
    monkeypatch.setattr(
        formulas, "mlp", lambda *a, **k: {u: p for u, p in real(*a, **k).items() if u != "loss"}
    )
    assert main(["3", "2", "--train", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["formula_check"] == "MISMATCH"


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_the_largest_allowed_numbers_print_their_formula_counts(monkeypatch, capsys, json_flag):
    # (whether such a network can run is too_large's question; here it says no, as it must)
    monkeypatch.setattr(cli, "too_large", lambda *a: "too large to run live: stand-in reason")
    longest = "9" * MAX_DIGITS
    assert main([longest, longest, longest, "--batch", longest, "--train", *json_flag]) == 0
    out = capsys.readouterr().out
    n = 10**MAX_DIGITS - 1
    first_layer_mul = f"{n**3:,}" if not json_flag else str(n**3)
    assert first_layer_mul in out

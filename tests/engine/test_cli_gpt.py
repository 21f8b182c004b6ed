"""``mlpops gpt``: the MLP command's table and JSON shape for a GPT-style decoder, live
where it fits and from the formula beyond, bad arguments in one line with exit code 2."""

import json
import os
import subprocess
import sys

import pytest

from mlpops import transformer_formulas as tf
from mlpops.cli import main
from mlpops.counting import ACTIVATIONS, BYTES, CORE_KINDS
from mlpops.formulas import without_bytes

SMALL = [
    "gpt",
    "--layers",
    "2",
    "--d-model",
    "8",
    "--heads",
    "2",
    "--context",
    "6",
    "--vocab",
    "11",
]
GPT2 = [
    "gpt",
    "--layers",
    "12",
    "--d-model",
    "768",
    "--heads",
    "12",
    "--context",
    "1024",
    "--vocab",
    "50257",
]
GPT3 = [
    "gpt",
    "--layers",
    "96",
    "--d-model",
    "12288",
    "--heads",
    "96",
    "--context",
    "2048",
    "--vocab",
    "50257",
]


def test_json_has_the_mlp_commands_shape_and_agrees_with_the_formulas(capsys):
    assert main([*SMALL, "--batch", "3", "--train", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["live"] is True and out["formula_check"] == "ok" and out["engine"] == "array"
    assert out["batch"] == 3 and out["layers"] == 2
    expected = tf.gpt(2, 8, 2, 6, 11, batch=3)
    # the live bytes are shown; the formulas predict the operations (bytes not yet)
    assert out["bytes_predicted"] is tf.PREDICTS_BYTES
    assert all(ph["bytes"] > 0 for u in out["per_layer"].values() for ph in u.values())
    assert without_bytes(out["per_layer"]) == without_bytes(expected)
    if tf.PREDICTS_BYTES:  # the live bytes equal the formulas' too
        assert out["per_layer"] == expected
    assert list(out["per_layer"]) == ["embedding", "block1", "block2", "ln-f", "lm-head", "loss"]
    for phase in ("forward", "backward", "update"):
        # the core kinds, and the functions of softmax, the loss, GELU and LayerNorm
        allowed = {*CORE_KINDS, "exp", "log", "tanh", "sqrt", ACTIVATIONS, BYTES}
        assert set(out["phases"][phase]) <= allowed
    macs = tf.macs(2, 8, 2, 6, 11, batch=3)
    assert out["conventions"]["macs"] == macs
    assert out["conventions"]["pytorch_flop_counter"] == {k: 2 * v for k, v in macs.items()}
    assert out["per_term"]["block1"]["forward"]["attention/scores"] == tf.attention_scores(
        3, 6, 8, 2
    )
    assert out["approximations"]["palm"]["source"].startswith("A. Chowdhery")


def test_forward_only_json_has_only_the_forward_phase(capsys):
    assert main([*SMALL, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["phases"]) == ["forward"] and out["formula_check"] == "ok"


@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_table_names_units_phases_the_rules_and_the_check(engine, capsys):
    assert main([*SMALL, "--train", "--engine", engine]) == 0
    text = capsys.readouterr().out
    for word in (
        "block2 backward",
        "lm-head forward",
        "all update",
        "0 operations",
        "Kaplan et al. 2020",
        "PaLM",
        "pytorch_flop_counter",
        "formula check: ok",
    ):
        assert word in text


@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_the_bytes_column_is_live_on_the_array_engine_and_a_dash_where_unseen(engine, capsys):
    assert main([*SMALL, "--json", "--engine", engine]) == 0
    out = json.loads(capsys.readouterr().out)
    assert main([*SMALL, "--engine", engine]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.split()[-1:] == ["bytes"])
    row = next(line for line in lines if line.startswith("all forward"))
    live = out["phases"]["forward"].get("bytes")
    assert header.split()[-4:] == ["total", "f", "applied", "bytes"]
    assert row.split()[-1] == (f"{live:,}" if engine == "array" else "-")
    assert (live is not None and live > 0) == (engine == "array")
    if engine == "scalar":  # said, never a silent zero
        assert any("scalar engine cannot see them" in line for line in lines)
    elif not tf.PREDICTS_BYTES:
        assert any("do not predict them yet" in line for line in lines)


def test_from_the_formula_the_bytes_column_shows_the_predicted_bytes(capsys):
    assert main([*GPT2, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert main(GPT2) == 0
    row = next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("all forward")
    )
    if tf.PREDICTS_BYTES:
        predicted = tf.gpt(12, 768, 12, 1024, 50257, train=False)
        want = sum(u["forward"]["bytes"] for u in predicted.values())
        assert out["phases"]["forward"]["bytes"] == want and row.split()[-1] == f"{want:,}"
    else:
        assert row.split()[-1] == "-"


def test_gpt2_small_prints_its_124m_parameters_and_counts_from_the_formula(capsys):
    assert main([*GPT2, "--train", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["live"] is False and "too large to run live" in out["reason"]
    assert out["parameters"] == 124_439_808
    assert out["per_layer"] == tf.gpt(12, 768, 12, 1024, 50257)
    assert out["conventions"]["macs"] == tf.macs(12, 768, 12, 1024, 50257)


def test_gpt3_per_token_prints_from_the_formula_near_six_per_parameter(capsys):
    assert main([*GPT3]) == 0
    text = capsys.readouterr().out
    assert "from the formula" in text and "174,604,259,328 parameters" in text
    per_token = tf.per_token(96, 12288, 96, 2048, 50257)
    assert 6.0 < per_token["forward_backward"] / 174_604_259_328 < 6.2


def test_a_live_model_too_large_for_the_scalar_engine_falls_back_to_the_formula(capsys):
    assert (
        main(
            [
                "gpt",
                "--layers",
                "2",
                "--d-model",
                "64",
                "--heads",
                "4",
                "--context",
                "64",
                "--vocab",
                "64",
                "--engine",
                "scalar",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["live"] is False and "scalar engine" in out["reason"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--d-model", "6", "--heads", "4"], "multiple of --heads"),
        (["--d-model", "x"], "not a whole number"),
        (["--vocab", "0"], "must be at least 1"),
        (["--engine", "gpu"], "invalid choice"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args, message):
    argv = list(SMALL)
    for flag, value in zip(args[::2], args[1::2]):
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    proc = subprocess.run(
        [sys.executable, "-m", "mlpops", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and message in proc.stderr
    assert proc.stderr.startswith("mlpops gpt: error:")


def test_missing_sizes_are_named():
    proc = subprocess.run(
        [sys.executable, "-m", "mlpops", "gpt", "--layers", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "--d-model" in proc.stderr and proc.stderr.count("\n") == 1

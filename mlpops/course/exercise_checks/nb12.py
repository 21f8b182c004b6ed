"""Checks for 12-hardware-and-scale."""

from ...hardware import GPT3
from ..exercises import exercise
from ._predict import compare_float, compare_function

SECONDS_PER_DAY = 24 * 60 * 60


@exercise("12.1")
def _six_n_d(answer):
    return compare_float(
        "12.1",
        answer,
        6 * 1.5e9 * 4e10,
        "FLOPs",
        hints={
            1 / 3: "2*N*D is the forward pass alone; training adds the backward pass (4*N*D).",
            2 / 3: "4*N*D is the backward pass alone: add the forward pass (2*N*D).",
            1 / 6: "N*D is one operation per parameter per token: training takes 6.",
        },
    )


@exercise("12.2")
def _cluster_days(answer):
    def expected(flops, chips, peak, utilisation):
        return flops / (chips * peak * utilisation) / SECONDS_PER_DAY

    def draw(rng):
        return (
            float(GPT3["training_flops"] * 10 ** rng.uniform(-3, 1)),
            int(rng.choice([64, 256, 1024, 4096])),
            float(rng.choice([19.5e12, 312e12, 989e12, 275e12])),
            float(rng.uniform(0.2, 0.6)),
        )

    return compare_function(
        "12.2",
        answer,
        expected,
        draw,
        "days",
        hints={
            24.0: "that is hours: divide by 24 for days.",
            float(SECONDS_PER_DAY): "that is seconds: divide by 24 * 60 * 60 for days.",
        },
    )


@exercise("12.3")
def _attention_share(answer):
    def expected(n_layer, n_ctx, d_model, parameters):
        return 6 * n_layer * n_ctx * d_model / (6 * parameters)

    def draw(rng):
        n_layer, d_model = int(rng.integers(2, 100)), 64 * int(rng.integers(2, 200))
        return n_layer, int(rng.choice([512, 1024, 2048, 8192])), d_model, 12 * n_layer * d_model**2

    return compare_function(
        "12.3",
        answer,
        expected,
        draw,
        "(a fraction of 6·N)",
        hints={
            1 / 3: "training is three times the forward pass on both sides: 6 and 6, not 2 and 6."
        },
    )

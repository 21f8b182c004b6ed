"""Checks for 01-one-neuron: the learner's counts of one neuron as functions of N."""

from ._counted import draw_sizes, forward_counts, sizes_exercise

sizes_exercise(
    "01.1",
    lambda N: forward_counts([N, 1], activation="identity")["add"],
    draw_sizes(1, 1, 500),
    "additions",
    mistakes=[
        (lambda N: N - 1, "the bias is a term of the sum too: b + w1 x1 + ... + wN xN."),
        (lambda N: N + 1, "adding up k terms takes k - 1 additions (a + b + c is 2)."),
    ],
)

sizes_exercise(
    "01.2",
    lambda N: forward_counts([N, 1], activation="sigmoid").total,
    draw_sizes(1, 1, 500),
    "arithmetic operations",
    mistakes=[
        (lambda N: 2 * N, "count f too: 1 / (1 + exp(-z)) is a negation, an exp, an add, a div."),
        (lambda N: N + 4, "each product is added into the sum: N additions as well."),
        (lambda N: 2 * N + 5, "N additions (not N + 1); an application of f adds nothing."),
    ],
)

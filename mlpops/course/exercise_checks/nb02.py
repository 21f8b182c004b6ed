"""Checks for 02-one-layer."""

from ._counted import count_exercise, draw_sizes, forward_counts, sizes_exercise

count_exercise(
    "02.1",
    lambda: forward_counts([28 * 28, 50])["mul"],
    "multiplications",
    hints=(
        "flattened, a 28 x 28 image is N = 28 * 28 inputs; each meets all 50 neurons.",
        "one multiplication per weight: N x M for one image, the bias adds nothing.",
    ),
    mistakes=[
        (28 * 28 + 50, "N x M, not N + M: every pixel meets every neuron."),
        (2 * 28 * 28 * 50, "multiplications only: the N x M additions are another kind."),
    ],
)

sizes_exercise(
    "02.2",
    lambda B, N, M: forward_counts([N, M], batch=B).total,
    draw_sizes(3, 1, 80),
    "operations",
    mistakes=[
        (lambda B, N, M: B * (2 * N * M + 3 * M), "forgot the bias add: N + 1 terms, N adds."),
        (lambda B, N, M: 2 * N * M + 4 * M, "every example makes its own sums: times B."),
        (lambda B, N, M: 2 * B * N * M, "count f too: sigmoid is 4 operations per neuron."),
        (lambda B, N, M: B * N * M, "B N M is the multiplications (the MACs), not all."),
        (lambda B, N, M: B * (2 * N * M + 5 * M), "an application of f adds no operation."),
        (lambda B, N, M: B * (2 * (N + M) + 4 * M), "one product per weight: N x M, not N + M."),
    ],
)

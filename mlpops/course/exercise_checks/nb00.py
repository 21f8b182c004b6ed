"""Checks for 00-start-here."""

from ._counted import count_exercise, forward_counts

count_exercise(
    "00.1",
    lambda: forward_counts([4, 3])["mul"],
    "multiplications",
    hints=(
        "each of the 3 neurons multiplies every one of the 4 inputs by its own weight.",
        "count multiplications only: the bias is added, not multiplied.",
    ),
    mistakes=[(4 + 3, "N x M, not N + M: every input meets every neuron.")],
)

count_exercise(
    "00.2",
    lambda: forward_counts([10, 20, 5])["mul"],
    "multiplications",
    hints=(
        "[10, 20, 5] has two weight layers, 10 -> 20 and 20 -> 5: count both.",
        "the first width is the inputs, not a layer of neurons: two weight layers, not three.",
    ),
    mistakes=[(10 * 20 * 5, "add up the layers' products: do not multiply all the widths.")],
)

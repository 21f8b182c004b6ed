"""Words for notebook 04 (activation functions): a measured cost said in multiplies."""

from __future__ import annotations


def in_multiplies(ratio: float) -> str:
    """Words for a cost in multiplies (a measured ratio), rounded as the number before
    them is: "less than a multiply", "about as much as a multiply", "about 2.7 multiplies"."""
    if ratio < 0.8:
        return "less than a multiply"
    if ratio < 1.25:
        return "about as much as a multiply"
    return f"about {ratio:.2g} multiplies"

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


def numpy_calls(name: str, z) -> int:
    """How many numpy calls the activation ``name`` makes on ``z``: one entry of mlpops'
    trace per call (each call is one ufunc or reduction over the whole array)."""
    from mlpops import counting, nn
    from mlpops.tracked import track

    with counting.count(trace=True) as ops:
        nn.get_activation(name).forward(track(z))
    return len(ops.trace)


def calls_line(seconds: dict, calls: dict, ops: dict, same: float = 1.25) -> str:
    """A judged line (starts with ``~`` and a measured ratio): do the measured times follow
    the number of numpy calls? Ratios within ``same`` count as a tie. Names the pair that
    disagrees most: more time with fewer or as many calls."""
    pairs = [
        (seconds[a] / seconds[b], a, b)
        for a in seconds
        for b in seconds
        if a != b and calls[a] <= calls[b] and seconds[a] > same * seconds[b]
    ]
    if not pairs:
        return (
            f"~1x: the times follow the number of numpy calls here (ties within {same}x), "
            "whatever the operation counts"
        )
    r, a, b = max(pairs)
    n_calls = {k: f"{n} call" + ("" if n == 1 else "s") for k, n in calls.items()}
    many = "as many numpy calls as" if calls[a] == calls[b] else "fewer numpy calls than"
    return (
        f"~{r:.2g}x: {a} ({n_calls[a]}, {ops[a]} operations) took longer than {b} "
        f"({n_calls[b]}, {ops[b]} operations), with {many} {b}: not every call costs the same"
    )


def python_number_line(with_number: float, with_array: float, same: float = 1.25) -> str:
    """A judged line (starts with ``~``): the measured time of ``np.maximum(z, 0)`` over that
    of ``np.maximum(z, zeros)``, and whether the Python number 0 made the call dearer."""
    r = with_number / with_array
    if r > same:
        words = "turning the Python number 0 into an array is a fixed cost of its own"
    elif r < 1 / same:
        words = "faster with the Python number: its conversion is not what costs here"
    else:
        words = f"about the same (within {same}x): the Python number costs nothing visible here"
    return f"~{r:.2g}x: np.maximum(z, 0) over np.maximum(z, zeros), on 30 numbers: {words}"

"""Closed-form operation counts: the equations the notebooks teach, from sizes alone.

These never run a network. Tests hold them against the live counts of ``mlpops.nn``:
two independent routes to the same integers.

For a dense layer with N inputs, M neurons and a batch of B examples:

    forward   z_j = b_j + sum_i W_ij x_i    B*N*M mul, B*N*M add (N+1 terms: N adds)
              a_j = f(z_j)                  B*M applications of f, plus f's arithmetic
    backward  dZ = dA * f'(Z)               f's derivative, elementwise
              dW = X.T @ dZ                 N*M*B mul, N*M*(B-1) add
              db = sum_batch dZ             (B-1)*M add
              dX = dZ @ W.T                 B*N*M mul, B*N*(M-1) add (not for layer 1)
    update    W <- W - lr dW, b <- b - lr db    N*M + M mul, N*M + M add
"""

from __future__ import annotations

from collections.abc import Sequence

from .checks import ACTIVATION_NAMES, LOSSES, check_batch, check_sizes, choose, network_options

Kinds = dict[str, int]


def _clean(d: Kinds) -> Kinds:
    return {k: n for k, n in d.items() if n}


def _plus(*ds: Kinds) -> Kinds:
    out: Kinds = {}
    for d in ds:
        for k, n in d.items():
            out[k] = out.get(k, 0) + n
    return _clean(out)


# -- one neuron, one layer ----------------------------------------------------------------
def neuron(num_inputs: int) -> Kinds:
    """One neuron on one example: N products, a sum of N+1 terms (N adds), one f."""
    return {"mul": num_inputs, "add": num_inputs, "activations": 1}


def weighted_sum(num_inputs: int, num_neurons: int, batch: int = 1) -> Kinds:
    """Z = b + X @ W: B*M neurons, each N mul and N add."""
    n = batch * num_inputs * num_neurons
    return _clean({"mul": n, "add": n})


def activation_forward(name: str, num_neurons: int, batch: int = 1) -> Kinds:
    """f applied to B*M values, in elementary operations (rows of M for softmax)."""
    name = choose("activation", name, ACTIVATION_NAMES)
    n, rows = batch * num_neurons, batch * (num_neurons - 1)
    cost = {
        "identity": {},  #                        a = z
        "relu": {"max": n},  #                    a = max(z, 0)
        "sigmoid": {"add": 2 * n, "exp": n, "div": n},  # a = 1 / (1 + exp(-z))
        "tanh": {"tanh": n},  #                   a = tanh(z)
        # a = exp(z - max z) / sum exp(z - max z): a max and a sum per row of M
        "softmax": {"max": rows, "add": n + rows, "exp": n, "div": n},
    }[name]
    return _plus(cost, {"activations": n})


def activation_backward(name: str, num_neurons: int, batch: int = 1) -> Kinds:
    """dZ = dA * f'(Z), elementwise (softmax: a * (da - sum(da * a)) per row)."""
    name = choose("activation", name, ACTIVATION_NAMES)
    n, rows = batch * num_neurons, batch * (num_neurons - 1)
    return _clean(
        {
            "identity": {},  #                    dz = da
            "relu": {"max": n, "mul": n},  #      dz = da * (z > 0)
            "sigmoid": {"add": n, "mul": 2 * n},  # dz = da * (a * (1 - a))
            "tanh": {"add": n, "mul": 2 * n},  #  dz = da * (1 - a * a)
            "softmax": {"mul": 2 * n, "add": n + rows},
        }[name]
    )


def dense_forward(num_inputs: int, num_neurons: int, batch: int = 1, activation: str = "sigmoid") -> Kinds:  # fmt: skip
    """One dense layer forward: the weighted sums, then f."""
    return _plus(
        weighted_sum(num_inputs, num_neurons, batch),
        activation_forward(activation, num_neurons, batch),
    )


def dense_backward(
    num_inputs: int,
    num_neurons: int,
    batch: int = 1,
    activation: str = "sigmoid",
    need_dX: bool = True,
    dZ_given: bool = False,
) -> Kinds:
    """One dense layer backward: dZ (unless the loss gave it), dW, db and, if needed, dX."""
    N, M, B = num_inputs, num_neurons, batch
    dZ = {} if dZ_given else activation_backward(activation, M, B)
    dW = {"mul": N * M * B, "add": N * M * (B - 1)}
    db = {"add": (B - 1) * M}
    dX = {"mul": B * N * M, "add": B * N * (M - 1)} if need_dX else {}
    return _plus(dZ, dW, db, dX)


def dense_update(num_inputs: int, num_neurons: int) -> Kinds:
    """SGD: every weight and bias takes one multiply (lr * grad) and one subtraction."""
    p = num_inputs * num_neurons + num_neurons
    return {"mul": p, "add": p}


def loss_forward(loss: str, num_outputs: int, batch: int = 1) -> Kinds:
    """The loss value over B*M outputs."""
    loss = choose("loss", loss, LOSSES)
    n = batch * num_outputs
    if loss == "mse":  # mean((a - y)^2): n subtractions, n squares, a sum of n, one division
        return _clean({"add": n + n - 1, "mul": n, "div": 1})
    # -sum(y log a) / B: n logs, n products, a sum of n, one negation, one division
    return _clean({"log": n, "mul": n, "add": n - 1 + 1, "div": 1})


def loss_backward(loss: str, num_outputs: int, batch: int = 1) -> Kinds:
    """dA = 2 (a - y) / n for mse; dZ = (a - y) / B for softmax cross-entropy."""
    loss = choose("loss", loss, LOSSES)
    n = batch * num_outputs
    if loss == "mse":
        return {"add": n, "mul": n, "div": n}
    return {"add": n, "div": n}


# -- a whole network ----------------------------------------------------------------------
def mlp(
    sizes: Sequence[int],
    batch: int = 1,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "mse",
    input_grad: bool = False,
    train: bool = True,
) -> dict[str, dict[str, Kinds]]:
    """Counts per layer and phase: ``{"layer1": {"forward": {...}, "backward": ..., "update": ...}, "loss": {...}}``.

    With ``train=False`` only the forward pass of the layers (no loss). Same defaults as
    ``mlpops.MLP``, and the same refusals (sizes, batch, names) with the same messages.
    """
    sizes, batch = check_sizes(sizes), check_batch(batch)
    activation, output_activation, loss = network_options(activation, output_activation, loss)
    fused = loss == "cross-entropy"
    L = len(sizes) - 1
    out: dict[str, dict[str, Kinds]] = {}
    for i, (N, M) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        f = output_activation if i == L else activation
        phases = {"forward": dense_forward(N, M, batch, f)}
        if train:
            phases["backward"] = dense_backward(
                N, M, batch, f, need_dX=i > 1 or input_grad, dZ_given=fused and i == L
            )
            phases["update"] = dense_update(N, M)
        out[f"layer{i}"] = phases
    if train:
        out["loss"] = {
            "forward": loss_forward(loss, sizes[-1], batch),
            "backward": loss_backward(loss, sizes[-1], batch),
        }
    return out


def phase_totals(table: dict[str, dict[str, Kinds]]) -> dict[str, Kinds]:
    """Sum a per-layer table over layers: ``{"forward": {...}, "backward": ..., ...}``."""
    out: dict[str, Kinds] = {}
    for phases in table.values():
        for phase, kinds in phases.items():
            out[phase] = _plus(out.get(phase, {}), kinds)
    return out


def total(kinds: Kinds) -> int:
    """All arithmetic in a kinds dict (applications of f are not arithmetic)."""
    return sum(n for k, n in kinds.items() if k not in ("activations", "macs"))


def matmul_macs(
    sizes: Sequence[int], batch: int = 1, backward: bool = False, input_grad: bool = False
) -> int:
    """Multiply-accumulates of the matrix products: B*N*M per layer forward; dW and dX
    (not layer 1's dX unless input_grad) backward."""
    sizes, batch = check_sizes(sizes), check_batch(batch)
    macs = 0
    for i, (N, M) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        macs += batch * N * M
        if backward:
            macs += N * M * batch + (batch * N * M if (i > 1 or input_grad) else 0)
    return macs

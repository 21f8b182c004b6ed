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

Beside the operations, ``"bytes"``: the compulsory memory traffic of each numpy call the
network makes (every input element read once, every output element written once, 8
bytes a float64, 1 a bool; a Python number 0), summed. A matrix product (m x k) @ (k x n)
moves 8 (mk + kn + mn) bytes; ``Z = b + X @ W`` adds the bias: read b and X @ W, write Z.
The scalar engine cannot see traffic: compare its counts ``without_bytes``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .checks import ACTIVATION_NAMES, LOSSES, check_batch, check_sizes, choose, network_options

Kinds = dict[str, int]

#: Bytes of one float64 and of one bool (the mask of a comparison).
FLOAT = 8
BOOL = 1


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


def matmul_bytes(m: int, k: int, n: int) -> int:
    """(m x k) @ (k x n) in float64: both operands read once, the product written once."""
    return FLOAT * (m * k + k * n + m * n)


def dense_intensity(num_inputs: int, num_neurons: int, batch: int = 1) -> float:
    """Operations per byte of a dense layer's matrix product, counted as 2 B N M
    (one multiply and one add per multiply-accumulate) over 8 (N M + B N + B M) bytes."""
    N, M, B = num_inputs, num_neurons, batch
    return 2 * B * N * M / matmul_bytes(B, N, M)


def weighted_sum(num_inputs: int, num_neurons: int, batch: int = 1) -> Kinds:
    """Z = b + X @ W: B*M neurons, each N mul and N add."""
    N, M, B = num_inputs, num_neurons, batch
    n = B * N * M
    # X @ W, then b + (X @ W): b read (M), the product read (B M), Z written (B M)
    moved = matmul_bytes(B, N, M) + FLOAT * (M + 2 * B * M)
    return _clean({"mul": n, "add": n, "bytes": moved})


def activation_forward(name: str, num_neurons: int, batch: int = 1) -> Kinds:
    """f applied to B*M values, in elementary operations (rows of M for softmax)."""
    name = choose("activation", name, ACTIVATION_NAMES)
    n, rows = batch * num_neurons, batch * (num_neurons - 1)
    # bytes: an elementwise call on n floats reads n and writes n (16 n); a second array
    # operand adds 8 n; a row reduction reads 8 n and writes 8 B; Python numbers cost 0
    B, F = batch, FLOAT
    cost = {
        "identity": {},  #                        a = z
        "relu": {"max": n, "bytes": 2 * F * n},  #  a = max(z, 0)
        # -z, exp, 1 + ., 1 / .: four elementwise calls
        "sigmoid": {"add": 2 * n, "exp": n, "div": n, "bytes": 4 * 2 * F * n},
        "tanh": {"tanh": n, "bytes": 2 * F * n},  # a = tanh(z)
        # a = exp(z - max z) / sum exp(z - max z): a max and a sum per row of M
        # max (F n + F B), z - m (2 F n + F B), exp (2 F n), sum (F n + F B), e / s (2 F n + F B)
        "softmax": {
            "max": rows,
            "add": n + rows,
            "exp": n,
            "div": n,
            "bytes": 8 * F * n + 4 * F * B,
        },
    }[name]
    return _plus(cost, {"activations": n})


def activation_backward(name: str, num_neurons: int, batch: int = 1) -> Kinds:
    """dZ = dA * f'(Z), elementwise (softmax: a * (da - sum(da * a)) per row)."""
    name = choose("activation", name, ACTIVATION_NAMES)
    n, rows = batch * num_neurons, batch * (num_neurons - 1)
    B, F = batch, FLOAT
    return _clean(
        {
            "identity": {},  #                    dz = da
            # z > 0 (read F n, write a bool mask), da * mask (read F n + mask, write F n)
            "relu": {"max": n, "mul": n, "bytes": (F + BOOL) * n + (2 * F + BOOL) * n},
            # 1 - a (2 F n), a * . (3 F n), da * . (3 F n)
            "sigmoid": {"add": n, "mul": 2 * n, "bytes": 8 * F * n},
            # a * a (3 F n), 1 - . (2 F n), da * . (3 F n)
            "tanh": {"add": n, "mul": 2 * n, "bytes": 8 * F * n},
            # da * a (3 F n), row sums (F n + F B), da - s (2 F n + F B), a * . (3 F n)
            "softmax": {"mul": 2 * n, "add": n + rows, "bytes": 9 * F * n + 2 * F * B},
        }[name]
    )


def dense_forward(
    num_inputs: int, num_neurons: int, batch: int = 1, activation: str = "sigmoid"
) -> Kinds:
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
    dW = {"mul": N * M * B, "add": N * M * (B - 1), "bytes": matmul_bytes(N, B, M)}
    db = {"add": (B - 1) * M, "bytes": FLOAT * (B * M + M)}
    dX = (
        {"mul": B * N * M, "add": B * N * (M - 1), "bytes": matmul_bytes(B, M, N)}
        if need_dX
        else {}
    )
    return _plus(dZ, dW, db, dX)


def dense_update(num_inputs: int, num_neurons: int) -> Kinds:
    """SGD: every weight and bias takes one multiply (lr * grad) and one subtraction."""
    p = num_inputs * num_neurons + num_neurons
    # lr * dW (read dW, write the step: 2 F p), W -= step (read W and step, write W: 3 F p)
    return {"mul": p, "add": p, "bytes": 5 * FLOAT * p}


def loss_forward(loss: str, num_outputs: int, batch: int = 1) -> Kinds:
    """The loss value over B*M outputs (``loss/value``, in the phase ``loss``)."""
    loss = choose("loss", loss, LOSSES)
    n, F = batch * num_outputs, FLOAT
    if loss == "mse":  # mean((a - y)^2): n subtractions, n squares, a sum of n, one division
        # a - y (3 F n), d * d (3 F n), mean (F n + F)
        return _clean({"add": n + n - 1, "mul": n, "div": 1, "bytes": 7 * F * n + F})
    # -sum(y log a) / B: n logs, n products, a sum of n, one negation, one division
    # log (2 F n), y * . (3 F n), sum (F n + F), negation (2 F), / B (2 F)
    return _clean({"log": n, "mul": n, "add": n - 1 + 1, "div": 1, "bytes": 6 * F * n + 5 * F})


def loss_backward(loss: str, num_outputs: int, batch: int = 1) -> Kinds:
    """The loss's gradient (``loss/gradient``, in the phase ``loss``): dA = 2 (a - y) / n
    for mse; dZ = (a - y) / B for softmax cross-entropy."""
    loss = choose("loss", loss, LOSSES)
    n, F = batch * num_outputs, FLOAT
    if loss == "mse":  # a - y (3 F n), 2 * . (2 F n), / n (2 F n)
        return {"add": n, "mul": n, "div": n, "bytes": 7 * F * n}
    return {"add": n, "div": n, "bytes": 5 * F * n}  # a - y (3 F n), / B (2 F n)


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
    """Counts per unit and phase: ``{"layer1": {"forward": {...}, "backward": ...,
    "update": ...}, ..., "loss": {"loss": {...}}}``.

    The loss is its own phase (its value, ``loss_forward``, plus its gradient,
    ``loss_backward``): ``forward`` is the layers alone, as inference counts them, and
    ``backward`` the layers' gradients. With ``train=False`` only the forward pass of the
    layers (no loss). Same defaults as
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
    if train:  # the loss is its own phase: its value and its gradient (dA, or dZ if fused)
        value, gradient = (
            loss_forward(loss, sizes[-1], batch),
            loss_backward(loss, sizes[-1], batch),
        )
        out["loss"] = {"loss": _plus(value, gradient)}
    return out


#: the phases in the order a training step runs them (``report.PHASES``, the same)
_PHASE_ORDER = ("forward", "loss", "backward", "update")


def phase_totals(table: dict[str, dict[str, Kinds]]) -> dict[str, Kinds]:
    """Sum a per-layer table over layers: ``{"forward": {...}, "loss": ..., "backward":
    ..., "update": ...}``, in the order a training step runs them."""
    out: dict[str, Kinds] = {}
    for phases in table.values():
        for phase, kinds in phases.items():
            out[phase] = _plus(out.get(phase, {}), kinds)
    rank = {p: i for i, p in enumerate(_PHASE_ORDER)}
    return {p: out[p] for p in sorted(out, key=lambda p: rank.get(p, len(rank)))}


def total(kinds: Kinds) -> int:
    """All arithmetic in a kinds dict (applications of f and bytes are not arithmetic)."""
    return sum(n for k, n in kinds.items() if k not in ("activations", "macs", "bytes"))


def without_bytes(table: dict) -> dict:
    """A formula table (or one kinds dict) without ``bytes``: what the scalar engine,
    which cannot see memory traffic, is compared with."""
    if all(isinstance(v, int) for v in table.values()):
        return {k: n for k, n in table.items() if k != "bytes"}
    inner = {k: without_bytes(v) for k, v in table.items()}
    return {k: v for k, v in inner.items() if v}  # a part that only moved bytes: gone


def dense_macs(
    num_inputs: int, num_neurons: int, batch: int = 1, phase: str = "forward", need_dX: bool = True
) -> int:
    """Multiply-accumulates of one dense layer's matrix products in one phase: Z = X W
    forward (B*N*M); dW = X.T dZ and, unless skipped, dX = dZ W.T backward; none in the
    update."""
    N, M, B = num_inputs, num_neurons, batch
    if phase == "forward":
        return B * N * M
    if phase == "backward":
        return N * M * B + (B * N * M if need_dX else 0)
    return 0


def matmul_macs(
    sizes: Sequence[int], batch: int = 1, backward: bool = False, input_grad: bool = False
) -> int:
    """Multiply-accumulates of the matrix products: B*N*M per layer forward; dW and dX
    (not layer 1's dX unless input_grad) backward."""
    sizes, batch = check_sizes(sizes), check_batch(batch)
    macs = 0
    for i, (N, M) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        macs += dense_macs(N, M, batch, "forward")
        if backward:
            macs += dense_macs(N, M, batch, "backward", need_dX=i > 1 or input_grad)
    return macs

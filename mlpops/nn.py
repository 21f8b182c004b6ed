"""A multilayer perceptron written once, run on either engine, counted as it runs.

One dense layer is the neuron equation for M neurons at once:

    Z = b + X @ W        z_j = b_j + sum_i x_i W_ij   (W is N x M: W_ij joins x_i to a_j)
    A = f(Z)             a_j = f(z_j)

and its backward pass, from the chain rule:

    dZ = dA * f'(Z)      dW = X.T @ dZ      db = sum over the batch of dZ      dX = dZ @ W.T

Operations are attributed to phases (``forward``, ``backward``, ``update``), to layers
(``layer1``, ...) and to the terms above (``weighted-sum``, ``activation``, ``dW``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import counting
from .checks import LOSSES, check_sizes, choose, finite_number, network_options  # noqa: F401
from .counting import ACTIVATIONS, record, scope
from .scalar import values
from .sizes import SCALAR_PARAMETER_LIMIT, live_memory, max_batch, num_parameters, too_large  # noqa: F401 (live_memory: its old path)
from .tracked import scalars, track


# -- transfer functions f and their backward passes dZ = dA * f'(Z) --------------------
def identity(Z):
    return Z


def identity_backward(dA, Z, A):
    return dA  # f'(z) = 1: nothing to compute


def relu(Z):
    return np.maximum(Z, 0)  # one comparison per neuron


def relu_backward(dA, Z, A):
    return dA * (Z > 0)  # f'(z) is 1 where z > 0, else 0


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def sigmoid_backward(dA, Z, A):
    return dA * (A * (1 - A))  # f'(z) = f(z) (1 - f(z)), reusing A = f(Z)


def tanh(Z):
    return np.tanh(Z)


def tanh_backward(dA, Z, A):
    return dA * (1 - A * A)  # f'(z) = 1 - tanh(z)^2


def softmax(Z):
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))  # shifted, so exp cannot overflow
    return E / E.sum(axis=-1, keepdims=True)


def softmax_backward(dA, Z, A):
    # the Jacobian-vector product of softmax, row by row: a * (da - sum(da * a))
    return A * (dA - (dA * A).sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """A transfer function f with its backward pass."""

    name: str
    forward: Callable
    backward: Callable

    def __call__(self, Z):
        record(ACTIVATIONS, Z.size)  # M applications of f per example
        return self.forward(Z)


ACTIVATION_FUNCTIONS = {
    "identity": Activation("identity", identity, identity_backward),
    "relu": Activation("relu", relu, relu_backward),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_backward),
    "tanh": Activation("tanh", tanh, tanh_backward),
    "softmax": Activation("softmax", softmax, softmax_backward),
}


# -- losses ----------------------------------------------------------------------------
def mse(A, Y):
    D = A - Y
    return (D * D).mean()  # mean over every output of every example


def mse_grad(A, Y):
    return 2 * (A - Y) / A.size


def cross_entropy(A, Y):
    batch = A.shape[0]
    return -(Y * np.log(A)).sum() / batch  # A = softmax(Z): probabilities


def cross_entropy_grad_logits(A, Y):
    # softmax and cross-entropy together: dL/dZ = (A - Y) / batch, no Jacobian needed
    return (A - Y) / A.shape[0]


def _too_large(what: str, reason: str) -> MemoryError:
    return MemoryError(
        f"{what} is {reason}; count it without running it: "
        "mlpops.formulas.mlp(sizes, batch, ...) or the command `mlpops ...`"
    )


_choose = choose  # (conv and the explorers use this name)


def get_activation(name: str) -> Activation:
    """The Activation called ``name``, or a clear error listing the choices."""
    return ACTIVATION_FUNCTIONS[choose("activation", name, list(ACTIVATION_FUNCTIONS))]


def counted(a: Any) -> Any:
    """``a`` as a counted view while a count() is open (array engine; a view is free).

    The network keeps plain arrays between phases, so a forward pass run outside count()
    and a backward pass inside it still counts every operation of the backward pass.
    """
    if type(a) is np.ndarray and a.dtype.kind != "O" and counting.active():
        return track(a)
    return a


def dense_backward(dA, X, W, Z, A, f: Activation):
    """The backward pass of one dense layer, the chain rule one term a line: from
    dA = dL/dA and what the forward pass kept (X, Z, A), the gradients dW, db and dX."""
    dZ = f.backward(dA, Z, A)  # dZ = dA * f'(Z)
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    dX = dZ @ W.T
    return dW, db, dX


class Dense:
    """M neurons, each a_j = f(b_j + sum_i W_ij x_i), for a batch of inputs at once."""

    def __init__(self, W: np.ndarray, b: np.ndarray, f: Activation, name: str) -> None:
        self.W, self.b, self.f, self.name = W, b, f, name
        self.num_inputs, self.num_neurons = W.shape

    def forward(self, X):
        with scope("weighted-sum"):
            Z = self.b + X @ self.W
        with scope("activation"):
            A = self.f(Z)
        self.X, self.Z, self.A = X, Z, A  # kept for the backward pass
        return A

    def backward(self, dA, need_dX: bool, dZ=None):
        """``dense_backward``'s lines, each counted under its term's name; keeps dW, db
        and returns dX. ``dZ`` given: the loss worked it out (softmax with cross-entropy);
        ``need_dX`` False: the first layer, whose dX (the data's gradient) is unused."""
        X, Z, A = counted(self.X), counted(self.Z), counted(self.A)  # (views: free)
        if dZ is None:
            with scope("activation"):
                dZ = self.f.backward(dA, Z, A)
        with scope("dW"):
            self.dW = X.T @ dZ
        with scope("db"):
            self.db = dZ.sum(axis=0)
        if not need_dX:
            return None
        with scope("dX"):
            return dZ @ self.W.T

    def update(self, lr: float) -> None:
        """Plain gradient descent: W <- W - lr dW, b <- b - lr db."""
        with scope("W"):
            W = counted(self.W)  # (a view: W -= ... changes self.W in place, no new W)
            W -= lr * counted(self.dW)
        with scope("b"):
            b = counted(self.b)
            b -= lr * counted(self.db)

    def __repr__(self) -> str:
        return f"Dense({self.num_inputs} -> {self.num_neurons}, f={self.f.name})"


class MLP:
    """A multilayer perceptron whose every arithmetic step is counted under count().

    ``sizes`` lists the widths, inputs first: ``MLP([30, 30, 30])`` has two dense layers
    of 30 neurons. ``activation`` is f for every layer, ``output_activation`` overrides
    it for the last (None: the same, or softmax with the cross-entropy loss).
    ``engine="array"`` counts whole numpy calls; ``engine="scalar"`` makes every weight
    a counting Scalar, one Python call per multiply (small networks only).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        loss: str = "mse",
        engine: str = "array",
        seed: int | None = 0,
    ) -> None:
        self.sizes = check_sizes(sizes)
        hidden_name, out_name, self.loss_name = network_options(activation, output_activation, loss)
        self.engine = choose("engine", engine, ("array", "scalar"))
        hidden, out = get_activation(hidden_name), get_activation(out_name)
        reason = too_large(self.sizes)
        if reason:
            raise _too_large(f"MLP({self.sizes})", reason)
        self._max_batch = max_batch(self.sizes)
        if self.engine == "scalar" and self.num_parameters > SCALAR_PARAMETER_LIMIT:
            raise ValueError(
                f"MLP({self.sizes}) has {self.num_parameters:,} weights and biases: too many "
                f"for the scalar engine (one Python object each; limit "
                f"{SCALAR_PARAMETER_LIMIT:,}). Use engine='array': it counts the same."
            )
        rng = np.random.default_rng(seed)
        self.layers: list[Dense] = []
        for i, (n, m) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            W = rng.normal(0.0, 1.0 / np.sqrt(n), size=(n, m))
            b = np.zeros(m)
            if self.engine == "scalar":
                W, b = scalars(W), scalars(b)
            f = out if i == len(self.sizes) - 1 else hidden
            self.layers.append(Dense(W, b, f, f"layer{i}"))
        self.activation, self.output_activation = hidden.name, out.name

    def __repr__(self) -> str:
        return (
            f"MLP({self.sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, loss={self.loss_name!r}, "
            f"engine={self.engine!r})"
        )

    @property
    def num_parameters(self) -> int:
        return num_parameters(self.sizes)

    # -- inputs ----------------------------------------------------------------------
    def _prepare(self, x: Any, what: str, width: int, who: str) -> tuple[Any, bool]:
        """x as a (B, width) array of this engine, and whether it came unbatched."""
        X, _ = _as_float(x, what)
        if X.ndim not in (1, 2) or X.shape[-1] != width:
            raise ValueError(
                f"{who} expects {what} of shape ({width},) or (batch, {width}); "
                f"got {what} of shape {X.shape}"
            )
        single = X.ndim == 1
        batch = 1 if single else X.shape[0]
        if batch == 0:
            raise _no_examples(what, X.shape)
        if batch > self._max_batch:  # (worked out once, in __init__)
            raise _too_large(
                f"a batch of {batch:,} through {self.sizes}", too_large(self.sizes, batch)
            )
        if single:
            X = X[None, :]  # one example is a batch of one
        if self.engine == "scalar":
            X = scalars(X)
        elif counting.active():
            X = track(X)
        return X, single

    # -- the four phases: forward, loss, backward, update --------------------------------
    def forward(self, x: Any):
        """The network's output for x, shape (M,) or (B, M); counted as ``forward``."""
        first = self.layers[0]
        X, single = self._prepare(
            x, "x", self.sizes[0], f"{first.name} (W is {first.num_inputs}x{first.num_neurons})"
        )
        with scope("forward"):
            A = self._forward(X)
        self._single = single
        return A[0] if single else A

    def _forward(self, X):
        for layer in self.layers:
            with scope(layer.name):
                X = layer.forward(X)
        return X

    def loss(self, y: Any, target: Any) -> float:
        """The loss of output y against target, counted as ``loss/value``."""
        Y, _ = self._prepare_target(target, np.shape(y)[0] if np.ndim(y) == 2 else None)
        A = counted(y if np.ndim(y) == 2 else y[None, :])
        with scope("loss"), scope("value"):
            return float(self._loss(A, Y))

    def _loss(self, A, Y):
        return mse(A, Y) if self.loss_name == "mse" else cross_entropy(A, Y)

    def _prepare_target(self, target: Any, batch: int | None):
        """target as a (B, width) float array; batch None: the output was one example."""
        width = self.sizes[-1]
        Y, _ = _as_float(target, "target")
        if Y.ndim == 1 and batch is None:
            Y = Y[None, :]
        if Y.ndim == 2 and Y.shape[0] == 0:
            raise _no_examples("target", Y.shape)
        if Y.ndim != 2 or Y.shape[1] != width or Y.shape[0] != (1 if batch is None else batch):
            want = f"({batch}, {width})" if batch is not None else f"({width},)"
            hint = (
                f"; for cross-entropy give one-hot rows, e.g. mlpops.one_hot(labels, {width})"
                if self.loss_name == "cross-entropy"
                else ""
            )
            raise ValueError(
                f"target must match the output of {self.layers[-1].name}, shape {want}; "
                f"got target of shape {np.shape(target)}{hint}"
            )
        if self.loss_name == "cross-entropy":
            _check_distributions(Y, width)
        return Y, batch is None

    def backward(self, target: Any, input_grad: bool = False):
        """Gradients of the loss for every W and b, after forward(x): the loss's gradient
        counted as ``loss/gradient``, the layers' as ``backward``. Returns dX, the
        gradient for the input, only if input_grad."""
        if not hasattr(self.layers[-1], "A"):
            raise RuntimeError("call net.forward(x) before net.backward(target)")
        A = counted(self.layers[-1].A)
        Y, _ = self._prepare_target(target, A.shape[0] if not self._single else None)
        dX = self._backward(A, Y, input_grad)
        if dX is None:
            return None
        return dX[0] if self._single else dX

    def _backward(self, A, Y, input_grad: bool):
        """The loss's gradient (phase ``loss``), then the layers' (phase ``backward``)."""
        dA = dZ = None
        with scope("loss"), scope("gradient"):  # dL/dA, or dL/dZ for fused cross-entropy
            if self.loss_name == "cross-entropy":
                dZ = cross_entropy_grad_logits(A, Y)
            else:
                dA = mse_grad(A, Y)
        with scope("backward"):
            return self._backward_layers(dA, dZ, input_grad)

    def _backward_layers(self, dA, dZ, input_grad: bool):
        for i in range(len(self.layers), 0, -1):
            layer = self.layers[i - 1]
            with scope(layer.name):
                dA = layer.backward(dA, need_dX=i > 1 or input_grad, dZ=dZ)
            dZ = None
        return dA

    def update(self, lr: float) -> None:
        """One SGD step on every layer, after backward; counted as ``update``."""
        lr = _check_lr(lr)
        if not hasattr(self.layers[0], "dW"):
            raise RuntimeError("call net.backward(target) before net.update(lr)")
        with scope("update"):
            for layer in self.layers:
                with scope(layer.name):
                    layer.update(lr)

    def train_step(self, x: Any, target: Any, lr: float = 0.1, input_grad: bool = False) -> float:
        """Forward, loss, backward and update on one batch; returns the loss (before)."""
        lr = _check_lr(lr)  # before anything runs
        y = self.forward(x)
        Y, _ = self._prepare_target(target, None if self._single else np.shape(y)[0])
        A = self.layers[-1].A
        with scope("loss"), scope("value"):
            loss = float(values(self._loss(A, Y)))
        self._backward(A, Y, input_grad)
        self.update(lr)
        return loss

    # -- plain values, for plots and checks -------------------------------------------
    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, b) of each layer as plain float arrays (copies)."""
        return [(np.array(values(layer.W)), np.array(values(layer.b))) for layer in self.layers]

    def gradients(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(dW, db) of each layer from the last backward, as plain float arrays (copies)."""
        return [(np.array(values(layer.dW)), np.array(values(layer.db))) for layer in self.layers]

    def predict(self, x: Any) -> np.ndarray:
        """The output as plain floats (not counted unless inside count())."""
        return values(self.forward(x))


def _as_float(x: Any, what: str) -> tuple[np.ndarray, bool]:
    if type(x) is np.ndarray and x.dtype == np.float64:
        return x, False  # already plain floats: nothing to convert
    not_numbers = TypeError(f"{what} must be numbers (a list or array of floats); got {x!r:.80}")
    try:
        X = np.asarray(values(x))
    except (TypeError, ValueError):
        raise not_numbers from None
    if X.dtype.kind == "c" or (X.dtype.kind == "O" and any(map(_is_complex, X.flat))):
        raise TypeError(
            f"{what} must be real numbers; got complex numbers, whose imaginary part "
            f"would be dropped (pass {what}.real if that is what you mean)"
        )
    try:
        return X.astype(float, copy=False), False
    except (TypeError, ValueError):
        raise not_numbers from None


def _is_complex(v: Any) -> bool:
    return isinstance(v, complex) or (isinstance(v, np.generic) and v.dtype.kind == "c")


def _no_examples(what: str, shape: tuple) -> ValueError:
    return ValueError(f"{what} has no examples (shape {shape}): a batch needs at least one row")


def _check_lr(lr: Any) -> float:
    return finite_number("lr", lr, "the learning rate")


#: Rounding slack for a row of probabilities that should sum to 1.
_SUM_TOLERANCE = 1e-6


def _check_distributions(Y: np.ndarray, width: int) -> None:
    """Cross-entropy's targets: each row a probability distribution (>= 0, sums to 1)."""
    problem = None
    if not np.isfinite(Y).all():
        problem = "a value is not a number (nan or inf)"
    elif (Y < 0).any():
        problem = f"a value is negative ({Y.min():g})"
    else:
        off = np.abs(Y.sum(axis=1) - 1)
        if off.max() > _SUM_TOLERANCE:
            row = int(off.argmax())
            problem = f"row {row} sums to {Y[row].sum():g}, not 1"
    if problem:
        raise ValueError(
            f"cross-entropy targets are probabilities, each row >= 0 and summing to 1; "
            f"{problem}. For class labels use mlpops.one_hot(labels, {width})"
        )


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """Rows of 0s with a 1 at each label: the targets for cross-entropy."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"one_hot takes a 1-D array of integer labels; got {labels!r:.80}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1}; got {labels.min()}..{labels.max()}"
        )
    out = np.zeros((labels.size, num_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out

"""Convolutions and pooling, counted: image layers written once for both engines.

A 2-D convolution (NCHW, as in PyTorch) slides C_out kernels, each C_in x kH x kW
weights, over the zero-padded image. Every output element is one neuron that sees one
small patch of the image:

    Z[b, o, i, j] = bias_o + sum_{c, u, v} W[o, c, u, v] * Xpad[b, c, i*s + u, j*s + v]

so it costs C_in*kH*kW ``mul`` and C_in*kH*kW ``add`` (the sum of the products, then the
bias). The layer runs as im2col (copy every patch into a row: data movement, free) and
one matrix product, the matmul the dense layer already taught, counted by the engine.
Zero padding is data movement too: the zeros cost nothing until they are multiplied.

Pooling shrinks each k x k window to one number: ``MaxPool2D`` by k*k - 1 comparisons,
``AvgPool2D`` by k*k - 1 additions and one division. ``Flatten`` only reshapes (free).

The "formulas" section at the end predicts every count from shapes alone.

Longer than the other modules on purpose: each layer and the formula that predicts its
count stay in one file, to be read side by side.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import counting
from .counting import scope
from .formulas import Kinds, _plus, activation_forward, dense_forward, without_bytes
from .nn import Activation, Dense, _choose, get_activation
from .scalar import Scalar
from .tracked import Tracked, scalars, track, untrack

ENGINES = ("array", "scalar")


# -- checking sizes ----------------------------------------------------------------------
def _whole(value: Any, what: str, who: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        kind = "a positive whole number" if minimum >= 1 else "a whole number >= 0"
        raise ValueError(f"{who}: {what} must be {kind}; got {value!r}")
    return int(value)


def _pair(value: Any, what: str, who: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each >= minimum."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(
                f"{who}: {what} is one number or a pair (height, width); got {value!r}"
            )
        return (_whole(value[0], what, who, minimum), _whole(value[1], what, who, minimum))
    n = _whole(value, what, who, minimum)
    return (n, n)


def _fmt(pair: tuple[int, int]) -> str:
    return f"{pair[0]}x{pair[1]}"


def _fmt1(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else _fmt(pair)


def output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Positions of a kernel along one axis: (size + 2*padding - kernel) // stride + 1."""
    return (size + 2 * padding - kernel) // stride + 1


# -- the engines ---------------------------------------------------------------------------
def _all_scalars(X: Any) -> Tracked:
    """An object array whose every element is a Scalar (scalar engine).

    ReLU hands on plain 0s (max(z, 0) returns the 0); two plain 0s compared inside a max
    pool would escape the count, so they become Scalars here (data movement: free).
    """
    plain = np.asarray(untrack(X))
    if plain.dtype != object:
        return scalars(plain)
    if all(isinstance(x, Scalar) for x in plain.flat):
        return X if isinstance(X, Tracked) else track(plain)
    out = np.empty(plain.shape, dtype=object)
    for idx, x in np.ndenumerate(plain):
        out[idx] = x if isinstance(x, Scalar) else Scalar(x)
    return track(out)


def _as_engine(X: Any, engine: str) -> Any:
    """X as this engine's array: counting Scalars, or a (tracked while counting) float array."""
    if engine == "scalar" or (isinstance(X, np.ndarray) and X.dtype == object):
        return _all_scalars(X)
    if isinstance(X, Tracked):
        return X
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"images must be numbers (an array of floats); got {X!r:.80}") from None
    return track(X) if counting.active() else X


def _like(result: np.ndarray, X: Any) -> Any:
    """Wrap a plain result of data movement as a tracked array when X was one."""
    return result.view(Tracked) if isinstance(X, Tracked) else result


def _check_image(shape: Sequence[int], who: str, channels: int | None) -> tuple[int, ...]:
    shape = tuple(shape)
    want = f"(batch, {channels}, height, width)" if channels else "(batch, channels, height, width)"
    if len(shape) != 4:
        hint = ""
        if len(shape) == 2:
            hint = "; for one grey image of shape (H, W) pass x[None, None]"
        elif len(shape) == 3:
            hint = "; for a batch of grey images (B, H, W) pass X[:, None] (one channel)"
        raise ValueError(
            f"{who} expects input of shape {want} (NCHW, 4 axes); got shape {shape}{hint}"
        )
    if channels is not None and shape[1] != channels:
        raise ValueError(
            f"{who} expects {channels} input channel{'s' if channels != 1 else ''}; "
            f"got input of shape {shape}, {shape[1]} channel{'s' if shape[1] != 1 else ''} "
            "(axis 1, NCHW)"
        )
    return shape


def _check_fits(shape, kernel, padding, who: str) -> None:
    H, W = shape[2] + 2 * padding[0], shape[3] + 2 * padding[1]
    if kernel[0] > H or kernel[1] > W:
        raise ValueError(
            f"{who}: the {_fmt(kernel)} kernel is larger than the padded input {H}x{W} "
            f"(input {shape[2]}x{shape[3]}, padding {_fmt(padding)}): no position fits"
        )


def _windows(X: Any, kernel, stride, padding) -> np.ndarray:
    """Every kernel-sized window of X: (B, C, H_out, W_out, kH, kW), a plain copy (free).

    Padding is zeros (Scalar zeros on the scalar engine, so each product with them is
    counted like any other).
    """
    plain = untrack(X)
    B, C, H, W = plain.shape
    (kH, kW), (sH, sW), (pH, pW) = kernel, stride, padding
    if pH or pW:
        zero = Scalar(0.0) if plain.dtype == object else 0.0
        padded = np.full((B, C, H + 2 * pH, W + 2 * pW), zero, dtype=plain.dtype)
        padded[:, :, pH : pH + H, pW : pW + W] = plain
        plain = padded
    H_out = output_size(H, kH, sH, pH)
    W_out = output_size(W, kW, sW, pW)
    rows = (np.arange(H_out) * sH)[:, None, None, None] + np.arange(kH)[None, None, :, None]
    cols = (np.arange(W_out) * sW)[None, :, None, None] + np.arange(kW)[None, None, None, :]
    return plain[:, :, rows, cols]  # fancy indexing: a copy, no arithmetic


# -- layers ------------------------------------------------------------------------------
class Conv2D:
    """C_out kernels of C_in x kH x kW weights slid over a (B, C_in, H, W) batch of images.

    Each output element is a neuron on one patch: z = bias_o + sum W[o, c, u, v] x[...].
    ``activation`` (a name from ``mlpops.nn``, or None) is f applied to every output.
    ``engine="scalar"`` makes every weight a counting Scalar (tiny shapes only).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        activation: str | None = None,
        engine: str = "array",
        seed: int | None = 0,
        name: str = "conv",
    ) -> None:
        who = f"Conv2D {name}"
        C_in = _whole(in_channels, "in_channels", who, 1)
        C_out = _whole(out_channels, "out_channels", who, 1)
        kH, kW = _pair(kernel_size, "kernel_size", who, 1)
        rng = np.random.default_rng(seed)
        W = rng.normal(0.0, 1.0 / np.sqrt(C_in * kH * kW), size=(C_out, C_in, kH, kW))
        b = np.zeros(C_out) if bias else None
        self._setup(W, b, stride, padding, activation, engine, name)

    @classmethod
    def from_weights(
        cls,
        W: Any,
        b: Any = None,
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        activation: str | None = None,
        engine: str = "array",
        name: str = "conv",
    ) -> Conv2D:
        """A layer with the given weights W (C_out, C_in, kH, kW) and bias b (C_out,) or None."""
        layer = cls.__new__(cls)
        W_plain = np.asarray(W, dtype=float)
        if W_plain.ndim != 4:
            raise ValueError(
                f"Conv2D {name}: weights have shape (out_channels, in_channels, kH, kW); "
                f"got shape {W_plain.shape}"
            )
        b_plain = None if b is None else np.asarray(b, dtype=float)
        if b_plain is not None and b_plain.shape != (W_plain.shape[0],):
            raise ValueError(
                f"Conv2D {name}: the bias has one value per output channel, shape "
                f"({W_plain.shape[0]},); got shape {b_plain.shape}"
            )
        layer._setup(W_plain, b_plain, stride, padding, activation, engine, name)
        return layer

    def _setup(self, W, b, stride, padding, activation, engine, name) -> None:
        who = f"Conv2D {name}"
        self.name = name
        self.engine = _choose("engine", engine, ENGINES)
        self.stride = _pair(stride, "stride", who, 1)
        self.padding = _pair(padding, "padding", who, 0)
        self.out_channels, self.in_channels, kH, kW = W.shape
        self.kernel_size = (kH, kW)
        self.f: Activation | None = None if activation is None else get_activation(activation)
        if self.engine == "scalar":
            W = scalars(W)
            b = None if b is None else scalars(b)
        self.W, self.b = W, b

    @property
    def num_parameters(self) -> int:
        return self.W.size + (0 if self.b is None else self.b.size)

    def output_shape(self, input_shape: Sequence[int]) -> tuple[int, int, int, int]:
        """(B, C_out, H_out, W_out) for an input of shape (B, C_in, H, W)."""
        B, _, H, W = _check_image(input_shape, str(self), self.in_channels)
        _check_fits(input_shape, self.kernel_size, self.padding, str(self))
        (kH, kW), (sH, sW), (pH, pW) = self.kernel_size, self.stride, self.padding
        return (B, self.out_channels, output_size(H, kH, sH, pH), output_size(W, kW, sW, pW))

    def forward(self, X: Any) -> Any:
        """Z = conv(X, W) + bias, then A = f(Z): shape (B, C_out, H_out, W_out)."""
        who = f"{self} with weights of shape {np.shape(self.W)}"
        _check_image(np.shape(X), who, self.in_channels)
        _check_fits(np.shape(X), self.kernel_size, self.padding, str(self))
        X = _as_engine(X, self.engine)
        with scope("weighted-sum"):
            Z = self._weighted_sum(X)
        A = Z
        if self.f is not None:
            with scope("activation"):
                A = self.f(Z)
        self.X, self.Z, self.A = X, Z, A  # kept, like Dense, for a look afterwards
        return A

    def _weighted_sum(self, X: Any) -> Any:
        B = np.shape(X)[0]
        patches = _windows(X, self.kernel_size, self.stride, self.padding)
        _, C, H_out, W_out, kH, kW = patches.shape
        # im2col: one row per output position, C_in*kH*kW values each (data movement)
        rows = _like(patches.transpose(0, 2, 3, 1, 4, 5).reshape(B, H_out, W_out, C * kH * kW), X)
        kernels = self.W.reshape(self.out_channels, C * kH * kW).T  # (C_in*kH*kW, C_out)
        Z = rows @ kernels  # the matmul of a dense layer: C_in*kH*kW mul per output
        if self.b is not None:
            Z = self.b + Z  # plus one add per output: the bias
        return Z.transpose(0, 3, 1, 2)  # back to NCHW (free)

    def __repr__(self) -> str:
        f = f", f={self.f.name}" if self.f is not None else ""
        bias = "" if self.b is not None else ", no bias"
        return (
            f"Conv2D({self.name}: {self.in_channels} -> {self.out_channels} channels, "
            f"kernel {_fmt(self.kernel_size)}, stride {_fmt1(self.stride)}, "
            f"padding {_fmt1(self.padding)}{bias}{f})"
        )


class _Pool2D:
    """Shared by the pools: a k x k window, moved by ``stride`` (default k), no padding."""

    kind = "pool"

    def __init__(
        self,
        kernel_size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        name: str = "pool",
    ) -> None:
        who = f"{type(self).__name__} {name}"
        self.name = name
        self.kernel_size = _pair(kernel_size, "kernel_size", who, 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", who, 1)

    num_parameters = 0

    def output_shape(self, input_shape: Sequence[int]) -> tuple[int, int, int, int]:
        """(B, C, H_out, W_out) for an input of shape (B, C, H, W)."""
        B, C, H, W = _check_image(input_shape, str(self), None)
        _check_fits(input_shape, self.kernel_size, (0, 0), str(self))
        (kH, kW), (sH, sW) = self.kernel_size, self.stride
        return (B, C, output_size(H, kH, sH), output_size(W, kW, sW))

    def forward(self, X: Any) -> Any:
        _check_image(np.shape(X), str(self), None)
        _check_fits(np.shape(X), self.kernel_size, (0, 0), str(self))
        X = _as_engine(X, "array")  # object arrays stay Scalars: the engine follows X
        windows = _like(_windows(X, self.kernel_size, self.stride, (0, 0)), X)
        with scope("pooling"):
            return self._reduce(windows)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.name}: {_fmt(self.kernel_size)}, "
            f"stride {_fmt1(self.stride)})"
        )


class MaxPool2D(_Pool2D):
    """The largest value of each k x k window: k*k - 1 comparisons per output."""

    def _reduce(self, windows):
        return np.max(windows, axis=(-2, -1))


class AvgPool2D(_Pool2D):
    """The mean of each k x k window: k*k - 1 additions and one division per output."""

    def _reduce(self, windows):
        return np.mean(windows, axis=(-2, -1))


class Flatten:
    """(B, C, H, W) -> (B, C*H*W), for the dense layers that follow: a reshape, free."""

    num_parameters = 0

    def __init__(self, name: str = "flatten") -> None:
        self.name = name

    def output_shape(self, input_shape: Sequence[int]) -> tuple[int, int]:
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def forward(self, X: Any) -> Any:
        return X.reshape(np.shape(X)[0], -1)

    def __repr__(self) -> str:
        return f"Flatten({self.name})"


# -- a network of layers -------------------------------------------------------------------
class Sequential:
    """Layers run one after another, each counted under ``forward/<layer name>``."""

    def __init__(self, layers: Sequence[Any], engine: str = "array") -> None:
        self.layers = list(layers)
        self.engine = _choose("engine", engine, ENGINES)
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must differ (they name the scopes); got {names}")

    @property
    def num_parameters(self) -> int:
        return sum(_parameters(layer) for layer in self.layers)

    def forward(self, x: Any) -> Any:
        """The output for a batch x of shape (B, C, H, W); counted as ``forward``."""
        X = _as_engine(x, self.engine)
        with scope("forward"):
            for layer in self.layers:
                with scope(layer.name):
                    X = layer.forward(X)
        return X

    def shapes(self, input_shape: Sequence[int]) -> list[tuple[int, ...]]:
        """The output shape of every layer, for an input of ``input_shape``."""
        out, shape = [], tuple(input_shape)
        for layer in self.layers:
            shape = _output_shape(layer, shape)
            out.append(shape)
        return out

    def formula(self, input_shape: Sequence[int]) -> dict[str, dict[str, Kinds]]:
        """Each layer's forward counts from shapes alone, like ``report.breakdown``:
        ``{"conv1": {"forward": {"mul": ..., ...}}, ...}`` (free layers left out).
        Operations only: memory traffic (bytes) is not predicted for these layers yet."""
        out, shape = {}, tuple(input_shape)
        for layer in self.layers:
            kinds = without_bytes(layer_forward_counts(layer, shape))
            if kinds:
                out[layer.name] = {"forward": kinds}
            shape = _output_shape(layer, shape)
        return out

    def summary(self, input_shape: Sequence[int]) -> str:
        """A table: each layer, its output shape and its parameters."""
        rows = [("layer", "output shape", "parameters")]
        for layer, shape in zip(self.layers, self.shapes(input_shape), strict=True):
            rows.append((repr(layer), str(shape), f"{_parameters(layer):,}"))
        rows.append(("total", "", f"{self.num_parameters:,}"))
        w = [max(len(r[i]) for r in rows) for i in range(3)]
        lines = [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}" for a, b, c in rows]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = "".join(f"\n  {layer!r}," for layer in self.layers)
        return f"Sequential([{inner}\n], engine={self.engine!r})"


def _parameters(layer: Any) -> int:
    if isinstance(layer, Dense):
        return layer.num_inputs * layer.num_neurons + layer.num_neurons
    return layer.num_parameters


def _output_shape(layer: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    if isinstance(layer, Dense):
        if len(shape) != 2 or shape[1] != layer.num_inputs:
            raise ValueError(
                f"{layer!r} expects input of shape (batch, {layer.num_inputs}); got {shape}"
            )
        return (shape[0], layer.num_neurons)
    return layer.output_shape(shape)


def _dense(
    num_inputs: int, num_neurons: int, activation: str, engine: str, rng, name: str
) -> Dense:
    W = rng.normal(0.0, 1.0 / np.sqrt(num_inputs), size=(num_inputs, num_neurons))
    b = np.zeros(num_neurons)
    if engine == "scalar":
        W, b = scalars(W), scalars(b)
    return Dense(W, b, get_activation(activation), name)


def lenet5(
    activation: str = "relu",
    output_activation: str = "identity",
    pool: str = "max",
    engine: str = "array",
    seed: int | None = 0,
) -> Sequential:
    """A LeNet-5-sized CNN for 1 x 32 x 32 images, ten class scores out (as in PyTorch's
    tutorial): conv 1->6 5x5, pool 2, conv 6->16 5x5, pool 2, dense 400->120->84->10."""
    engine = _choose("engine", engine, ENGINES)
    Pool = {"max": MaxPool2D, "avg": AvgPool2D}[_choose("pool", pool, ("max", "avg"))]
    rng = np.random.default_rng(seed)
    conv = dict(activation=activation, engine=engine)
    return Sequential(
        [
            Conv2D(1, 6, 5, seed=int(rng.integers(2**31)), name="conv1", **conv),
            Pool(2, name="pool1"),
            Conv2D(6, 16, 5, seed=int(rng.integers(2**31)), name="conv2", **conv),
            Pool(2, name="pool2"),
            Flatten("flatten"),
            _dense(400, 120, activation, engine, rng, "dense1"),
            _dense(120, 84, activation, engine, rng, "dense2"),
            _dense(84, 10, output_activation, engine, rng, "dense3"),
        ],
        engine=engine,
    )


# == formulas: counts from shapes alone ======================================================
def conv2d_forward_counts(
    batch: int,
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    bias: bool = True,
    activation: str | None = None,
) -> Kinds:
    """Conv2D forward: B*C_out*H_out*W_out outputs, each C_in*kH*kW mul and
    C_in*kH*kW - 1 add for the sum (+1 with the bias); then f on every output."""
    (kH, kW) = _pair(kernel_size, "kernel_size", "conv2d_forward_counts", 1)
    (sH, sW) = _pair(stride, "stride", "conv2d_forward_counts", 1)
    (pH, pW) = _pair(padding, "padding", "conv2d_forward_counts", 0)
    _check_fits((batch, in_channels, height, width), (kH, kW), (pH, pW), "conv2d_forward_counts")
    H_out, W_out = output_size(height, kH, sH, pH), output_size(width, kW, sW, pW)
    outputs = batch * out_channels * H_out * W_out
    K = in_channels * kH * kW  # inputs of each output neuron
    counts = {"mul": outputs * K, "add": outputs * (K - 1) + (outputs if bias else 0)}
    if activation is not None:
        # f elementwise; softmax, if asked, works along the last axis (rows of W_out)
        counts = _plus(counts, activation_forward(activation, W_out, batch * out_channels * H_out))
    return without_bytes(_plus(counts))  # operations only: bytes not predicted here yet


def conv2d_parameters(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, int], bias: bool = True
) -> int:
    """C_out*C_in*kH*kW weights, plus C_out biases: the image size does not enter."""
    kH, kW = _pair(kernel_size, "kernel_size", "conv2d_parameters", 1)
    return out_channels * in_channels * kH * kW + (out_channels if bias else 0)


def pool2d_counts(
    kind: str,
    batch: int,
    channels: int,
    height: int,
    width: int,
    kernel_size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
) -> Kinds:
    """A pool's counts, per output of a k x k window: ``kind="max"`` (MaxPool2D) the
    largest of k*k values, k*k - 1 comparisons; ``"avg"`` (AvgPool2D) a sum of k*k values
    (k*k - 1 adds) and one division."""
    who = f"{kind}pool2d_counts"
    if kind not in ("max", "avg"):
        raise ValueError(f"pool2d_counts: kind is 'max' or 'avg'; got {kind!r}")
    kH, kW = _pair(kernel_size, "kernel_size", who, 1)
    sH, sW = (kH, kW) if stride is None else _pair(stride, "stride", who, 1)
    _check_fits((batch, channels, height, width), (kH, kW), (0, 0), who)
    outputs = batch * channels * output_size(height, kH, sH) * output_size(width, kW, sW)
    if kind == "max":
        return _plus({"max": outputs * (kH * kW - 1)})
    return _plus({"add": outputs * (kH * kW - 1), "div": outputs})


#: ``maxpool2d_counts(batch, channels, height, width, kernel_size=2, stride=None)``
maxpool2d_counts = functools.partial(pool2d_counts, "max")
#: ``avgpool2d_counts(batch, channels, height, width, kernel_size=2, stride=None)``
avgpool2d_counts = functools.partial(pool2d_counts, "avg")


def layer_forward_counts(layer: Any, input_shape: Sequence[int]) -> Kinds:
    """The forward counts of one layer (Conv2D, a pool, Flatten, Dense) from its shapes."""
    shape = tuple(input_shape)
    if isinstance(layer, Conv2D):
        B, C, H, W = shape
        f = None if layer.f is None else layer.f.name
        return conv2d_forward_counts(
            B,
            C,
            layer.out_channels,
            H,
            W,
            layer.kernel_size,
            layer.stride,
            layer.padding,
            bias=layer.b is not None,
            activation=f,
        )
    if isinstance(layer, (MaxPool2D, AvgPool2D)):
        kind = "max" if isinstance(layer, MaxPool2D) else "avg"
        return pool2d_counts(kind, *shape, layer.kernel_size, layer.stride)
    if isinstance(layer, Dense):
        return dense_forward(layer.num_inputs, layer.num_neurons, shape[0], layer.f.name)
    if isinstance(layer, Flatten):
        return {}
    raise TypeError(f"no formula for {layer!r}")

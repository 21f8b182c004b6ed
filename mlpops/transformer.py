"""A GPT-style decoder written once for both engines, counted as it runs, forward and back.

The block is the one GPT-2 and nanoGPT use (LayerNorm before each half, "pre-LN"):

    X = token_embedding[ids] + position_embedding      the lookup moves data: 0 operations
    for each block:
        X = X + attention(LayerNorm(X))                 causal, multi-head
        X = X + mlp(LayerNorm(X))                       up D -> F, GELU, down F -> D
    P = softmax(LayerNorm(X) @ token_embedding.T)       the output projection, tied (GPT-2)
    loss = -mean(log P[target])                         softmax cross-entropy

Attention, per head (d_head = D / H):

    Q, K, V = X Wq + bq, X Wk + bk, X Wv + bv           three dense layers without f
    S = Q K.T / sqrt(d_head)                            every query against every key
    S[i, j] = -inf for j > i                            the causal mask: a selection, free
    P = softmax(S)                                      row by row
    O = P V                                             a weighted sum of V: a neuron whose
                                                        weights come from the data
    Y = O Wo + bo                                       heads side by side, projected

The MLP inside the block is the course's neuron equation: ``mlp/up`` is a dense layer
with f = GELU (tanh form), ``mlp/down`` a dense layer without f.

Operations are attributed to phases (``forward``, ``backward``, ``update``), units
(``embedding``, ``block1``..., ``ln-f``, ``lm-head``, ``loss``) and terms named after
the diagram (``ln1``, ``attention/Q``, ``attention/scores``, ``mlp/gelu``, ``residual2``,
...). ``mlpops.transformer_formulas`` predicts every term from the sizes alone.

Longer than 500 lines on purpose: every layer of the block keeps its forward and backward
side by side, as ``nn.Dense`` does, so a reader checks each gradient against its forward.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import counting
from . import transformer_formulas as tf
from .counting import ACTIVATIONS, record, scope
from .nn import _choose, counted, softmax, softmax_backward
from .scalar import values
from .sizes import LIVE_MEMORY_LIMIT, SCALAR_PARAMETER_LIMIT
from .tracked import scalars

ENGINES = ("array", "scalar")
#: LayerNorm's epsilon, as in PyTorch
EPS = 1e-5
GELU_C = math.sqrt(2 / math.pi)
GELU_A = 0.044715
GELU_3A = 3 * GELU_A  # from the derivative of A u^3


def _zeros(shape: tuple[int, ...], engine: str) -> Any:
    """A gradient table of zeros: Scalar zeros on the scalar engine, so that every
    later operation on them is counted like the array engine counts it (free)."""
    Z = np.zeros(shape)
    return scalars(Z) if engine == "scalar" else Z


def _param(a: np.ndarray, engine: str) -> Any:
    return scalars(a) if engine == "scalar" else a


# -- layers ------------------------------------------------------------------------------
class Linear:
    """Z = b + X @ W on rows of X: a dense layer without f (W is N x M)."""

    def __init__(self, W: Any, b: Any | None) -> None:
        self.W, self.b = W, b
        self.num_inputs, self.num_outputs = np.shape(W)

    @classmethod
    def random(cls, n_in: int, n_out: int, rng, engine: str, bias: bool = True) -> Linear:
        W = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))
        b = np.zeros(n_out) if bias else None
        return cls(_param(W, engine), None if b is None else _param(b, engine))

    def forward(self, X):
        self.X = X  # kept for dW
        Z = X @ counted(self.W)
        return Z if self.b is None else counted(self.b) + Z

    def backward(self, dZ):
        """dW = X.T @ dZ, db = sum over rows of dZ, dX = dZ @ W.T; returns dX."""
        self.dW = counted(self.X).T @ dZ
        if self.b is not None:
            self.db = dZ.sum(axis=0)
        return dZ @ counted(self.W).T

    def parameters(self) -> dict[str, Any]:
        return {"W": self.W} if self.b is None else {"W": self.W, "b": self.b}

    def gradients(self) -> dict[str, Any]:
        return {"W": self.dW} if self.b is None else {"W": self.dW, "b": self.db}

    def update(self, lr: float) -> None:
        self.W -= lr * counted(self.dW)
        if self.b is not None:
            self.b -= lr * counted(self.db)


class LayerNorm:
    """Each row scaled to mean 0 and variance 1, then gamma * x_hat + beta."""

    def __init__(self, d: int, engine: str) -> None:
        self.gamma, self.beta = _param(np.ones(d), engine), _param(np.zeros(d), engine)

    def forward(self, X):
        D = X.shape[-1]
        mean = X.sum(axis=-1, keepdims=True) / D
        Xc = X - mean
        var = (Xc * Xc).sum(axis=-1, keepdims=True) / D
        self.rstd = 1 / np.sqrt(var + EPS)
        self.Xhat = Xc * self.rstd
        return self.Xhat * counted(self.gamma) + counted(self.beta)

    def backward(self, dY):
        Xhat, rstd, D = counted(self.Xhat), counted(self.rstd), dY.shape[-1]
        self.dgamma = (dY * Xhat).sum(axis=0)
        self.dbeta = dY.sum(axis=0)
        dXhat = dY * counted(self.gamma)
        m1 = dXhat.sum(axis=-1, keepdims=True) / D
        m2 = (dXhat * Xhat).sum(axis=-1, keepdims=True) / D
        return (dXhat - m1 - Xhat * m2) * rstd

    def parameters(self) -> dict[str, Any]:
        return {"gamma": self.gamma, "beta": self.beta}

    def gradients(self) -> dict[str, Any]:
        return {"gamma": self.dgamma, "beta": self.dbeta}

    def update(self, lr: float) -> None:
        self.gamma -= lr * counted(self.dgamma)
        self.beta -= lr * counted(self.dbeta)


class GELU:
    """f(u) = 0.5 u (1 + tanh(c (u + 0.044715 u^3))), c = sqrt(2/pi): GPT-2's f."""

    name = "gelu"

    def forward(self, U):
        record(ACTIVATIONS, U.size)  # applications of f
        self.U = U
        self.t = np.tanh(GELU_C * (U + GELU_A * (U * U * U)))
        return 0.5 * U * (1 + self.t)

    def backward(self, dG):
        U, t = counted(self.U), counted(self.t)
        slope = 0.5 * (1 + t) + 0.5 * U * (1 - t * t) * GELU_C * (1 + GELU_3A * (U * U))
        return dG * slope


class CausalSelfAttention:
    """H heads of causal self-attention over a (B, T, D) batch kept as R = B*T rows."""

    def __init__(self, d_model: int, heads: int, rng, engine: str) -> None:
        self.heads, self.d_head = heads, d_model // heads
        self.parts = {
            t: Linear.random(d_model, d_model, rng, engine) for t in ("Q", "K", "V", "output")
        }

    def _split(self, X, B: int, T: int):
        """(R, D) -> (B, H, T, d_head): each head's slice of each row (free)."""
        return X.reshape(B, T, self.heads, self.d_head).transpose(0, 2, 1, 3)

    def _merge(self, X):
        B, H, T, dh = X.shape
        return X.transpose(0, 2, 1, 3).reshape(B * T, H * dh)

    def forward(self, X, B: int, T: int):
        self.B, self.T = B, T
        qkv = []
        for t in "QKV":
            with scope(t):
                qkv.append(self._split(self.parts[t].forward(X), B, T))
        self.Q, self.K, self.V = qkv
        scale = 1 / math.sqrt(self.d_head)
        with scope("scores"):
            S = (self.Q @ self.K.transpose(0, 1, 3, 2)) * scale
        with scope("mask"):  # key j > query i is the future: -inf, weight 0 (a selection)
            S = np.where(np.tri(T, dtype=bool), S, -np.inf)
        with scope("softmax"):
            self.P = softmax(S)
        with scope("weighted-sum"):
            out = self.P @ self.V  # each output: a sum of V rows weighted by P
        with scope("output"):
            return self.parts["output"].forward(self._merge(out))

    def backward(self, dY):
        B, T = self.B, self.T
        Q, K, V, P = (counted(a) for a in (self.Q, self.K, self.V, self.P))
        with scope("output"):
            dO = self._split(self.parts["output"].backward(dY), B, T)
        with scope("weighted-sum"):
            dP = dO @ V.transpose(0, 1, 3, 2)
            dV = P.transpose(0, 1, 3, 2) @ dO
        with scope("softmax"):  # masked entries have P = 0, so their gradient is 0 too
            dS = softmax_backward(dP, None, P)
        with scope("scores"):
            dS = dS * (1 / math.sqrt(self.d_head))
            dQ = dS @ K
            dK = dS.transpose(0, 1, 3, 2) @ Q
        dX = {}
        for t, d in (("V", dV), ("K", dK), ("Q", dQ)):
            with scope(t):
                dX[t] = self.parts[t].backward(self._merge(d))
        with scope("dX-sum"):  # X fed Q, K and V: its gradient is the sum of the three
            return dX["Q"] + dX["K"] + dX["V"]


class FeedForward:
    """The block's MLP: a dense layer D -> F with f = GELU, then F -> D without f."""

    def __init__(self, d_model: int, d_ff: int, rng, engine: str) -> None:
        self.up = Linear.random(d_model, d_ff, rng, engine)
        self.f = GELU()
        self.down = Linear.random(d_ff, d_model, rng, engine)

    def parts(self) -> tuple[tuple[str, Any], ...]:
        """The three steps in forward order, by scope name."""
        return (("up", self.up), ("gelu", self.f), ("down", self.down))

    def forward(self, X):
        for name, part in self.parts():
            with scope(name):
                X = part.forward(X)
        return X

    def backward(self, dY):  # the same steps, last first
        for name, part in reversed(self.parts()):
            with scope(name):
                dY = part.backward(dY)
        return dY


def _residual(X, ln, part, names: tuple[str, str, str]):
    """X + part(LayerNorm(X)), each step under its scope (``names``): half a block."""
    ln_scope, part_scope, add_scope = names
    with scope(ln_scope):
        H = ln.forward(X)
    with scope(part_scope):
        P = part(H)
    with scope(add_scope):
        return X + P


def _residual_backward(dY, ln, part_backward, names: tuple[str, str, str]):
    """The gradient of X + part(LayerNorm(X)): X reached the output twice, around the part
    and through it, so its gradient is dY plus what comes back through part and LayerNorm."""
    ln_scope, part_scope, add_scope = names
    with scope(part_scope):
        dH = part_backward(dY)
    with scope(ln_scope):
        dX = ln.backward(dH)
    with scope(add_scope):
        return dY + dX


class Block:
    """X + attention(LayerNorm(X)), then X + mlp(LayerNorm(X))."""

    def __init__(self, d_model: int, heads: int, d_ff: int, rng, engine: str, name: str) -> None:
        self.name = name
        self.ln1, self.ln2 = LayerNorm(d_model, engine), LayerNorm(d_model, engine)
        self.attention = CausalSelfAttention(d_model, heads, rng, engine)
        self.mlp = FeedForward(d_model, d_ff, rng, engine)

    #: The scope names of each half, X + part(LayerNorm(X)): the LayerNorm, the part, the add.
    HALVES = (("ln1", "attention", "residual1"), ("ln2", "mlp", "residual2"))

    def forward(self, X, B: int, T: int):
        X1 = _residual(X, self.ln1, lambda H: self.attention.forward(H, B, T), self.HALVES[0])
        return _residual(X1, self.ln2, self.mlp.forward, self.HALVES[1])

    def backward(self, dX2):
        dX1 = _residual_backward(dX2, self.ln2, self.mlp.backward, self.HALVES[1])
        return _residual_backward(dX1, self.ln1, self.attention.backward, self.HALVES[0])

    def layers(self) -> dict[str, Any]:
        """Every parameterised layer of the block by term name."""
        out: dict[str, Any] = {"ln1": self.ln1}
        out.update({f"attention/{t}": p for t, p in self.attention.parts.items()})
        out.update({"ln2": self.ln2, "mlp/up": self.mlp.up, "mlp/down": self.mlp.down})
        return out


# -- the model ---------------------------------------------------------------------------
def live_memory(*sizes: Any, **named: Any) -> int:
    """Bytes a live training step needs, roughly: 4 copies of the parameters, and for
    each block about 16 (R x D) arrays, 4 (R x F) and 4 attention maps (B x H x T x T),
    and 4 (R x V) for the logits, at 8 bytes each. ``live_memory(layers, d_model, heads,
    context, vocab, batch=1, d_ff=None)``: the sizes of ``transformer_formulas.Sizes``,
    ``context`` the tokens per sequence."""
    s = tf.Sizes(*sizes, **named)
    T, F, B, D = s.T, s.F, s.batch, s.d_model
    R = B * T
    params = tf.num_parameters(s.layers, D, T, s.vocab, F)
    acts = s.layers * (16 * R * D + 4 * R * F + 4 * B * s.heads * T**2)
    return 8 * (4 * params + acts + 4 * R * s.vocab)


def too_large_message(what: str, needed: int) -> str:
    return (
        f"{what} needs about {needed / 1024**3:,.1f} GiB to run live (the limit here is "
        f"{LIVE_MEMORY_LIMIT / 1024**3:.0f} GiB); count it without running it: "
        "mlpops.transformer_formulas.gpt(...) or the command `mlpops gpt ...`"
    )


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"GPT: {what} must be a whole number >= 1; got {value!r}")
    return int(value)


class GPT:
    """A decoder-only transformer whose every arithmetic step is counted under count().

    ``GPT(layers=2, d_model=64, heads=4, context=32, vocab=100)``: token ids of shape
    (B, T) or (T,), T <= context, in; next-token probabilities (B, T, V) out.
    ``d_ff`` is the MLP's width (default 4 d_model); ``tied=True`` reuses the token
    embedding as the output projection (GPT-2). ``engine="scalar"``: every weight a
    counting Scalar (tiny models only).
    """

    def __init__(
        self,
        layers: int,
        d_model: int,
        heads: int,
        context: int,
        vocab: int,
        d_ff: int | None = None,
        tied: bool = True,
        engine: str = "array",
        seed: int | None = 0,
    ) -> None:
        self.layers_n, self.d_model = _whole(layers, "layers"), _whole(d_model, "d_model")
        self.heads, self.context = _whole(heads, "heads"), _whole(context, "context")
        self.vocab = _whole(vocab, "vocab")
        self.d_ff = 4 * self.d_model if d_ff is None else _whole(d_ff, "d_ff")
        if self.d_model % self.heads:
            raise ValueError(
                f"GPT: d_model ({d_model}) must be a multiple of heads ({heads}): each head "
                "gets d_model / heads dimensions"
            )
        self.tied = bool(tied)
        self.engine = _choose("engine", engine, ENGINES)
        sizes = (self.layers_n, self.d_model, self.heads, self.context, self.vocab)
        needed = live_memory(*sizes, d_ff=self.d_ff)
        if needed > LIVE_MEMORY_LIMIT:
            raise MemoryError(too_large_message(f"{self!r}", needed))
        if self.engine == "scalar" and self.num_parameters > SCALAR_PARAMETER_LIMIT:
            raise ValueError(
                f"{self!r} has {self.num_parameters:,} parameters: too many for the scalar "
                f"engine (one Python object each; limit {SCALAR_PARAMETER_LIMIT:,}). "
                "Use engine='array': it counts the same."
            )
        rng = np.random.default_rng(seed)
        D, V = self.d_model, self.vocab
        self.Wte = _param(rng.normal(0.0, 0.02, size=(V, D)), self.engine)
        self.Wpe = _param(rng.normal(0.0, 0.02, size=(self.context, D)), self.engine)
        self.blocks = [
            Block(D, self.heads, self.d_ff, rng, self.engine, f"block{i}")
            for i in range(1, self.layers_n + 1)
        ]
        self.ln_f = LayerNorm(D, self.engine)
        self.head = None if self.tied else Linear.random(D, V, rng, self.engine, bias=False)

    def __repr__(self) -> str:
        return (
            f"GPT(layers={self.layers_n}, d_model={self.d_model}, heads={self.heads}, "
            f"context={self.context}, vocab={self.vocab}, d_ff={self.d_ff}, "
            f"tied={self.tied}, engine={self.engine!r})"
        )

    @property
    def num_parameters(self) -> int:
        return tf.num_parameters(
            self.layers_n, self.d_model, self.context, self.vocab, self.d_ff, self.tied
        )

    # -- inputs ----------------------------------------------------------------------
    def _ids(self, ids: Any, what: str = "ids") -> tuple[np.ndarray, bool]:
        """Token ids as a (B, T) int array, and whether they came as one sequence."""
        a = np.asarray(values(ids))
        if a.size and not np.issubdtype(a.dtype, np.integer):
            raise TypeError(
                f"{what} are whole-number token ids in 0..{self.vocab - 1}; got dtype {a.dtype}"
            )
        if a.ndim not in (1, 2) or a.size == 0:
            raise ValueError(
                f"{what} have shape (T,) or (batch, T), batch and T >= 1; got shape {a.shape}"
            )
        if a.shape[-1] > self.context:
            raise ValueError(
                f"{what} hold {a.shape[-1]} tokens per sequence; this model's context is "
                f"{self.context} (the rows of its position embedding)"
            )
        if a.min() < 0 or a.max() >= self.vocab:
            raise ValueError(f"{what} must lie in 0..{self.vocab - 1}; got {a.min()}..{a.max()}")
        single = a.ndim == 1
        a = a[None, :] if single else a
        sizes = (self.layers_n, self.d_model, self.heads, a.shape[1], self.vocab)
        needed = live_memory(*sizes, batch=a.shape[0], d_ff=self.d_ff)
        if needed > LIVE_MEMORY_LIMIT:
            raise MemoryError(
                too_large_message(f"a batch of {a.shape[0]:,} x {a.shape[1]:,} tokens", needed)
            )
        return a.astype(np.intp), single

    # -- the four phases: forward, loss, backward, update --------------------------------
    def forward(self, ids: Any):
        """Next-token probabilities (B, T, V) (or (T, V)); counted as ``forward``."""
        idx, single = self._ids(ids)
        B, T = idx.shape
        self.idx, self._single = idx, single
        with scope("forward"):
            P = self._forward(idx)
        P = P.reshape(B, T, self.vocab)
        return P[0] if single else P

    def _forward(self, idx):
        B, T = idx.shape
        D = self.d_model
        with scope("embedding"):
            with scope("token"):  # a lookup: rows of the table copied, 0 operations
                tok = counted(self.Wte)[idx.reshape(-1)]
            with scope("position"):
                X = (tok.reshape(B, T, D) + counted(self.Wpe)[:T]).reshape(B * T, D)
        for block in self.blocks:
            with scope(block.name):
                X = block.forward(X, B, T)
        with scope("ln-f"), scope("ln-f"):
            X = self.ln_f.forward(X)
        with scope("lm-head"):
            with scope("logits"):
                Z = X @ counted(self.Wte).T if self.tied else self.head.forward(X)
                self.Xf = X
            with scope("softmax"):
                self.P = softmax(Z)
        return self.P

    def _targets(self, targets: Any) -> np.ndarray:
        t, _ = self._ids(targets, "targets")
        if t.shape != self.idx.shape:
            raise ValueError(
                f"targets must match the ids given to forward, shape {self.idx.shape}; "
                f"got {t.shape}"
            )
        return t.reshape(-1)

    def _loss(self, P, t):
        R = t.size
        picked = P[np.arange(R), t]  # the probability of each right answer (a selection)
        return -(np.log(picked).sum()) / R

    def loss(self, probs: Any, targets: Any) -> float:
        """The mean cross-entropy of probs against the next tokens (``loss/value``)."""
        t = self._targets(targets)
        P = counted(probs).reshape(t.size, self.vocab)
        with scope("loss"), scope("value"):
            return float(values(self._loss(P, t)))

    def backward(self, targets: Any, input_grad: bool = False) -> None:
        """Gradients of the loss for every parameter, after forward: the loss's gradient
        counted as ``loss/gradient``, the layers' as ``backward``.

        ``input_grad`` is accepted for the MLP's interface and changes nothing: token ids
        have no gradient, and the embedding's gradient is always computed."""
        if not hasattr(self, "P"):
            raise RuntimeError("call net.forward(ids) before net.backward(targets)")
        t = self._targets(targets)
        self._backward(t)

    def _backward(self, t):
        """The loss's gradient (phase ``loss``), then the layers' (phase ``backward``)."""
        R = t.size
        with scope("loss"), scope("gradient"):  # softmax and cross-entropy: (P - one_hot) / R
            dZ = counted(self.P).copy()
            dZ[np.arange(R), t] -= 1
            dZ = dZ / R
        with scope("backward"):
            self._backward_layers(dZ)

    def _backward_layers(self, dZ):
        B, T = self.idx.shape
        D = self.d_model
        with scope("lm-head"), scope("logits"):
            if self.tied:
                self.dWte = dZ.T @ counted(self.Xf)
                dX = dZ @ counted(self.Wte)
            else:
                dX = self.head.backward(dZ)
                self.dWte = counted(_zeros((self.vocab, D), self.engine))
        with scope("ln-f"), scope("ln-f"):
            dX = self.ln_f.backward(dX)
        for block in reversed(self.blocks):
            with scope(block.name):
                dX = block.backward(dX)
        with scope("embedding"):
            with scope("position"):
                self.dWpe = counted(_zeros((self.context, D), self.engine))
                self.dWpe[:T] = dX.reshape(B, T, D).sum(axis=0)
            with scope("token"):  # each row's gradient added into its token's row
                for i, v in enumerate(self.idx.reshape(-1)):
                    self.dWte[v] += dX[i]

    def update(self, lr: float) -> None:
        """One SGD step on every parameter, after backward; counted as ``update``."""
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool):
            raise TypeError(f"lr (the learning rate) is a number such as 0.1; got {lr!r}")
        if not hasattr(self, "dWpe"):
            raise RuntimeError("call net.backward(targets) before net.update(lr)")
        with scope("update"):
            with scope("embedding"):
                with scope("token"):
                    self.Wte -= lr * counted(self.dWte)
                with scope("position"):
                    self.Wpe -= lr * counted(self.dWpe)
            for block in self.blocks:
                with scope(block.name):
                    for term, layer in block.layers().items():
                        with _scopes(term):
                            layer.update(lr)
            with scope("ln-f"), scope("ln-f"):
                self.ln_f.update(lr)
            if not self.tied:
                with scope("lm-head"), scope("logits"):
                    self.head.update(lr)

    def train_step(self, ids: Any, targets: Any, lr: float = 0.1) -> float:
        """Forward, loss, backward and update on one batch; returns the loss (before)."""
        P = self.forward(ids)
        t = self._targets(targets)
        with scope("loss"), scope("value"):
            loss = float(values(self._loss(counted(self.P), t)))
        del P
        self._backward(t)
        self.update(lr)
        return loss

    # -- plain values, for checks -----------------------------------------------------
    def named_parameters(self) -> dict[str, Any]:
        """Every parameter array (this engine's) by ``unit/term/name``."""
        head = {} if self.head is None else {"lm-head/logits/W": self.head.W}
        return self._named("parameters", self.Wte, self.Wpe) | head

    def named_gradients(self) -> dict[str, np.ndarray]:
        """The gradients of the last backward as plain floats, named like the parameters."""
        head = {} if self.head is None else {"lm-head/logits/W": self.head.dW}
        out = self._named("gradients", self.dWte, self.dWpe) | head
        return {k: np.array(values(v), dtype=float) for k, v in out.items()}

    def _named(self, which: str, token: Any, position: Any) -> dict[str, Any]:
        """The embeddings' ``token`` and ``position`` arrays, then each layer's
        ``parameters()`` or ``gradients()`` (``which``), by ``unit/term/name``."""
        out = {"embedding/token/W": token, "embedding/position/W": position}
        for block in self.blocks:
            for term, layer in block.layers().items():
                named = getattr(layer, which)()
                out.update({f"{block.name}/{term}/{k}": v for k, v in named.items()})
        out.update({f"ln-f/{k}": v for k, v in getattr(self.ln_f, which)().items()})
        return out


class _scopes:
    """Nested scopes from a path ``a/b``."""

    def __init__(self, path: str) -> None:
        self.scopes = [scope(p) for p in path.split("/")]

    def __enter__(self) -> None:
        for s in self.scopes:
            s.__enter__()

    def __exit__(self, *exc: object) -> None:
        for s in reversed(self.scopes):
            s.__exit__(*exc)


def random_tokens(batch: int, seq: int, vocab: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random ids and their next-token targets (shifted by one), shape (batch, seq) each."""
    rng = np.random.default_rng(seed)
    stream = rng.integers(0, vocab, size=(batch, seq + 1))
    return stream[:, :-1], stream[:, 1:]


def term_breakdown(ops: counting.Counts) -> dict[str, dict[str, dict[str, dict[str, int]]]]:
    """Live counts by unit, phase and term, shaped like ``transformer_formulas.terms``."""
    out: dict = {}
    for path, kinds in ops.by_scope().items():
        parts = path.split("/")
        if parts[0] == "loss":  # the loss phase's one unit is the loss: loss/value, loss/gradient
            parts = ["loss", "loss", parts[1] if len(parts) > 1 else "value"]
        if len(parts) < 3:
            continue
        phase, unit, term = parts[0], parts[1], "/".join(parts[2:])
        cell = out.setdefault(unit, {}).setdefault(phase, {}).setdefault(_term(term), {})
        for k, n in kinds.items():
            if k != counting.MACS and n:
                cell[k] = cell.get(k, 0) + n
    # scopes with no arithmetic (the lookup, the mask) drop out, as in the formulas' _clean
    return {
        unit: {p: {t: k for t, k in terms.items() if k} for p, terms in phases.items()}
        for unit, phases in out.items()
    }


def _term(path: str) -> str:
    """A scope path below the unit, cut to the term the formulas name (``attention/Q``)."""
    parts = path.split("/")
    return "/".join(parts[:2]) if parts[0] in ("attention", "mlp") else parts[0]

"""Closed-form counts of a GPT-style decoder, per term, per unit and per phase, and the
published rules of thumb beside them.

Sizes (the names of nanoGPT and of Kaplan et al. 2020, Table 1):

    L layers (n_layer)    D d_model    H heads, d_head = D / H    T tokens of context (n_ctx)
    V vocabulary (n_vocab)    F feed-forward width (d_ff, default 4 D)    B batch
    R = B * T rows: every token of every sequence is one row of every matrix product

The counts never run a network; the tests hold them against the live counts of
``mlpops.transformer``, term by term: two independent routes to the same integers.

A term's counts are a dict of kinds (``mul``, ``add``, ``div``, ``exp``, ...) as in
``mlpops.formulas``, with ``bytes`` beside them: the compulsory memory traffic of each
numpy call of ``mlpops.transformer`` (the array engine's live count; strip it with
``formulas.without_bytes`` to compare the scalar engine, which cannot see traffic). The approximations at the end are other people's rules, printed
beside the exact count with what each leaves out.

Over 500 lines on purpose: one closed form per term of the block diagram, forward,
backward and bytes, beside the published rules they are compared with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .formulas import BOOL, FLOAT, Kinds, _clean, _plus, matmul_bytes, total

#: Whether these formulas predict ``bytes`` (memory traffic) beside the operations: they
#: do, as ``mlpops.formulas`` does for the MLP (each numpy call's inputs read once, its
#: outputs written once, 8 bytes a float64, 1 a bool; views, reshapes and indexing 0).
#: The scalar engine cannot see traffic: compare it ``without_bytes``.
PREDICTS_BYTES = True

#: The terms of one block, in the order of the block diagram (forward).
BLOCK_TERMS = (
    "ln1",
    "attention/Q",
    "attention/K",
    "attention/V",
    "attention/scores",
    "attention/softmax",
    "attention/weighted-sum",
    "attention/output",
    "residual1",
    "ln2",
    "mlp/up",
    "mlp/gelu",
    "mlp/down",
    "residual2",
)
#: Backward only: the three gradients that reach the block's input through Q, K and V.
DX_SUM = "attention/dX-sum"


# -- the pieces ---------------------------------------------------------------------------
def linear_forward(rows: int, n_in: int, n_out: int, bias: bool = True) -> Kinds:
    """Z = b + X @ W on R rows: R*N*M mul; each output a sum of N products (N-1 adds)
    plus 1 add for the bias: the dense layer's weighted sum."""
    n = rows * n_out
    # bytes: X @ W reads X and W, writes Z; the bias add reads b and X @ W, writes Z
    moved = matmul_bytes(rows, n_in, n_out) + (FLOAT * (n_out + 2 * n) if bias else 0)
    return _clean({"mul": n * n_in, "add": n * (n_in - 1) + (n if bias else 0), "bytes": moved})


def linear_backward(rows: int, n_in: int, n_out: int, bias: bool = True) -> Kinds:
    """dW = X.T @ dZ (N*M*R mul, N*M*(R-1) add), db = sum of dZ over the rows
    ((R-1)*M add), dX = dZ @ W.T (R*N*M mul, R*N*(M-1) add)."""
    N, M, R = n_in, n_out, rows
    dW = {"mul": N * M * R, "add": N * M * (R - 1), "bytes": matmul_bytes(N, R, M)}
    db = {"add": (R - 1) * M, "bytes": FLOAT * (R * M + M)} if bias else {}
    dX = {"mul": R * N * M, "add": R * N * (M - 1), "bytes": matmul_bytes(R, M, N)}
    return _plus(dW, db, dX)


def update(num_parameters: int) -> Kinds:
    """SGD: p <- p - lr * dp, one mul and one add (a subtraction) per parameter;
    bytes: lr * dp reads dp, writes a temporary (2 p), p -= it reads both, writes p (3 p)."""
    p = num_parameters
    return _clean({"mul": p, "add": p, "bytes": 5 * FLOAT * p})


def layernorm_forward(rows: int, d: int) -> Kinds:
    """Per row of D: mean (D-1 add, 1 div), x - mean (D add), variance (D mul, D-1 add,
    1 div), 1/sqrt(var + eps) (1 add, 1 sqrt, 1 div), x_hat (D mul), gamma*x_hat + beta
    (D mul, D add)."""
    R = rows
    # bytes, call by call: sum (RD + R), / D (2R), X - mean (2RD + R), Xc * Xc (3RD),
    # sum (RD + R), / D, + eps, sqrt, 1 / (2R each), Xc * rstd (2RD + R),
    # * gamma and + beta (2RD + D each)
    moved = FLOAT * (13 * R * d + 14 * R + 2 * d)
    return _clean(
        {"mul": 3 * R * d, "add": R * (4 * d - 1), "div": 3 * R, "sqrt": R, "bytes": moved}
    )


def layernorm_backward(rows: int, d: int) -> Kinds:
    """dgamma = sum(dY * x_hat) (R*D mul, (R-1)*D add), dbeta = sum(dY) ((R-1)*D add),
    dx_hat = dY * gamma (R*D mul), two row means (D mul for dx_hat * x_hat, 2(D-1) add,
    2 div per row), dX = (dx_hat - m1 - x_hat*m2) * rstd (2 D add, 2 D mul per row)."""
    R = rows
    return _clean(
        {
            "mul": 5 * R * d,
            "add": 2 * (R - 1) * d + 2 * R * (d - 1) + 2 * R * d,
            "div": 2 * R,
            # bytes: dY * x_hat (3RD), its sum over rows (RD + D), dbeta (RD + D),
            # dY * gamma (2RD + D), two row sums (RD + R each) and / D (2R each),
            # dx_hat * x_hat (3RD), dx_hat - m1 and x_hat * m2 (2RD + R each),
            # their difference (3RD), * rstd (2RD + R)
            "bytes": FLOAT * (21 * R * d + 3 * d + 9 * R),
        }
    )


def softmax_forward(rows: int, n: int) -> Kinds:
    """exp(z - max z) / sum: per row of n, n-1 comparisons, n subtractions, n exp,
    n-1 adds for the sum, n divisions (as ``mlpops.nn.softmax``)."""
    # bytes: max (n + 1 per row), z - max (2n + 1), exp (2n), sum (n + 1), / (2n + 1)
    moved = FLOAT * (8 * rows * n + 4 * rows)
    return _clean(
        {
            "max": rows * (n - 1),
            "add": rows * n + rows * (n - 1),
            "exp": rows * n,
            "div": rows * n,
            "bytes": moved,
        }
    )


def softmax_backward(rows: int, n: int) -> Kinds:
    """dZ = a * (da - sum(da * a)) per row: 2n mul, n + (n-1) add."""
    # bytes: da * a (3n), its row sum (n + 1), da - it (2n + 1), a * that (3n)
    moved = FLOAT * (9 * rows * n + 2 * rows)
    return _clean({"mul": 2 * rows * n, "add": rows * n + rows * (n - 1), "bytes": moved})


#: GELU, tanh form: 0.5 u (1 + tanh(c (u + 0.044715 u^3))), c = sqrt(2/pi)
GELU_FORWARD = {"mul": 6, "add": 2, "tanh": 1}
#: dU = dG * (0.5 (1 + t) + 0.5 u (1 - t^2) c (1 + 3*0.044715 u^2)), t kept from forward
GELU_BACKWARD = {"mul": 9, "add": 4}


def gelu_forward(n: int) -> Kinds:
    """GELU on n values: 6 mul, 2 add, 1 tanh each; n applications of f."""
    # bytes: u*u, *u, +u, 0.5 u * (1 + t) (3 n each); A *, C *, tanh, 0.5 *, 1 + (2 n each)
    moved = 22 * FLOAT * n
    return _clean({k: v * n for k, v in GELU_FORWARD.items()} | {"activations": n, "bytes": moved})


def gelu_backward(n: int) -> Kinds:
    """GELU's derivative times dG, on n values: 9 mul, 4 add each (tanh kept)."""
    # bytes: 8 calls with two arrays (3 n each), 4 with an array and a number (2 n each)
    moved = 32 * FLOAT * n
    return _clean({k: v * n for k, v in GELU_BACKWARD.items()} | {"bytes": moved})


@dataclass(frozen=True)
class Sizes:
    """A decoder's sizes, checked: the one list of them that ``terms``, ``gpt``, ``macs``,
    ``per_token``, ``approximations`` and ``mlpops.transformer.live_memory`` take, in this
    order (``layers, d_model, heads, context, vocab``, then the rest by name).

    ``seq`` tokens per sequence (default: the whole context); ``d_ff`` the MLP's width
    (default 4 d_model); ``tied``: the output projection reuses the token embedding."""

    layers: int
    d_model: int
    heads: int
    context: int
    vocab: int
    batch: int = 1
    seq: int | None = None
    d_ff: int | None = None
    tied: bool = True

    def __post_init__(self) -> None:
        for name in ("layers", "d_model", "heads", "context", "vocab", "batch"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a whole number >= 1; got {v!r}")
        if self.d_model % self.heads:
            raise ValueError(
                f"d_model ({self.d_model}) must be a multiple of heads ({self.heads}): each "
                "head gets d_model / heads dimensions"
            )
        T = self.T
        if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= self.context:
            raise ValueError(
                f"seq (tokens per sequence) must lie in 1..context={self.context}; got {T!r}"
            )
        F = self.F
        if isinstance(F, bool) or not isinstance(F, int) or F < 1:
            raise ValueError(f"d_ff must be a whole number >= 1; got {F!r}")

    @property
    def T(self) -> int:
        """Tokens per sequence."""
        return self.context if self.seq is None else self.seq

    @property
    def F(self) -> int:
        """The MLP's width."""
        return 4 * self.d_model if self.d_ff is None else self.d_ff


# -- one block ------------------------------------------------------------------------
def attention_scores(batch: int, seq: int, d_model: int, heads: int) -> Kinds:
    """S = Q K.T / sqrt(d_head), every head: B*H*T*T scores of d_head products each,
    then one multiply each by 1/sqrt(d_head). The causal mask only selects (free)."""
    d_head, n = d_model // heads, batch * heads * seq * seq
    # bytes: Q @ K.T reads Q and K (B T D each), writes S (n); * scale reads and writes S
    moved = FLOAT * (3 * n + 2 * batch * seq * d_model)
    return _clean({"mul": n * d_head + n, "add": n * (d_head - 1), "bytes": moved})


def block_terms(
    batch: int, seq: int, d_model: int, heads: int, d_ff: int, phase: str
) -> dict[str, Kinds]:
    """One block's counts by term for ``phase`` (forward, backward or update)."""
    B, T, D, H, F = batch, seq, d_model, heads, d_ff
    R, dh = B * T, D // H
    pairs = B * H * T * T  # query-key pairs, the masked half included (computed, then masked)
    if phase == "forward":
        out = {"ln1": layernorm_forward(R, D)}
        for t in "QKV":
            out[f"attention/{t}"] = linear_forward(R, D, D)
        out["attention/scores"] = attention_scores(B, T, D, H)
        # the mask: no arithmetic; np.where reads the (T x T) bools and S, writes S
        out["attention/mask"] = {"bytes": BOOL * T * T + 2 * FLOAT * pairs}
        out["attention/softmax"] = softmax_forward(B * H * T, T)
        out["attention/weighted-sum"] = _clean(
            {
                "mul": pairs * dh,
                "add": B * H * T * dh * (T - 1),
                "bytes": FLOAT * (pairs + 2 * R * D),
            }
        )
        out["attention/output"] = linear_forward(R, D, D)  # merging the heads: a reshape, 0
        out["residual1"] = {"add": R * D, "bytes": 3 * FLOAT * R * D}
        out["ln2"] = layernorm_forward(R, D)
        out["mlp/up"] = linear_forward(R, D, F)
        out["mlp/gelu"] = gelu_forward(R * F)
        out["mlp/down"] = linear_forward(R, F, D)
        out["residual2"] = {"add": R * D, "bytes": 3 * FLOAT * R * D}
        return out
    if phase == "backward":
        two_products = {
            "mul": 2 * pairs * dh,
            "add": pairs * (dh - 1) + B * H * T * dh * (T - 1),
            "bytes": 2 * FLOAT * (pairs + 2 * R * D),
        }
        out = {
            "mlp/down": linear_backward(R, F, D),
            "mlp/gelu": gelu_backward(R * F),
            "mlp/up": linear_backward(R, D, F),
            "ln2": layernorm_backward(R, D),
            "residual2": {"add": R * D, "bytes": 3 * FLOAT * R * D},
            "attention/output": linear_backward(R, D, D),
            # dP = dO @ V.T and dV = P.T @ dO
            "attention/weighted-sum": _clean(two_products),
            "attention/softmax": softmax_backward(B * H * T, T),
            # dS * (1/sqrt(d_head)), then dQ = dS @ K and dK = dS.T @ Q
            "attention/scores": _clean(
                {
                    "mul": pairs + 2 * pairs * dh,
                    "add": 2 * B * H * T * dh * (T - 1),
                    "bytes": FLOAT * (4 * pairs + 4 * R * D),
                }
            ),
        }
        for t in "VKQ":
            out[f"attention/{t}"] = linear_backward(R, D, D)
        out[DX_SUM] = {"add": 2 * R * D, "bytes": 6 * FLOAT * R * D}
        out["ln1"] = layernorm_backward(R, D)
        out["residual1"] = {"add": R * D, "bytes": 3 * FLOAT * R * D}
        return out
    if phase == "update":
        return {
            "ln1": update(2 * D),
            **{f"attention/{t}": update(D * D + D) for t in ("Q", "K", "V", "output")},
            "ln2": update(2 * D),
            "mlp/up": update(D * F + F),
            "mlp/down": update(F * D + D),
        }
    raise ValueError(f"phase is forward, backward or update; got {phase!r}")


# -- the whole model ------------------------------------------------------------------
def terms(*sizes: Any, train: bool = True, **named: Any) -> dict[str, dict[str, dict[str, Kinds]]]:
    """Counts by unit, phase and term: ``{"block1": {"forward": {"ln1": {...}, ...}}}``.

    ``terms(layers, d_model, heads, context, vocab, batch=1, seq=None, d_ff=None,
    tied=True)``: the sizes of ``Sizes``. Units in the order data flows: embedding,
    block1..blockL, ln-f, lm-head, loss. ``train=False``: the forward pass only (no loss).
    """
    s = Sizes(*sizes, **named)
    T, F, B, D, V = s.T, s.F, s.batch, s.d_model, s.vocab
    R = B * T
    phases = ("forward", "backward", "update") if train else ("forward",)
    out: dict[str, dict[str, dict[str, Kinds]]] = {}
    # the lookup: 0 operations, and indexing is counted as moving 0 bytes (as views)
    emb = {
        "forward": {"token": {}, "position": {"add": R * D, "bytes": FLOAT * (2 * R * D + T * D)}}
    }
    if train:
        # position: one sum over the batch per row; token: every row's gradient added
        # into the token table's (one add per element, also where a token repeats)
        emb["backward"] = {
            "position": _clean({"add": (B - 1) * T * D, "bytes": FLOAT * (R * D + T * D)}),
            "token": {"add": R * D, "bytes": 3 * FLOAT * R * D},  # R row adds of D
        }
        emb["update"] = {"token": update(V * D), "position": update(s.context * D)}
    out["embedding"] = emb
    for i in range(1, s.layers + 1):
        out[f"block{i}"] = {p: block_terms(B, T, D, s.heads, F, p) for p in phases}
    out["ln-f"] = {"forward": {"ln-f": layernorm_forward(R, D)}}
    head = {
        "forward": {"logits": linear_forward(R, D, V, bias=False), "softmax": softmax_forward(R, V)}
    }
    if train:
        out["ln-f"]["backward"] = {"ln-f": layernorm_backward(R, D)}
        out["ln-f"]["update"] = {"ln-f": update(2 * D)}
        head["backward"] = {"logits": linear_backward(R, D, V, bias=False)}
        if not s.tied:
            head["update"] = {"logits": update(D * V)}
    out["lm-head"] = head
    if train:
        # -sum(log p[target]) / R; backward: (p - one_hot) / R, the 1 subtracted where it is
        # the loss is its own phase: its value and its gradient
        out["loss"] = {
            "loss": {
                # bytes: log (2R), sum (R + 1), negate (2), / R (2); picking P[t] is indexing
                "value": {"log": R, "add": R, "div": 1, "bytes": FLOAT * (3 * R + 5)},
                # bytes: copy P (2RV), the picked entries minus 1 (2R), / R (2RV)
                "gradient": {"add": R, "div": R * V, "bytes": FLOAT * (4 * R * V + 2 * R)},
            }
        }
    for unit in out.values():  # terms with no arithmetic (the lookup) stay as {}
        for phase in unit.values():
            for t in phase:
                phase[t] = _clean(phase[t])
    return out


def without_empty_terms(table: dict) -> dict:
    """A ``terms`` table without the terms that do no arithmetic (the embedding lookup),
    as ``mlpops.transformer.term_breakdown`` reports the live count."""
    return {
        unit: {p: {t: k for t, k in ts.items() if k} for p, ts in phases.items()}
        for unit, phases in table.items()
    }


def gpt(*args, **kwargs) -> dict[str, dict[str, Kinds]]:
    """Counts by unit and phase (terms summed), shaped like ``mlpops.formulas.mlp``:
    ``{"embedding": {"forward": {...}, ...}, "block1": {...}, ..., "loss": {...}}``."""
    return {
        unit: {phase: _plus(*by_term.values()) for phase, by_term in phases.items()}
        for unit, phases in terms(*args, **kwargs).items()
    }


def macs(*sizes: Any, **named: Any) -> dict[str, int]:
    """Multiply-accumulates of the matrix products, forward and forward+backward, for the
    sizes of ``Sizes`` (``tied`` changes nothing: the lm-head multiplies either way).

    Forward per block: Q, K, V, output (4 R D^2), up and down (2 R D F), QK^T and PV
    (2 B T^2 D); the lm-head R D V. Backward runs two products for each of those.
    """
    s = Sizes(*sizes, **named)
    T, F, D, batch = s.T, s.F, s.d_model, s.batch
    R = batch * T
    block = 4 * R * D * D + 2 * R * D * F + 2 * batch * T * T * D
    forward = s.layers * block + R * D * s.vocab
    return {"forward": forward, "forward_backward": 3 * forward}


def num_parameters(
    layers: int,
    d_model: int,
    context: int,
    vocab: int,
    d_ff: int | None = None,
    tied: bool = True,
) -> int:
    """Every weight, bias and LayerNorm gain/shift: (V + T) D embeddings, L blocks of
    4 D^2 + 2 D F + F + 9 D, the final LayerNorm 2 D, and D V more when not tied."""
    D = d_model
    F = 4 * D if d_ff is None else d_ff
    block = 4 * D * D + 4 * D + 2 * D * F + F + D + 4 * D
    return (vocab + context) * D + layers * block + 2 * D + (0 if tied else D * vocab)


# -- per token, and the published rules ------------------------------------------------
def per_token(*sizes: Any, **named: Any) -> dict[str, float]:
    """The exact count per token of one full sequence of ``context`` tokens (batch 1):
    forward (no loss), forward+backward (with the loss, as training runs it), update.
    ``per_token(layers, d_model, heads, context, vocab, d_ff=None, tied=True)``."""
    s = _one_sequence(Sizes(*sizes, **named), "per_token")
    table = gpt(
        s.layers, s.d_model, s.heads, s.context, s.vocab, d_ff=s.d_ff, tied=s.tied, train=True
    )
    sums = {"forward": 0, "loss": 0, "backward": 0, "update": 0}
    for phases in table.values():
        for phase, kinds in phases.items():
            sums[phase] += total(kinds)
    T = s.context
    return {
        "forward": sums["forward"] / T,
        "forward_backward": (sums["forward"] + sums["backward"] + sums["loss"]) / T,
        "update": sums["update"] / T,
    }


def _one_sequence(s: Sizes, who: str) -> Sizes:
    """``s``, which must be one whole sequence: the per-token counts take no batch or seq."""
    if s.batch != 1 or s.seq is not None:
        raise TypeError(
            f"{who} counts one full sequence of context tokens: give layers, d_model, heads, "
            f"context, vocab, d_ff and tied (by name), no batch or seq; got {s}"
        )
    return s


def kaplan_parameters(layers: int, d_model: int, d_ff: int | None = None) -> int:
    """Kaplan et al.'s N: non-embedding weights 2 d_model n_layer (2 d_attn + d_ff),
    d_attn = d_model (no biases, no LayerNorm)."""
    F = 4 * d_model if d_ff is None else d_ff
    return 2 * d_model * layers * (2 * d_model + F)


def nanogpt_parameters(
    layers: int, d_model: int, context: int, vocab: int, d_ff: int | None = None
) -> int:
    """nanoGPT's ``get_num_params()``: every parameter except the position embeddings
    (the token embedding counts, as the tied output projection)."""
    return num_parameters(layers, d_model, context, vocab, d_ff) - context * d_model


#: Each rule: where it comes from, and what it leaves out of the exact count.
RULES: dict[str, dict[str, str]] = {
    "kaplan": {
        "name": "Kaplan et al. 2020, Table 1",
        "formula": "forward 2N + 2 n_layer n_ctx d_attn per token; training 3x forward",
        "source": "J. Kaplan et al., Scaling Laws for Neural Language Models, "
        "arXiv:2001.08361 (2020), Section 2.1 and Table 1",
        "leaves_out": "the embedding and the output projection to the vocabulary (N is "
        "non-embedding), LayerNorm, the softmaxes, GELU, the 1/sqrt(d_head) scale, "
        "residual adds, the biases; its context term, 2 n_layer n_ctx d_attn, amounts to "
        "half of what QK^T and PV cost over all n_ctx keys (as many keys as a token sees on "
        "average under the causal mask), while a plain implementation computes the masked "
        "half too",
    },
    "palm": {
        "name": "PaLM Appendix B / nanoGPT estimate_mfu",
        "formula": "training 6N + 12 L H Q T per token (forward one third of it)",
        "source": "A. Chowdhery et al., PaLM: Scaling Language Modeling with Pathways, "
        "arXiv:2204.02311 (2022), Appendix B; A. Karpathy, nanoGPT model.py estimate_mfu",
        "leaves_out": "LayerNorm, the softmaxes, GELU, the 1/sqrt(d_head) scale, the "
        "residual and position adds, the loss; its N counts biases and LayerNorm gains at "
        "6 operations per token each, which is not what they cost; its attention term counts "
        "QK^T and PV over all T keys, the masked half included",
    },
}


#: Which parameters each count calls N: the papers count different ones.
PARAMETERS_COUNTED: dict[str, str] = {
    "exact": "every parameter: the token and position tables, every weight, bias and "
    "LayerNorm gain and shift (num_parameters)",
    "kaplan": "the non-embedding weights only, 2 d_model n_layer (2 d_attn + d_ff): no "
    "token or position table, no biases, no LayerNorm (kaplan_parameters)",
    "palm": "nanoGPT's get_num_params(): every parameter except the position table, which "
    "is only looked up; the token table counts, as the tied lm-head multiplies it "
    "(nanogpt_parameters)",
}


def approximations(*sizes: Any, **named: Any) -> dict[str, dict[str, float]]:
    """Per token: the exact count and each published rule, forward (the model alone, no
    loss) and training (forward + loss + backward), with the gap (rule / exact - 1), the
    N each uses (``N``, and which parameters it counts: ``parameters``) and what the rule
    leaves out. ``approximations(layers, d_model, heads, context, vocab, d_ff=None,
    tied=True)``, as ``per_token``."""
    s = _one_sequence(Sizes(*sizes, **named), "approximations")
    exact = per_token(*sizes, **named)
    L, D, H, T, vocab, d_ff, tied = s.layers, s.d_model, s.heads, s.context, s.vocab, s.d_ff, s.tied
    N_k = kaplan_parameters(L, D, d_ff)
    kaplan_f = 2 * N_k + 2 * L * T * D
    N_p = nanogpt_parameters(L, D, T, vocab, d_ff)
    palm_fb = 6 * N_p + 12 * L * H * (D // H) * T
    out: dict[str, dict] = {
        "exact": {
            "forward": exact["forward"],
            "forward_backward": exact["forward_backward"],
            "N": num_parameters(L, D, T, vocab, d_ff, tied),
            "parameters": PARAMETERS_COUNTED["exact"],
        },
    }
    for key, f, fb, N in (
        ("kaplan", kaplan_f, 3 * kaplan_f, N_k),
        ("palm", palm_fb / 3, palm_fb, N_p),
    ):
        out[key] = {
            **RULES[key],
            "N": N,
            "parameters": PARAMETERS_COUNTED[key],
            "forward": f,
            "forward_backward": fb,
            "gap_forward": f / exact["forward"] - 1,
            "gap_forward_backward": fb / exact["forward_backward"] - 1,
        }
    return out


#: A block's terms by what they multiply: learned weights, or the tokens with each other.
WEIGHT_TERMS = (
    "attention/Q",
    "attention/K",
    "attention/V",
    "attention/output",
    "mlp/up",
    "mlp/down",
)
ATTENTION_TERMS = ("attention/scores", "attention/softmax", "attention/weighted-sum")


def block_parts_per_token(
    d_model: int, heads: int, seq: int, d_ff: int | None = None, kind: str | None = None
) -> dict[str, float]:
    """One block's forward count per token of a sequence of ``seq`` tokens, in three
    parts: ``weights`` (the six products with weight matrices, biases included),
    ``attention`` (scores, softmax, weighted sum: every token with every token) and
    ``other`` (LayerNorms, GELU, residual adds). ``kind`` (e.g. "mul") counts one kind
    only; None counts every arithmetic operation."""
    F = 4 * d_model if d_ff is None else d_ff
    terms = block_terms(1, seq, d_model, heads, F, "forward")

    def size(kinds: Kinds) -> int:
        return total(kinds) if kind is None else kinds.get(kind, 0)

    weights = sum(size(terms[t]) for t in WEIGHT_TERMS)
    attention = sum(size(terms[t]) for t in ATTENTION_TERMS)
    other = sum(size(k) for t, k in terms.items()) - weights - attention
    return {"weights": weights / seq, "attention": attention / seq, "other": other / seq}


def crossover_context(d_model: int, heads: int, d_ff: int | None = None) -> int:
    """The shortest context T at which a block's attention terms do at least as many
    operations per token as its weight products: attention per token grows with T, the
    weights' stays put. Found on the exact count (doubling, then bisection)."""

    def attention_wins(T: int) -> bool:
        parts = block_parts_per_token(d_model, heads, T, d_ff)
        return parts["attention"] >= parts["weights"]

    hi = 1
    while not attention_wins(hi):
        hi *= 2
    lo = hi // 2  # attention_wins(lo) is False (or lo == 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if attention_wins(mid) else (mid, hi)
    return hi

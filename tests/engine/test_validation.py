"""Bad input to the network and the formulas: refused with a message that names what was
wrong and what was expected, never a nan, a negative count, a numpy core-dimension error
or a silently dropped imaginary part."""

import warnings

import numpy as np
import pytest

from mlpops import MLP, count, formulas, nn, one_hot
from mlpops.checks import ACTIVATION_NAMES, LOSSES


@pytest.fixture(autouse=True)
def warnings_are_errors():
    """A refusal must be an error, not a RuntimeWarning or a ComplexWarning on the way."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# -- batch: at least one example ----------------------------------------------------------
@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_an_empty_batch_is_refused_by_forward_and_train_step(engine):
    net = MLP([3, 2], engine=engine)
    with pytest.raises(ValueError, match=r"x has no examples \(shape \(0, 3\)\).*at least one"):
        net.forward(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"x has no examples"):
        net.train_step(np.zeros((0, 3)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"target has no examples"):
        net.loss(np.zeros((0, 2)), np.zeros((0, 2)))


@pytest.mark.parametrize("batch", [0, -1, 1.5, True, "4"])
def test_formulas_refuse_a_batch_that_is_not_a_whole_number_of_examples(batch):
    with pytest.raises(
        ValueError, match=r"batch \(the number of examples\) is a whole number >= 1"
    ):
        formulas.mlp([3, 2], batch)
    with pytest.raises(ValueError, match=r"batch \(the number of examples\)"):
        formulas.matmul_macs([3, 2], batch)


@pytest.mark.parametrize(
    "sizes, message",
    [([3.0, 2.5], r"got 3.0 at position 0"), ([3, 0], r"got 0 at position 1"), ([3], "two widths")],
)
def test_formulas_refuse_sizes_that_are_not_whole_widths(sizes, message):
    with pytest.raises(ValueError, match=message):
        formulas.mlp(sizes)


def test_formulas_refuse_unknown_names_and_list_the_choices():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; choose one of mse, cross-entropy"):
        formulas.mlp([3, 2], loss="hinge")
    choices = "identity, relu, sigmoid, tanh, softmax"
    with pytest.raises(
        ValueError, match=rf"'sigmod' \(did you mean 'sigmoid'\?\); choose one of {choices}"
    ):
        formulas.mlp([3, 2], activation="sigmod")
    with pytest.raises(
        ValueError, match=rf"unknown output activation 'gelu'.*; choose one of {choices}"
    ):
        formulas.mlp([3, 2], output_activation="gelu")
    with pytest.raises(ValueError, match="softmax cross-entropy"):
        formulas.mlp([3, 2], loss="cross-entropy", output_activation="sigmoid")
    for f in (formulas.activation_forward, formulas.activation_backward):
        with pytest.raises(
            ValueError, match=f"unknown activation 'gelu'.*; choose one of {choices}"
        ):
            f("gelu", 3)
    for f in (formulas.loss_forward, formulas.loss_backward):
        with pytest.raises(ValueError, match="unknown loss 'hinge'"):
            f("hinge", 3)


def test_the_network_and_the_formulas_know_the_same_names():
    assert tuple(nn.ACTIVATION_FUNCTIONS) == ACTIVATION_NAMES
    assert nn.LOSSES == LOSSES
    for name in ACTIVATION_NAMES:  # every name has a formula, forward and backward
        formulas.activation_forward(name, 3)
        formulas.activation_backward(name, 3)


def test_sizes_may_be_a_numpy_array_of_integers():
    assert MLP(np.array([3, 2])).sizes == [3, 2]
    assert type(MLP(np.array([3, 2], dtype=np.int32)).sizes[0]) is int
    assert formulas.mlp(np.array([3, 2])) == formulas.mlp([3, 2])
    with pytest.raises(ValueError, match="got 3.0 at position 0"):
        MLP(np.array([3.0, 2.0]))


# -- numbers: real, finite, distributions where the loss needs them -----------------------
@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_complex_input_is_refused_not_truncated(engine):
    net = MLP([3, 2], engine=engine)
    with pytest.raises(TypeError, match=r"x must be real numbers; got complex"):
        net.forward(np.array([1 + 1j, 2, 3]))
    with pytest.raises(TypeError, match=r"x must be real numbers; got complex"):
        net.forward([1j, 2, 3])
    net.forward(np.ones(3))
    with pytest.raises(TypeError, match=r"target must be real numbers; got complex"):
        net.backward(np.array([1j, 0]))


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -float("inf"), np.float64("nan")])
def test_a_learning_rate_that_is_not_finite_is_refused_before_anything_changes(lr):
    net = MLP([3, 2])
    before = net.parameters()
    with count() as ops, pytest.raises(ValueError, match=r"lr \(the learning rate\) must be"):
        net.train_step(np.ones(3), np.ones(2), lr=lr)
    assert ops.total == 0  # refused before the forward pass, not after the backward one
    with pytest.raises(ValueError, match=r"lr \(the learning rate\) must be a finite number"):
        net.update(lr)
    for (W0, b0), (W1, b1) in zip(before, net.parameters()):
        np.testing.assert_array_equal(W0, W1)
        np.testing.assert_array_equal(b0, b1)


def test_a_learning_rate_may_be_a_numpy_number_or_a_0d_array():
    for lr in (np.float64(0.1), np.array(0.1), np.float32(0.1)):
        net = MLP([3, 2])
        net.train_step(np.ones(3), np.ones(2), lr=lr)
    with count():
        MLP([3, 2]).train_step(np.ones(3), np.ones(2), lr=np.array(0.1))


@pytest.mark.parametrize(
    "target, what",
    [
        ([3.0, -1.0], "negative"),
        ([0.5, 0.2], "row 0 sums to 0.7"),
        ([[1.0, 0.0], [0.6, 0.6]], "row 1 sums to 1.2"),
        ([np.nan, 1.0], "not a number"),
    ],
)
def test_cross_entropy_targets_must_be_probability_distributions(target, what):
    net = MLP([3, 2], loss="cross-entropy")
    x = np.ones((np.ndim(target) and len(target), 3)) if np.ndim(target) == 2 else np.ones(3)
    with pytest.raises(ValueError, match=rf"cross-entropy targets are probabilities.*{what}"):
        net.train_step(x, target)
    with pytest.raises(ValueError, match=r"mlpops\.one_hot\(labels, 2\)"):
        net.loss(net.forward(x), target)


def test_cross_entropy_accepts_one_hot_rows_and_soft_labels():
    net = MLP([3, 2], loss="cross-entropy")
    net.train_step(np.ones((2, 3)), one_hot([0, 1], 2))
    net.train_step(np.ones((2, 3)), [[0.25, 0.75], [1 / 3, 2 / 3]])  # rounding is fine


# -- shapes: the usual message, whatever the order of calls -------------------------------
@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_one_example_with_a_batch_of_targets_gets_the_shape_message(engine):
    net = MLP([3, 2], engine=engine)
    shape = r"target must match the output of layer1, shape \(2,\); got target of shape \(4, 2\)"
    with pytest.raises(ValueError, match=shape):
        net.train_step(np.ones(3), np.ones((4, 2)))
    net.forward(np.ones(3))
    with pytest.raises(ValueError, match=shape):
        net.backward(np.ones((4, 2)))


@pytest.mark.parametrize("engine", ["array", "scalar"])
def test_backward_after_a_forward_on_another_batch_gets_the_shape_message(engine):
    net = MLP([3, 2], engine=engine)
    net.forward(np.ones((4, 3)))
    net.forward(np.ones((5, 3)))  # the batch backward will use
    with pytest.raises(ValueError, match=r"shape \(5, 2\); got target of shape \(4, 2\)"):
        net.backward(np.ones((4, 2)))
    net.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"shape \(4, 2\); got target of shape \(2,\)"):
        net.backward(np.ones(2))

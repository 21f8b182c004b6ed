"""The helpers notebook 04 prints its judged lines with: numpy calls per f, and the lines
that say whether measured times follow the calls."""

import numpy as np

from mlpops.course import activation_views

NAMES = ["identity", "relu", "sigmoid", "tanh", "softmax"]


def test_numpy_calls_counts_one_call_per_ufunc_or_reduction_of_each_activation():
    z = np.linspace(-1, 1, 30)
    calls = {n: activation_views.numpy_calls(n, z) for n in NAMES}
    # identity: none; relu: maximum; sigmoid: -z, exp, 1 +, 1 /; tanh: tanh;
    # softmax: max, subtract, exp, sum, divide
    assert calls == {"identity": 0, "relu": 1, "sigmoid": 4, "tanh": 1, "softmax": 5}


def test_calls_line_says_the_times_follow_the_calls_when_no_pair_disagrees():
    line = activation_views.calls_line({"a": 1.0, "b": 3.0}, {"a": 1, "b": 4}, {"a": 9, "b": 2})
    assert line.startswith("~1x: the times follow the number of numpy calls")


def test_calls_line_counts_a_difference_within_the_threshold_as_a_tie():
    line = activation_views.calls_line({"a": 1.2, "b": 1.0}, {"a": 1, "b": 1}, {"a": 1, "b": 1})
    assert "follow the number of numpy calls" in line


def test_calls_line_names_the_pair_that_took_longer_with_as_many_calls():
    line = activation_views.calls_line(
        {"relu": 2.0, "tanh": 1.0, "softmax": 9.0},
        {"relu": 1, "tanh": 1, "softmax": 5},
        {"relu": 30, "tanh": 30, "softmax": 148},
    )
    assert line.startswith("~2x: relu (1 call, 30 operations) took longer than tanh")
    assert "as many numpy calls as tanh" in line


def test_python_number_line_judges_the_ratio_with_its_threshold():
    assert "a fixed cost of its own" in activation_views.python_number_line(2.0, 1.0)
    assert "about the same (within 1.25x)" in activation_views.python_number_line(1.1, 1.0)
    assert activation_views.python_number_line(1.0, 2.0).startswith("~0.5x: ")
    assert "faster with the Python number" in activation_views.python_number_line(1.0, 2.0)

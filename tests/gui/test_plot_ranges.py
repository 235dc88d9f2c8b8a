"""Round plot ranges that change rarely: nice numbers, 0 kept at the bottom, a range kept while values fit it."""

import math

import pytest

from nnstudio.gui.plots.plot_ranges import NICE_STEPS, RANGE_FILL, nice_above, nice_range, steady_range


@pytest.mark.parametrize("value, nice", [(0.7, 0.8), (1.0, 1.0), (1.01, 1.2), (2.2, 2.5), (7, 8), (8.5, 10.0),
                                         (123, 150), (0.031, 0.04)])
def test_nice_above_is_the_next_round_number(value, nice):
    assert nice_above(value) == pytest.approx(nice)


def test_nice_above_is_round_and_never_below():
    for value in (0.0013, 0.9, 3.3, 47, 999, 12345.6):
        nice = nice_above(value)
        assert nice >= value
        mantissa = nice / 10.0 ** math.floor(math.log10(nice) + 1e-9)
        assert any(mantissa == pytest.approx(step) for step in NICE_STEPS)


def test_nice_range_keeps_zero_at_the_bottom_of_non_negative_values():
    assert nice_range(0.3, 2.2, logarithmic=False) == (0.0, 2.5)  # a loss: 0 at the bottom, room above
    assert nice_range(0.0, 0.97, logarithmic=False) == (0.0, 1.2)  # accuracy
    low, high = nice_range(-3.0, 2.0, logarithmic=False)  # negative values: below them, round
    assert low <= -3.0 and high >= 2.0 and low == -nice_above(-low)


def test_nice_range_of_a_flat_line_has_room_around_it():
    low, high = nice_range(5.0, 5.0, logarithmic=False)
    assert low == 0.0 and high > 5.0
    low, high = nice_range(-5.0, -5.0, logarithmic=False)
    assert low < -5.0 < high


def test_nice_range_on_a_log_axis_is_whole_decades():
    assert nice_range(-2.3, 0.4, logarithmic=True) == (-3, 1)  # log10 values: 10^-3 .. 10^1
    assert nice_range(-2.0, 1.0, logarithmic=True) == (-3, 2)  # a value on a decade gets room beyond it


def test_steady_range_keeps_the_range_while_the_values_fit_it():
    first = steady_range(None, 0.0, 2.2)
    assert first == (0.0, 2.5)
    assert steady_range(first, 0.0, 2.4) == first     # still inside
    assert steady_range(first, 0.1, 1.5) == first     # smaller, but still fills more than RANGE_FILL


def test_steady_range_refits_when_values_leave_or_shrink():
    current = (0.0, 2.5)
    grown = steady_range(current, 0.0, 3.1)
    assert grown != current and grown[1] >= 3.1
    below = steady_range(current, -0.5, 2.0)
    assert below[0] <= -0.5
    shrunk = steady_range(current, 0.0, 0.4)  # a falling loss: the curve would be a line at the bottom
    assert shrunk == nice_range(0.0, 0.4, logarithmic=False)
    assert shrunk[1] - shrunk[0] < RANGE_FILL * (current[1] - current[0])


def test_steady_range_with_a_lower_fill_waits_longer_before_shrinking():
    current = (0.0, 1.0)
    assert steady_range(current, 0.0, 0.3) != current            # under half of it: refit by default
    assert steady_range(current, 0.0, 0.3, fill=0.2) == current   # gradients: still a fifth or more
    assert steady_range(current, 0.0, 0.1, fill=0.2) != current


def test_a_score_that_cannot_pass_one_gets_no_axis_beyond_it():
    """A student walk-through saw the accuracy axis run to 1.1 (an accuracy of 110% is not a thing)."""
    assert nice_range(0.0, 0.97, logarithmic=False, ceiling=1.0) == (0.0, 1.0)
    assert nice_range(1.0, 1.0, logarithmic=False, ceiling=1.0) == (0.0, 1.0)   # a flat perfect run
    assert nice_range(-3.0, 0.8, logarithmic=False, ceiling=1.0)[1] == 1.0      # R² below zero, still ≤ 1
    assert nice_range(0.0, 0.97, logarithmic=False) == (0.0, 1.2)              # a loss may grow: room above


def test_the_curves_panel_knows_which_scores_stop_at_one():
    from nnstudio.gui.training.curve_data import metric_ceiling

    assert metric_ceiling("accuracy") == metric_ceiling("main_output_r2") == metric_ceiling("val_f1") == 1.0
    assert metric_ceiling("mae") is None and metric_ceiling("aux_output_mse") is None

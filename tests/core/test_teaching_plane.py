"""The input-plane grid that the neuron view's activation maps and the decision map are drawn on."""

import numpy as np
import pytest

from nnstudio.core.teaching.plane import Plane, input_plane, line_over, padded_range


def test_the_range_gets_a_margin_of_a_fraction_of_the_spread_but_never_less_than_the_least():
    samples = np.array([[0.0, 10.0], [2.0, 10.5]])
    low, high = padded_range(samples, fraction=0.25, least=0.2)
    # x spreads 2, so 0.5 either side; y spreads only 0.5, so the least margin 0.2 wins over 0.125.
    assert low == pytest.approx([-0.5, 9.8]) and high == pytest.approx([2.5, 10.7])


def test_without_samples_the_plane_spans_minus_one_to_one_before_the_margin():
    for nothing in (None, np.zeros((0, 2))):
        low, high = padded_range(nothing, fraction=0.15, least=0.25)
        assert low == pytest.approx([-1.3, -1.3]) and high == pytest.approx([1.3, 1.3])


def test_a_picture_drawn_top_down_has_the_largest_y_in_its_first_row():
    samples = np.array([[0.0, 0.0], [1.0, 1.0]])
    plane = input_plane(samples, size=5, fraction=0.0, least=0.0, top_down=True)
    assert plane.shape == (5, 5)
    assert plane.xs == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert plane.ys == pytest.approx([1.0, 0.75, 0.5, 0.25, 0.0])
    points = plane.points()
    assert points.shape == (25, 2)
    assert points[0] == pytest.approx([0.0, 1.0]) and points[4] == pytest.approx([1.0, 1.0])  # first row: the top
    assert points[-1] == pytest.approx([1.0, 0.0])
    bottom_up = input_plane(samples, size=5, fraction=0.0, least=0.0)
    assert bottom_up.ys == pytest.approx(plane.ys[::-1])


def test_answers_at_the_points_fold_back_into_the_picture_one_map_per_neuron():
    plane = Plane(np.array([0.0, 1.0, 2.0]), np.array([5.0, 6.0]))
    points = plane.points()
    # Two "neurons": the first answers x, the second y, at every point.
    answers = np.column_stack([points[:, 0], points[:, 1]])
    maps = plane.picture(answers)
    assert maps.shape == (2, 2, 3)
    assert np.array_equal(maps[0], [[0, 1, 2], [0, 1, 2]]) and np.array_equal(maps[1], [[5, 5, 5], [6, 6, 6]])
    assert np.array_equal(plane.picture(points[:, 0] + 10 * points[:, 1]), [[50, 51, 52], [60, 61, 62]])


def test_the_other_features_are_held_while_two_are_walked_over_the_grid():
    samples = np.array([[0.0, 7.0, 0.0], [1.0, 9.0, 3.0]])
    plane = input_plane(samples, size=4, fraction=0.1, least=1e-3, across=2, up=0)
    assert plane.xs[0] == pytest.approx(-0.3) and plane.xs[-1] == pytest.approx(3.3)   # feature 2 across
    assert plane.ys[0] == pytest.approx(-0.1) and plane.ys[-1] == pytest.approx(1.1)   # feature 0 up
    rows = plane.feature_rows(samples.mean(axis=0), across=2, up=0)
    assert rows.shape == (16, 3)
    assert np.all(rows[:, 1] == 8.0)                       # the feature not shown stays at its mean
    assert rows[:, [2, 0]] == pytest.approx(plane.points())


def test_nearest_point_and_pixel_rectangle_centred_on_the_grid():
    plane = Plane(np.linspace(0.0, 4.0, 5), np.linspace(10.0, 12.0, 3))
    assert plane.nearest(2.9, 11.2) == (1, 3)
    left, bottom, width, height = plane.pixel_rect()
    # One step is 1 across and 1 up: half a pixel sticks out beyond the first and last grid points.
    assert (left, bottom, width, height) == pytest.approx((-0.5, 9.5, 5.0, 3.0))


def test_a_line_over_one_feature_for_a_fitted_curve():
    xs = line_over(np.array([[2.0], [4.0], [3.0]]), count=5, fraction=0.05)
    assert xs == pytest.approx(np.linspace(1.9, 4.1, 5))

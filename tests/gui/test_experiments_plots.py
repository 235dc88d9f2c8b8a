"""The Experiments panel's plots as a student sees them: distinct curve colours, the result's own axis with every axis
in sight in a narrow dock, and a plain sentence instead of an empty importance chart."""

import itertools
import math

import pytest
from PySide6.QtCore import QPointF
from settling import settle

from nnstudio.core.i18n import tr
from nnstudio.core.tuning.space import Dimension
from nnstudio.engine.tuning.results import MIN_TRIALS_FOR_IMPORTANCE, TrialRow

RATE = Dimension("training:learning_rate", "float", 1e-4, 1e-1, log=True)
UNITS = Dimension("layer:n2:units", "int", 16, 48)
ACTIVATION = Dimension("layer:n2:activation", "choice", choices=("relu", "tanh"))


def row(number, value, rate=1e-3, units=32, activation="relu", curve=(0.9, 0.5, 0.3)):
    params = {RATE.key: rate, UNITS.key: units, ACTIVATION.key: activation}
    return TrialRow(number, "COMPLETE", "finished", params, value, len(curve), 1.0, {"val_loss": list(curve)})


def shown(qtbot, widget, width=600, height=320):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    settle(qtbot)
    return widget


# ------------------------------------------------------------ Curves
def lines_and_legend(curves):
    """(trial number, pen colour) of each line, and (legend text, its sample's colour) of each legend entry."""
    lines = {number: curve.opts["pen"].color().name() for number, curve in curves.curves.items()}
    legend = {label.text: sample.item.opts["pen"].color().name() for sample, label in curves.plot.legend.items}
    return lines, legend


def test_ticked_trials_always_have_different_colours_and_keep_theirs(qtbot):
    from nnstudio.gui.experiments.trial_curves import TrialCurves

    curves = shown(qtbot, TrialCurves())
    trials = {n: row(n, 0.1 * n + 0.05, curve=(1.0, 0.5 / (n + 1))) for n in range(10)}
    colour_of_nine = None
    # A walk ticked trial 9, then 4: both lines were blue. Then more are ticked, one unticked, another ticked.
    for ticked in ([9], [9, 4], [9, 4, 0], [9, 0], [9, 0, 3], [9, 0, 3, 4, 1, 2, 5, 6, 7, 8]):
        curves.show_trials([trials[n] for n in sorted(ticked)], "val_loss")
        settle(qtbot, turns=1)
        lines, legend = lines_and_legend(curves)
        assert sorted(lines) == sorted(ticked)
        assert len(set(lines.values())) == len(ticked)   # every line its own colour
        assert legend == {tr("trial {number}", number=n): lines[n] for n in ticked}
        colour_of_nine = colour_of_nine or lines[9]
        assert lines[9] == colour_of_nine   # a trial keeps its colour while it stays ticked
    curves.show_trials([], "val_loss")
    assert lines_and_legend(curves) == ({}, {})


# ------------------------------------------------------------ Values (parallel coordinates)
def axis_places(plot):
    """The x of each upright axis line, in pixels of the plot's widget."""
    import pyqtgraph as pg

    view = plot.view
    return [view.mapFromScene(plot.plot.vb.mapViewToScene(QPointF(item.value(), 0.5))).x()
            for item in plot.plot.items if isinstance(item, pg.InfiniteLine)]


def texts_on_axis(plot, place):
    import pyqtgraph as pg

    return sorted((round(item.pos().y(), 3), item.toPlainText()) for item in plot.plot.items
                  if isinstance(item, pg.TextItem) and item.pos().x() == place)


def line_starts(plot):
    """Each trial line's colour and where it starts on the first (the result's) axis, bottom to top."""
    starts = []
    for line in plot.lines:
        x, y = line.getData()
        assert x[0] == 0
        starts.append((round(float(y[0]), 3), line.opts["pen"].color().getRgb()[:3]))
    return sorted(starts)


def test_the_result_has_the_first_axis_best_at_the_top(qtbot):
    from nnstudio.gui.experiments.parallel_plot import (
        ParallelPlot,
        rank_shares,
        result_colour,
    )

    plot = shown(qtbot, ParallelPlot())
    losses = [0.30, 0.50, 0.70, 0.40, 0.90]
    rows = [row(n, loss, units=16 + 8 * n) for n, loss in enumerate(losses)]
    rows.append(row(5, None))
    rows.append(row(6, math.nan))
    plot.show_trials([RATE, UNITS, ACTIVATION], ["learning rate", "units", "activation"], rows, True,
                     metric="val_loss")
    settle(qtbot)
    assert len(axis_places(plot)) == 4   # the result's axis and one per varied value
    bottom = plot.plot.getAxis("bottom")
    assert [name for _, name in bottom._tickLevels[0]] == ["best val_loss", "learning rate", "units", "activation"]
    # Lowest loss (the best) written at the top of its axis, highest at the bottom, as on the value axes.
    assert texts_on_axis(plot, 0) == [(0.0, "0.9"), (1.0, "0.3")]
    assert texts_on_axis(plot, 2) == [(0.0, "16"), (1.0, "48")]
    # Trials without a result are left out; the best starts at the top, the worst at the bottom, coloured by rank.
    shares = rank_shares(losses)
    expected = sorted((round((0.9 - loss) / 0.6, 3), result_colour(share)) for loss, share in zip(losses, shares))
    assert line_starts(plot) == expected
    assert line_starts(plot)[-1] == (1.0, result_colour(0.0))

    # Accuracy: higher is better, so the highest is at the top; without a metric the axis says "result".
    plot.show_trials([UNITS], ["units"], [row(0, 0.6), row(1, 0.9), row(2, 0.8)], False)
    settle(qtbot)
    assert [name for _, name in bottom._tickLevels[0]] == [tr("result"), "units"]
    assert texts_on_axis(plot, 0) == [(0.0, "0.6"), (1.0, "0.9")]
    assert [y for y, _ in line_starts(plot)] == [0.0, pytest.approx(2 / 3, abs=1e-3), 1.0]
    assert line_starts(plot)[-1][1] == result_colour(0.0)


def test_a_narrow_values_tab_keeps_its_explanation_and_every_axis_in_sight(qtbot):
    from nnstudio.gui.experiments.parallel_plot import ParallelPlot

    plot = shown(qtbot, ParallelPlot(), width=260)
    rows = [row(n, 0.1 * n + 0.05, rate=10 ** -(1 + n % 3), units=16 + n) for n in range(5)]
    plot.show_trials([RATE, UNITS, ACTIVATION], ["learning rate", "units", "activation of hidden"], rows, True,
                     metric="val_loss")
    settle(qtbot)
    # The explanation is a wrapped label above the plot: as the plot's title it was cut off in a narrow dock.
    assert plot.explanation.text() == tr("Each trial's values, coloured by rank (green: best result, red: worst)")
    assert plot.explanation.isVisible() and plot.explanation.wordWrap()
    assert plot.explanation.width() <= plot.width()
    assert plot.explanation.heightForWidth(plot.explanation.width()) <= plot.explanation.height()
    assert not plot.plot.titleLabel.isVisible() or not plot.plot.titleLabel.text
    # Every axis is in the view (the walk saw only the first: the title held the plot wider than its widget).
    low, high = plot.plot.viewRange()[0]
    assert low < 0 and high > 3
    places = axis_places(plot)
    assert len(places) == 4
    assert all(0 < x < plot.view.viewport().width() for x in places)
    assert places == sorted(places) and min(b - a for a, b in itertools.pairwise(places)) > 20


# ------------------------------------------------------------ What mattered
def test_no_importance_yet_shows_a_sentence_instead_of_an_empty_chart(qtbot):
    from nnstudio.gui.experiments.importance_bars import TRIALS_FOR_BARS, ImportanceBars

    assert TRIALS_FOR_BARS == MIN_TRIALS_FOR_IMPORTANCE   # the sentence says what the engine needs
    bars = shown(qtbot, ImportanceBars())
    names = {"training:learning_rate": "learning rate", "layer:n2:units": "units of hidden"}
    bars.show_importance({}, names)
    settle(qtbot, turns=1)
    assert bars.waiting.isVisible() and not bars.view.isVisible()
    assert bars.waiting.text() == ("The bars appear once 4 trials with different values have run to the end (trials stopped "
                                   "early do not count).")

    bars.show_importance({"training:learning_rate": 0.75, "layer:n2:units": 0.25}, names)
    settle(qtbot, turns=1)
    assert bars.view.isVisible() and not bars.waiting.isVisible()
    left = bars.plot.getAxis("left")
    assert sorted(left._tickLevels[0]) == [(0, "units of hidden"), (1, "learning rate")]
    assert bars.plot.getAxis("bottom").labelText == tr("share of the differences between results (%)")
    assert bars.plot.viewRange()[0][1] == pytest.approx(75 * 1.05)   # in percent

    bars.show_importance({}, names)   # another study, with too few trials
    settle(qtbot, turns=1)
    assert bars.waiting.isVisible() and not bars.view.isVisible()

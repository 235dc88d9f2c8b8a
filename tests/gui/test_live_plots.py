"""Live plots drawn by plain Qt items: LiveCurve, LiveHistogram, peak_thinned, and PlotView's paint."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsView

from nnstudio.gui.plots.live_curve import (
    MAX_DRAWN_POINTS,
    MAX_PIECES,
    EpochMarker,
    LiveCurve,
    LiveHistogram,
    LiveImage,
    peak_thinned,
)
from nnstudio.gui.plots.plot_view import PlotView


@pytest.fixture
def view(qtbot):
    view = PlotView()
    qtbot.addWidget(view)
    view.setBackground("w")
    view.resize(400, 300)
    view.show()
    view.getPlotItem().addLegend()
    return view


def make_curve(view, dots: bool = True) -> LiveCurve:
    return LiveCurve(view.getPlotItem(), QPen(QColor(0, 0, 255)), "loss", dot_colour="#ff0000" if dots else None)


def drawn_points(curve: LiveCurve, dots: bool = False) -> int:
    """How many points the line pieces draw (joined pieces share their joining point)."""
    lines = curve.items()[::2] if dots else curve.items()
    return sum(item.path().elementCount() for item in lines) - (len(lines) - 1)


# ------------------------------------------------------------ peak_thinned
def test_short_input_is_left_alone():
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    thin_x, thin_y = peak_thinned(x, y, most=10)
    assert thin_x is x and thin_y is y


def test_thinning_keeps_each_slices_lowest_and_highest_in_order():
    rng = np.random.default_rng(1)
    x = np.arange(1000.0)
    y = rng.normal(size=1000)
    thin_x, thin_y = peak_thinned(x, y, most=100)
    assert len(thin_x) <= 100 and len(thin_x) == len(thin_y)
    assert np.all(np.diff(thin_x) > 0)  # still in order along x
    for start in range(0, 1000, 20):  # 50 slices of 20 points each
        part = y[start:start + 20]
        pair = thin_y[start // 10:start // 10 + 2]
        assert sorted(pair) == [part.min(), part.max()]
        first = np.where(part == pair[0])[0][0]
        second = np.where(part == pair[1])[0][0]
        assert first < second  # the one that comes first in the data comes first
    assert thin_y.max() == y.max() and thin_y.min() == y.min()  # a spike never disappears


def test_thinning_keeps_a_gap_where_a_slice_is_all_nan():
    y = np.arange(1000.0)
    y[200:300] = np.nan
    thin_x, thin_y = peak_thinned(np.arange(1000.0), y, most=100)
    gap = np.isnan(thin_y)
    assert gap.any()
    assert np.all((thin_x[gap] >= 200) & (thin_x[gap] < 300))
    assert not np.isnan(thin_y[thin_x < 200]).any()  # slices with numbers keep them


# ------------------------------------------------------------ LiveCurve
def test_the_curve_keeps_copies_of_the_values(view):
    curve = make_curve(view)
    x = np.arange(5.0)
    y = np.array([3.0, 2.0, 1.5, 1.2, 1.0])
    curve.setData(x, y)
    drawn = curve.items()[0].path().boundingRect()
    x[:] = 99.0  # the caller reuses its buffers
    y[:] = -7.0
    got_x, got_y = curve.getData()
    assert np.array_equal(got_x, np.arange(5.0))
    assert np.array_equal(got_y, [3.0, 2.0, 1.5, 1.2, 1.0])
    curve.setData(np.arange(6.0), np.array([3.0, 2.0, 1.5, 1.2, 1.0, 0.9]))  # so it grows, not redraws
    assert curve.items()[0].path().boundingRect() == drawn


def test_new_points_are_added_as_a_piece_joined_to_the_last(view):
    curve = make_curve(view)
    curve.setData(np.arange(10.0), np.linspace(1.0, 0.1, 10))
    first = curve.items()
    assert len(first) == 2  # the line and its dots
    curve.setData(np.arange(13.0), np.concatenate([np.linspace(1.0, 0.1, 10), [0.09, 0.08, 0.07]]))
    now = curve.items()
    assert now[:2] == first  # the drawn piece stays as it was
    assert len(now) == 4
    new_line, new_dots = now[2], now[3]
    assert new_line.path().elementCount() == 4  # from the last drawn point (joined) to the new one
    assert new_line.path().boundingRect().left() == 9.0
    assert new_dots.path().elementCount() == 3 * 2  # a dot (a tiny stem) for each new point only
    assert drawn_points(curve, dots=True) == 13


def test_any_other_change_redraws_as_one_piece(view):
    curve = make_curve(view, dots=False)
    y = np.linspace(1.0, 0.1, 10)
    curve.setData(np.arange(10.0), y)
    curve.setData(np.arange(12.0), np.concatenate([y, [0.05, 0.04]]))
    assert len(curve.items()) == 2
    changed = np.concatenate([y, [0.05, 0.04]])
    changed[3] = 5.0  # an earlier value changed: not a growth
    curve.setData(np.arange(12.0), changed)
    assert len(curve.items()) == 1
    assert curve.items()[0].path().boundingRect().top() == pytest.approx(0.04)
    assert curve.items()[0].path().boundingRect().bottom() == pytest.approx(5.0)
    curve.setData(np.arange(4.0), changed[:4])  # fewer points: redrawn too
    assert len(curve.items()) == 1 and drawn_points(curve) == 4


def test_after_max_pieces_the_curve_is_redrawn_whole(view):
    curve = make_curve(view, dots=False)
    count = 2
    curve.setData(np.arange(count, dtype=float), np.ones(count))
    for _ in range(MAX_PIECES - 1):
        count += 1
        curve.setData(np.arange(count, dtype=float), np.ones(count))
    assert len(curve.items()) == MAX_PIECES
    count += 1
    curve.setData(np.arange(count, dtype=float), np.ones(count))
    assert len(curve.items()) == 1
    assert drawn_points(curve) == count


def test_log_y_draws_log10_with_gaps_where_values_are_not_positive(view):
    curve = make_curve(view)
    curve.setData([0.0, 1.0, 2.0, 3.0, 4.0], [0.01, 1.0, 100.0, 0.0, -1.0])
    curve.set_log_y(True)
    line, dots = curve.items()
    bounds = line.path().boundingRect()
    assert (bounds.left(), bounds.right()) == (0.0, 2.0)  # 0 and -1 have no logarithm: left out
    assert (bounds.top(), bounds.bottom()) == pytest.approx((-2.0, 2.0))
    assert dots.path().elementCount() == 3 * 2
    assert np.array_equal(curve.getData()[1], [0.01, 1.0, 100.0, 0.0, -1.0])  # the values stay as given
    curve.setData([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0.01, 1.0, 100.0, 0.0, -1.0, 10.0])
    new_line, new_dots = curve.items()[-2:]
    assert new_dots.path().boundingRect().bottom() == pytest.approx(1.0)  # log10(10)
    assert new_line.path().boundingRect().left() == 5.0  # joined from -1, a gap: no line back to it
    curve.set_log_y(False)
    assert curve.items()[0].path().boundingRect().bottom() == pytest.approx(100.0)


def test_dots_only_while_few_points(view):
    few = MAX_DRAWN_POINTS // 4
    curve = make_curve(view)
    curve.setData(np.arange(few, dtype=float), np.ones(few))
    assert len(curve.items()) == 2
    curve.setData(np.arange(few + 1, dtype=float), np.zeros(few + 1))
    assert len(curve.items()) == 1  # the line alone: dots this dense would merge into a thick line


def test_legend_click_hides_all_pieces_and_new_ones(view):
    curve = make_curve(view)
    curve.setData(np.arange(5.0), np.ones(5))
    curve.setData(np.arange(7.0), np.ones(7))
    assert len(curve.items()) == 4
    curve.legend_sample.setVisible(False)  # what a click on the legend entry does
    assert not any(item.isVisible() for item in curve.items())
    curve.setData(np.arange(9.0), np.ones(9))  # a new piece while hidden
    assert len(curve.items()) == 6
    assert not any(item.isVisible() for item in curve.items())
    curve.setData(np.arange(3.0), np.zeros(3))  # a whole redraw while hidden
    assert not any(item.isVisible() for item in curve.items())
    curve.legend_sample.setVisible(True)
    assert all(item.isVisible() for item in curve.items())


def test_the_curve_has_a_legend_entry(view):
    curve = make_curve(view)
    legend = view.getPlotItem().legend
    assert [label.text for _, label in legend.items] == ["loss"]
    assert legend.items[0][0].item is curve.legend_sample


# ------------------------------------------------------------ LiveHistogram
def test_histogram_gives_back_edges_and_counts_and_draws_their_outline(view):
    histogram = LiveHistogram(view, (33, 102, 172))
    edges, counts = np.array([-1.0, 0.0, 1.0, 2.0]), np.array([3.0, 7.0, 1.0])
    histogram.setData(edges, counts)
    got_edges, got_counts = histogram.getData()
    assert np.array_equal(got_edges, edges) and np.array_equal(got_counts, counts)
    bounds = histogram.item.path().boundingRect()
    assert (bounds.left(), bounds.right(), bounds.top(), bounds.bottom()) == (-1.0, 2.0, 0.0, 7.0)
    path = histogram.item.path()
    assert path.contains(QPointF(0.5, 6.0))      # inside the tall bar
    assert not path.contains(QPointF(1.5, 2.0))  # above the short one


@pytest.mark.parametrize("edges, counts", [([0.0, 1.0], [1.0, 2.0]), ([0.0], []), ([[0.0, 1.0]], [1.0])])
def test_histogram_of_a_bad_shape_is_empty(view, edges, counts):
    histogram = LiveHistogram(view, (178, 24, 43))
    histogram.setData([0.0, 1.0, 2.0], [4.0, 5.0])
    histogram.setData(edges, counts)
    assert histogram.item.path().elementCount() == 0


# ------------------------------------------------------------ PlotView
def test_plot_view_paints_with_qts_own_paint_event():
    assert PlotView.paintEvent is QGraphicsView.paintEvent


def red_columns(view) -> list[int]:
    image = view.grab().toImage()
    row = image.height() // 2
    return [x for x in range(image.width())
            if QColor(image.pixel(x, row)).red() > 200 and QColor(image.pixel(x, row)).green() < 80]


def test_a_new_range_shows_at_the_next_paint(view):
    plot = view.getPlotItem()
    line = QPainterPath()
    line.moveTo(5.0, 0.0)
    line.lineTo(5.0, 1.0)
    item = QGraphicsPathItem(line)
    pen = QPen(QColor(255, 0, 0))
    pen.setWidth(6)
    pen.setCosmetic(True)
    item.setPen(pen)
    plot.addItem(item)
    plot.disableAutoRange()
    plot.setRange(xRange=(0.0, 10.0), yRange=(0.0, 1.0), padding=0.0)
    area = plot.vb.sceneBoundingRect()
    before = red_columns(view)
    assert before and abs(np.mean(before) - (area.left() + area.width() / 2)) < 4
    transform = plot.vb.childGroup.transform()
    plot.setXRange(0.0, 20.0, padding=0.0)
    after = red_columns(view)  # pyqtgraph moves its items just before Qt paints them
    assert plot.vb.viewRange()[0] == [0.0, 20.0]
    assert plot.vb.childGroup.transform() != transform
    assert after and abs(np.mean(after) - (area.left() + area.width() / 4)) < 4


def test_axes_and_title_are_kept_as_pixmaps(view):
    plot = view.getPlotItem()
    for name in ("left", "bottom", "right", "top"):
        assert plot.getAxis(name).cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert plot.titleLabel.cacheMode() == QGraphicsItem.CacheMode.DeviceCoordinateCache


def test_a_long_curve_is_drawn_thinned_with_its_peaks(view):
    curve = make_curve(view, dots=False)
    y = np.sin(np.arange(20_000) / 50.0)
    y[12_345] = 9.0  # one spike among many points
    curve.setData(np.arange(20_000.0), y)
    path = curve.items()[0].path()
    assert path.elementCount() <= MAX_DRAWN_POINTS
    assert path.boundingRect().bottom() == pytest.approx(9.0)
    assert len(curve.getData()[1]) == 20_000  # the values themselves are all kept


def test_live_image_maps_levels_to_the_colours_row_by_row(view):
    blue, white, red = (33, 102, 172), (247, 247, 247), (178, 24, 43)
    image = LiveImage(view, [blue, white, red])
    weights = np.array([[-2.0, 0.0, 2.0], [np.nan, 5.0, -9.0]])
    image.setImage(weights, levels=(-2.0, 2.0))
    assert image.image is not None and image.image.shape == (2, 3) and image.getLevels() == (-2.0, 2.0)
    picture = image.item.pixmap().toImage()
    assert (picture.width(), picture.height()) == (3, 2)   # columns across, rows down, as in the matrix

    def near(x, y, expected):  # 256 steps of colour: the middle one is off by a step at most
        c = picture.pixelColor(x, y)
        return all(abs(a - b) <= 2 for a, b in zip((c.red(), c.green(), c.blue()), expected))

    assert near(0, 0, blue) and near(1, 0, white) and near(2, 0, red)
    assert near(1, 1, red) and near(2, 1, blue)     # beyond the levels: the end colours
    assert near(0, 1, white)                        # no number: the middle, not a crash
    weights[0, 0] = 2.0                                     # the caller's array changing later changes nothing
    assert image.item.pixmap().toImage().pixelColor(0, 0).blue() == blue[2]


def test_epoch_marker_spans_the_view_and_keeps_its_word_inside(view):
    from PySide6.QtCore import Qt

    plot = view.getPlotItem()
    plot.setXRange(0, 40, padding=0)
    plot.setYRange(0, 2, padding=0)
    marker = EpochMarker(plot, "#2e7d32", Qt.PenStyle.DashLine, "best", 0.9)
    assert not marker.isVisible() and marker.value() is None
    marker.setVisible(True)
    marker.setValue(10)
    line = marker.line.line()
    assert (line.x1(), line.x2()) == (10.0, 10.0) and (line.y1(), line.y2()) == (0.0, 2.0)
    assert marker.label.pos().x() == 10.0 and marker.label.pos().y() == pytest.approx(1.8)
    assert marker.label.transform().dx() > 0            # the word right of the line
    marker.setValue(39)
    assert marker.label.transform().dx() < 0            # near the right edge: left of it, so it is not cut off
    plot.setYRange(0, 4, padding=0)                     # a new range: the line still spans it
    line = marker.line.line()
    assert (line.y1(), line.y2()) == (0.0, 4.0) and marker.label.pos().y() == pytest.approx(3.6)

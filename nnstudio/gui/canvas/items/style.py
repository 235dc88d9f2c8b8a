"""Colours, sizes and fonts of the canvas, in one place so the picture stays consistent."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

# ---------------------------------------------------------------- MIME types
LAYER_MIME_TYPE = "application/x-nnstudio-layer"        # a drag from the palette: the layer type name
FRAGMENT_MIME_TYPE = "application/x-nnstudio-fragment"  # copied layers and wires, as JSON

# ---------------------------------------------------------------- node geometry
# The auto-layout puts columns 240 px and rows 130 px apart, so a card must leave room for wires
# and their shape labels between columns and must not touch the next row.
NODE_WIDTH = 172.0
HEADER_HEIGHT = 22.0
NODE_MIN_HEIGHT = 96.0
CORNER_RADIUS = 8.0
TEXT_MARGIN = 12.0          # inside the card, clear of the port circles on its edges
PORT_RADIUS = 6.0
PORT_HIT_RADIUS = 10.0      # ports are small: grabbing them should not need a steady hand
PORT_SPACING = 18.0         # between the input ports of a Concatenate/Add with many inputs
ISSUE_MARK_RADIUS = 8.0

# Where a dropped or added layer lands: the drop point is the centre of a standard card.
DROP_OFFSET = (NODE_WIDTH / 2, NODE_MIN_HEIGHT / 2)

# ---------------------------------------------------------------- grid and zoom
GRID_SIZE = 20.0
MIN_ZOOM = 0.1
MAX_ZOOM = 4.0
MIN_READABLE_ZOOM = 0.7     # below this, card text is too small to read when a project opens
MAX_FIT_ZOOM = 1.5          # fitting a tiny graph should not blow it up to poster size
FIT_MARGIN = 40.0
ZOOM_STEP = 1.25
# Below this zoom text is too small to read: cards and wires are drawn without it (and faster).
TEXT_MIN_ZOOM = 0.35

# ---------------------------------------------------------------- colours
BACKGROUND = QColor("#f6f7f9")
GRID_MINOR = QColor("#eceef2")
GRID_MAJOR = QColor("#d7dbe2")

CARD_FILL = QColor("#ffffff")
CARD_OUTLINE = QColor("#b9c0cb")
CARD_SHADOW = QColor(0, 0, 0, 28)
SELECTED_OUTLINE = QColor("#2f7cf6")
ERROR_COLOUR = QColor("#d93025")
WARNING_COLOUR = QColor("#e8a317")
TEXT_MAIN = QColor("#1f2328")
TEXT_SOFT = QColor("#5b6470")
TEXT_ON_HEADER = QColor("#ffffff")

CATEGORY_COLOURS: dict[str, QColor] = {
    "Inputs & outputs": QColor("#2e8b57"),
    "Core": QColor("#3b6fd8"),
    "Merge": QColor("#8a4fc7"),
    "Regularisation": QColor("#d4782f"),
    "Activations": QColor("#c2417a"),
}
UNKNOWN_CATEGORY_COLOUR = QColor("#6b7280")

PORT_FILL = QColor("#ffffff")
PORT_CONNECTED_FILL = QColor("#5b6470")
PORT_OUTLINE = QColor("#5b6470")
PORT_VALID = QColor("#1e9e4a")

EDGE_COLOUR = QColor("#7d8694")
EDGE_SELECTED = SELECTED_OUTLINE
EDGE_WIDTH = 2.0
EDGE_MAX_WEIGHT_WIDTH = 7.0  # the widest wire when weight magnitudes are shown
EDGE_HIT_WIDTH = 12.0        # clicking near a thin wire should still select it
EDGE_LABEL_FILL = QColor(255, 255, 255, 235)
EDGE_LABEL_TEXT = QColor("#3d4450")
WIRE_DRAFT = QColor("#2f7cf6")


def category_colour(category: str) -> QColor:
    return CATEGORY_COLOURS.get(category, UNKNOWN_CATEGORY_COLOUR)


def font(pixel_size: int, bold: bool = False) -> QFont:
    """Fonts sized in pixels so the cards look the same on every screen and offscreen."""
    result = QFont()
    result.setPixelSize(pixel_size)
    result.setBold(bold)
    return result

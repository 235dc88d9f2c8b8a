"""The network canvas: cards for layers, wires for connections, all mirrored from the document's graph."""

from .items.style import FRAGMENT_MIME_TYPE, LAYER_MIME_TYPE
from .view import Canvas

__all__ = ["Canvas", "FRAGMENT_MIME_TYPE", "LAYER_MIME_TYPE"]

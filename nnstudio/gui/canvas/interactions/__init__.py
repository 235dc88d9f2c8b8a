"""What the user is in the middle of doing on the canvas: drawing a wire, panning, moving cards, renaming."""

from .base import Interaction
from .move_cards import MoveCards
from .pan import Pan, SpaceToPan
from .rename import InlineRename
from .wire_drag import WireDrag

__all__ = ["InlineRename", "Interaction", "MoveCards", "Pan", "SpaceToPan", "WireDrag"]

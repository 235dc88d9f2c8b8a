"""Long paths in wrapped labels: a place to break after each slash, since a label wraps only between words."""

from __future__ import annotations

BREAK_HERE = "\u200b"     # an invisible place where a long path may wrap onto the next line


def wrappable(text: str) -> str:
    """The text with a possible line break after each slash, so a long path wraps instead of running out of
    its label (a dialog's message, the MNIST import's summary)."""
    return text.replace("/", "/" + BREAK_HERE).replace("\\", "\\" + BREAK_HERE)

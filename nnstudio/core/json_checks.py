"""Checks on parsed JSON from a user's file: whatever passes can be written back as JSON and read again equal."""

from __future__ import annotations

import math
from typing import Any, Optional

from .i18n import tr

# Deep enough for every part of a real project (a run history nests a few levels), shallow enough that
# copying, comparing and writing it back (all recursive in Python) never comes near the recursion limit.
MAX_DEPTH = 48
# Whole numbers beyond 64 bits are no setting NN Studio has; they only make float() overflow later.
MAX_WHOLE = 2**63


def json_problem(value: Any, max_depth: int = MAX_DEPTH) -> Optional[str]:
    """Why `value` could not be saved back as it was read (NaN, infinity, a huge number, too deep), or None.

    The words are what follows a subject ("the project {problem}"), e.g. "'training › lr' holds a number that
    is not finite (NaN or infinity)"."""
    stack: list[tuple[Any, int, tuple]] = [(value, 0, ())]
    while stack:  # a loop, not recursion: the check itself must never hit the recursion limit
        current, depth, trail = stack.pop()
        if isinstance(current, bool) or current is None or isinstance(current, str):
            continue
        if isinstance(current, float):
            if not math.isfinite(current):
                return (tr("'{where}' holds a number that is not finite (NaN or infinity)", where=_where(trail))
                        if trail else tr("holds a number that is not finite (NaN or infinity)"))
        elif isinstance(current, int):
            if abs(current) >= MAX_WHOLE:
                digits = _digits(current)
                return (tr("'{where}' holds a whole number too large to use ({digits} digits)", where=_where(trail),
                           digits=digits) if trail else
                        tr("holds a whole number too large to use ({digits} digits)", digits=digits))
        elif isinstance(current, (list, dict)):
            if depth >= max_depth:
                return (tr("'{where}' is nested too deeply (more than {levels} levels)", where=_where(trail),
                           levels=max_depth) if trail else
                        tr("is nested too deeply (more than {levels} levels)", levels=max_depth))
            items = current.items() if isinstance(current, dict) else enumerate(current)
            for key, item in items:
                stack.append((item, depth + 1, trail + (key,) if len(trail) < 6 else trail))
        else:
            kind = type(current).__name__
            return (tr("'{where}' holds a value JSON cannot store ({kind})", where=_where(trail), kind=kind)
                    if trail else tr("holds a value JSON cannot store ({kind})", kind=kind))
    return None


def _where(trail: tuple) -> str:
    """'training › learning_rate' for a problem found there (quoted by the message); empty at the top."""
    keys = ("".join(c if c.isprintable() else "?" for c in str(key)[:30]) for key in trail)
    return " › ".join(keys)


def _digits(number: int) -> int:
    # str() of a number with thousands of digits is slow and capped by Python; its bit length is not.
    return int(abs(number).bit_length() * 0.30103) + 1


def short_value(value: Any, limit: int = 40) -> str:
    """A value as a message may quote it: shortened, and without control characters such as NUL."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= MAX_WHOLE:
        return tr("a {digits}-digit number", digits=_digits(value))
    text = "".join(c if c.isprintable() else "?" for c in repr(value)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"

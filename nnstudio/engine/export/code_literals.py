"""Project values as safe pieces of generated Python: literals, identifiers, docstring and comment text."""

from __future__ import annotations

import builtins
import keyword
import math
import re
from typing import Any

from ...core.i18n import N_, tr
from .formats import ExportError

# Plain ASCII identifiers only: str.isidentifier() also accepts letters that NFKC-normalise to other names
# ("ﬁ" is "fi" to Python), so two different layer names could become one attribute.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Names that do not compile as a name to assign: keywords and `__debug__`.
_NOT_NAMES = set(keyword.kwlist) | {"__debug__"}
# Names a generated module should not bind either: the builtins its code may rely on.
NEVER_BIND = _NOT_NAMES | set(dir(builtins))


def is_identifier(text: Any) -> bool:
    """Whether `text` compiles as a plain ASCII name (it may still shadow something: see NEVER_BIND)."""
    return isinstance(text, str) and _IDENTIFIER.fullmatch(text) is not None and text not in _NOT_NAMES


def literal(value: Any, what: str = N_("a value")) -> str:
    """Python source that evaluates to `value` (None, bool, int, finite float, str, or lists/tuples of them).

    Anything else is refused rather than written with str() or repr() of an unknown type, which could be
    code (a crafted project file) or not even Python (numpy's `np.float64(1.0)`, `nan`)."""
    value = _plain(value)
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))  # int(): a subclass's repr() could print anything
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExportError(tr("{what} is not a finite number ({value!r}), so it cannot be written as code",
                                 what=tr(what), value=value))
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        items = [literal(v, what) for v in value]
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    raise ExportError(tr("{what} has a type that cannot be written as code ({kind})", what=tr(what),
                         kind=type(value).__name__))


def _plain(value: Any) -> Any:
    """A numpy or torch scalar as its plain Python number; anything else unchanged."""
    if not isinstance(value, (str, bool, int, float, list, tuple)) and callable(getattr(value, "item", None)):
        try:
            return value.item()
        except (TypeError, ValueError, RuntimeError):
            return value  # not a one-number scalar: literal() refuses it below
    return value


def number(value: Any, what: str) -> str:
    """A finite real number (not a bool) as a float literal."""
    value = _plain(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExportError(tr("{what} must be a number", what=tr(what)))
    try:
        value = float(value)
    except OverflowError:
        raise ExportError(tr("{what} is too large to be written as code", what=tr(what))) from None
    return literal(value, what)


def whole(value: Any, what: str) -> str:
    """A whole number (not a bool, not a float) as an int literal."""
    value = _plain(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExportError(tr("{what} must be a whole number", what=tr(what)))
    return repr(int(value))


def flag(value: Any) -> str:
    return repr(bool(value))


def _escaped(text: str, extra: dict[str, str]) -> str:
    out = []
    for char in text:
        if char in extra:
            out.append(extra[char])
        elif char.isprintable():
            out.append(char)
        else:
            # Line breaks, NUL, other control characters and lone surrogates: as the escape repr() writes.
            out.append(repr(char)[1:-1])
    return "".join(out)


def docstring_text(text: Any) -> str:
    """Text that can stand inside a \"\"\"...\"\"\" literal and reads back as `text`: backslashes and quotes are
    escaped (no closing the docstring, no `\\N` unicode errors), line breaks and control characters too."""
    return _escaped(str(text), {"\\": "\\\\", '"': '\\"'})


def comment_text(text: Any) -> str:
    """Text for a `#` comment: it cannot end the comment (no line breaks, no NUL) and shows as repr() would."""
    return repr(str(text))


def python_list(values: list, indent: int, width: int = 100) -> str:
    """A list literal wrapped over lines (64 pixel column names stay readable).

    Lines break only between items: a column name such as 'a b' must never be split inside its quotes."""
    items = [literal(v, N_("a column name or class value")) for v in values]
    text = "[" + ", ".join(items) + "]"
    if len(text) + indent <= width:
        return text
    pad = " " * (indent + 4)
    rows, row = [], ""
    for item in items:
        if row and len(pad) + len(row) + len(item) + 2 > width:
            rows.append(row)
            row = ""
        row = f"{row} {item}," if row else f"{item},"
    rows.append(row)
    return "[\n" + "\n".join(pad + r for r in rows) + "\n" + " " * indent + "]"

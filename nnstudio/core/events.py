"""A tiny observer (no Qt) so the graph can tell views and undo commands that it changed."""

from __future__ import annotations

from typing import Any, Callable


class Event:
    """A list of listeners called in order each time the event is emitted."""

    def __init__(self) -> None:
        self._listeners: list[Callable[..., Any]] = []

    def connect(self, listener: Callable[..., Any]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: Callable[..., Any]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, *args: Any) -> None:
        # Copy first: a listener may disconnect itself while we iterate.
        for listener in list(self._listeners):
            listener(*args)

    def __len__(self) -> int:
        return len(self._listeners)

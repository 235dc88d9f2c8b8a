"""Fills gaps in Qt's own translations: texts that Qt's catalogue has only without their shortcut letter."""

from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject, QTranslator

# Qt texts asked for under one context whose translation the catalogue keeps under another (the file type words
# moved from QFileDialog to QAbstractFileIconProvider in Qt 6; the shipped Korean file still has the old place).
CONTEXT_FALLBACKS = {"QAbstractFileIconProvider": "QFileDialog", "QFileSystemModel": "QFileDialog"}


def with_shortcut(translated: str, letter: str) -> str:
    """Korean (and Japanese, Chinese) menus show the shortcut letter in brackets: "다음에서 찾기:" with L ->
    "다음에서 찾기(&L):", as Qt's own Korean file writes "파일 이름(&N):"."""
    colon = translated.endswith(":")
    body = translated[:-1] if colon else translated
    return f"{body}(&{letter.upper()}){':' if colon else ''}"


class QtTranslationGaps(QTranslator):
    """Asked after Qt's own translator has no answer (installed after it, so asked first, but it answers only
    where Qt's catalogue is silent). A walk in Korean saw the Save dialog's "Look in:" and "Files of type:" in
    English: Qt 6 asks for "&Look in:" with a shortcut, and the shipped catalogue has only "Look in:"."""

    def __init__(self, base: QTranslator, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.base = base

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False

    def translate(self, context: str, source: str, disambiguation: Optional[str] = None,  # noqa: D102
                  n: int = -1) -> Optional[str]:
        # None is Qt's "no translation here" (a null string): the next translator, or the English text, is used. An
        # empty string would be taken as the translation and blank the text.
        found = self.base.translate(context, source, disambiguation, n)
        if found:
            return found
        fallback = CONTEXT_FALLBACKS.get(context)
        if fallback:
            found = self.base.translate(fallback, source, disambiguation, n)
            if found:
                return found
        if "&" in source and "&&" not in source:
            letter = source[source.index("&") + 1: source.index("&") + 2]
            found = self.base.translate(context, source.replace("&", ""), disambiguation, n)
            if found and letter.strip():
                return with_shortcut(found, letter)
        return None

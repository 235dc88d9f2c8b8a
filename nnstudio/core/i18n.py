"""Every word a learner sees, in their language: one catalogue file per language, read without Qt.

The English text in the source is the key (gettext's convention): `tr("Train for {epochs} epochs", epochs=20)`
looks the sentence up in the current language's catalogue, `resources/translations/<code>.po`, and fills its
named placeholders. English needs no catalogue. A third language is one more .po file dropped in that folder.

Why gettext's .po files rather than Qt's .ts: core and engine must stay Qt-free (the CLI and the exported
analysis speak Korean too), and .po files are what translators' tools (Poedit, Weblate, Lokalize) edit.
polib reads them; Python's own gettext turns the file's plural rule into a function.
"""

from __future__ import annotations

import gettext
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "resources" / "translations"
SOURCE_LANGUAGE = "en"
ENV_LANGUAGE = "NNSTUDIO_LANG"   # set by --lang, so every part of the app (and child processes) agree

_lock = threading.Lock()
_language = SOURCE_LANGUAGE
_singular: dict[str, str] = {}
_plural: dict[tuple[str, str], list[str]] = {}
_plural_index: Callable[[int], int] = lambda n: 0 if n == 1 else 1  # noqa: E731 - English
_problem = ""   # why the last language asked for could not be used (a damaged catalogue), for the app to say


class TranslationError(ValueError):
    """A catalogue that cannot be used (unreadable, or for a language we do not know)."""


def _header_value(header: str, key: str) -> str:
    match = re.search(rf"^{re.escape(key)}:\s*(.*)$", header, re.MULTILINE)
    return match.group(1).strip() if match else ""


def catalogue_path(code: str) -> Path:
    return TRANSLATIONS_DIR / f"{code}.po"


def available_languages() -> dict[str, str]:
    """Language code -> its own name ("ko" -> "한국어"), English first, then every catalogue in the folder."""
    found = {SOURCE_LANGUAGE: "English"}
    for path in sorted(TRANSLATIONS_DIR.glob("*.po")):
        name = path.stem
        try:
            with path.open(encoding="utf-8") as handle:
                head = handle.read(4096)
        except OSError:
            continue
        native = re.search(r'"X-Language-Name:\s*([^"\\]*)', head)
        found[name] = native.group(1).strip() if native else name
    return found


def language_from_locale(value: str | None) -> str | None:
    """The catalogue for a locale name such as 'ko_KR.UTF-8' or 'ko', or None ('C', unknown languages)."""
    if not value:
        return None
    code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in available_languages() else None


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the system asks for: NNSTUDIO_LANG (from --lang), then LANGUAGE, LC_ALL, LC_MESSAGES, LANG,
    as gettext reads them. Unknown languages and the 'C' locale give English."""
    environ = os.environ if environ is None else environ
    for key in (ENV_LANGUAGE, "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key)
        if not value:
            continue
        for part in value.split(":"):  # LANGUAGE may list several, best first
            code = language_from_locale(part)
            if code is not None:
                return code
        if key != "LANGUAGE":
            return SOURCE_LANGUAGE  # the first locale variable that is set decides, as in gettext
    return SOURCE_LANGUAGE


def read_catalogue(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], list[str]], Callable[[int], int]]:
    """The translated entries of one .po file (untranslated and fuzzy ones fall back to English) and its plural rule."""
    import polib  # noqa: PLC0415 - read only when a language other than English is chosen

    try:
        po = polib.pofile(str(path), encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise TranslationError(f"could not read the translation file {path.name}: {exc}") from None
    singular: dict[str, str] = {}
    plural: dict[tuple[str, str], list[str]] = {}
    for entry in po:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
            if all(forms):
                plural[(entry.msgid, entry.msgid_plural)] = forms
        elif entry.msgstr:
            singular[entry.msgid] = entry.msgstr
    rule = _header_value(po.header or "", "Plural-Forms") or po.metadata.get("Plural-Forms", "")
    match = re.search(r"plural\s*=\s*([^;]+)", rule)
    try:
        index = gettext.c2py(match.group(1)) if match else (lambda n: 0 if n == 1 else 1)
    except ValueError:
        raise TranslationError(f"the plural rule of {path.name} is not valid: {rule!r}") from None
    return singular, plural, index


def set_language(code: str) -> str:
    """Use this language from now on (English for an unknown code or a damaged catalogue, with the reason in
    language_problem()); returns the language in use."""
    global _language, _singular, _plural, _plural_index, _problem
    code = (code or SOURCE_LANGUAGE).lower()
    english = ({}, {}, (lambda n: 0 if n == 1 else 1))
    _problem = ""
    if code == SOURCE_LANGUAGE or code not in available_languages():
        singular, plural, index = english
        code = SOURCE_LANGUAGE
    else:
        try:
            singular, plural, index = read_catalogue(catalogue_path(code))
        except TranslationError as exc:   # the app still starts, in English, and says why
            singular, plural, index = english
            code, _problem = SOURCE_LANGUAGE, str(exc)
    with _lock:
        _language, _singular, _plural, _plural_index = code, singular, plural, index
    return code


def language_problem() -> str:
    """Why the language last asked for is not in use ('' when it is)."""
    return _problem


def language() -> str:
    """The language in use now ('en', 'ko', …)."""
    return _language


def _fill(translated: str, english: str, values: Mapping[str, object]) -> str:
    if not values:
        return translated
    try:
        return translated.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A catalogue whose placeholders differ from the English (a test forbids it) must not break the app.
        return english.format_map(values)


def tr(text: str, /, **values: object) -> str:
    """`text` in the current language, with its named placeholders ({layer}, {units}) filled from `values`."""
    return _fill(_singular.get(text, text), text, values)


def ntr(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural sentence for the number n, in the current language; {n} is filled with n."""
    values = {"n": n, **values}
    english = singular if n == 1 else plural
    forms = _plural.get((singular, plural))
    if forms is None:
        return _fill(english, english, values)
    index = _plural_index(int(n))
    return _fill(forms[min(index, len(forms) - 1)], english, values)


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark only"
    """Mark a sentence for the catalogue without translating it yet (it is defined before a language is chosen:
    lesson texts, help texts); show it with tr(text)."""
    return text


__all__ = ["N_", "SOURCE_LANGUAGE", "TRANSLATIONS_DIR", "TranslationError", "available_languages", "catalogue_path",
           "detect_language", "language", "language_from_locale", "language_problem", "ntr", "read_catalogue",
           "set_language", "tr"]

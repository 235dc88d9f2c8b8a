"""Keeping the translation catalogues in step with the source: find every marked sentence, add new ones to each
language's .po file, and check a catalogue is complete (run `python -m nnstudio.core.i18n_catalogue update`)."""

from __future__ import annotations

import argparse
import ast
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import SOURCE_LANGUAGE, TRANSLATIONS_DIR, available_languages, catalogue_path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
MARKERS = {"tr": 1, "ntr": 2, "N_": 1}   # function name -> how many leading arguments are English text


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    places: list[str] = field(default_factory=list)   # "nnstudio/gui/app.py:12"


@dataclass
class Extraction:
    messages: dict[tuple[str, str | None], Message]
    problems: list[str]   # marked calls whose text is not a plain literal (an f-string cannot be translated)


def _marker_name(call: ast.Call) -> str | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name if name in MARKERS else None


def extract(root: Path = PACKAGE_DIR) -> Extraction:
    """Every sentence passed to tr(), ntr() or N_() under `root`, in source order."""
    messages: dict[tuple[str, str | None], Message] = {}
    problems: list[str] = []
    base = root.parent
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as exc:
            problems.append(f"{path}: {exc}")
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or (name := _marker_name(node)) is None:
                continue
            place = f"{path.relative_to(base).as_posix()}:{node.lineno}"
            texts = node.args[:MARKERS[name]]
            if len(texts) < MARKERS[name]:
                continue
            if any(isinstance(arg, ast.JoinedStr) for arg in texts):
                problems.append(f"{place}: {name}() is given an f-string; use named placeholders: "
                                f"{name}(\"… {{layer}} …\", layer=…)")
                continue
            if not all(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in texts):
                continue  # tr(step.text): a sentence marked elsewhere with N_()
            msgid = texts[0].value
            plural = texts[1].value if name == "ntr" else None
            message = messages.setdefault((msgid, plural), Message(msgid, plural))
            message.places.append(place)
    return Extraction(messages, problems)


def placeholders(text: str) -> set[str]:
    """The named placeholders of a sentence: {'layer', 'units'} for "… '{layer}' has {units} units"."""
    names: set[str] = set()
    try:
        for _, name, _, _ in string.Formatter().parse(text):
            if name is not None:
                names.add(name.split(".")[0].split("[")[0])
    except ValueError:
        names.add("<unbalanced braces>")
    return names


def update(code: str, root: Path = PACKAGE_DIR) -> tuple[int, int]:
    """Add the source's new sentences to `code`.po (untranslated) and drop the ones the source no longer has.
    Returns (added, removed)."""
    import polib  # noqa: PLC0415

    path = catalogue_path(code)
    po = polib.pofile(str(path), encoding="utf-8") if path.is_file() else polib.POFile(encoding="utf-8")
    po.metadata.setdefault("Project-Id-Version", "NN Studio")
    po.metadata.setdefault("Language", code)
    po.metadata.setdefault("MIME-Version", "1.0")
    po.metadata.setdefault("Content-Type", "text/plain; charset=UTF-8")
    po.metadata.setdefault("Content-Transfer-Encoding", "8bit")
    extraction = extract(root)
    existing = {(e.msgid, e.msgid_plural or None): e for e in po if not e.obsolete}
    added = 0
    for key, message in extraction.messages.items():
        entry = existing.get(key)
        if entry is None:
            entry = polib.POEntry(msgid=message.msgid, msgstr="")
            if message.plural is not None:
                entry.msgid_plural = message.plural
                entry.msgstr_plural = {0: ""}
            po.append(entry)
            added += 1
        entry.occurrences = [tuple(place.rsplit(":", 1)) for place in message.places[:5]]
        if placeholders(message.msgid) and "python-brace-format" not in entry.flags:
            entry.flags.append("python-brace-format")
    gone = [e for e in po if not e.obsolete and (e.msgid, e.msgid_plural or None) not in extraction.messages]
    for entry in gone:
        po.remove(entry)
    po.save(str(path))
    return added, len(gone)


def check(code: str, root: Path = PACKAGE_DIR) -> list[str]:
    """What is wrong with a catalogue: sentences missing, untranslated or fuzzy, placeholders that differ."""
    import polib  # noqa: PLC0415

    path = catalogue_path(code)
    if not path.is_file():
        return [f"{path} does not exist"]
    po = polib.pofile(str(path), encoding="utf-8")
    entries = {(e.msgid, e.msgid_plural or None): e for e in po if not e.obsolete}
    problems = []
    for key, message in extract(root).messages.items():
        entry = entries.get(key)
        where = message.places[0]
        if entry is None:
            problems.append(f"{where}: not in {path.name}: {message.msgid!r}")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy in {path.name}: {message.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(translations):
            problems.append(f"{where}: untranslated in {path.name}: {message.msgid!r}")
            continue
        expected = placeholders(message.msgid) | (placeholders(message.plural) if message.plural else set())
        for text in translations:
            if placeholders(text) - expected or (not message.plural and placeholders(text) != expected):
                problems.append(f"{where}: placeholders differ in {path.name}: {message.msgid!r} → {text!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nnstudio.core.i18n_catalogue", description=__doc__)
    parser.add_argument("action", choices=["update", "check"])
    parser.add_argument("languages", nargs="*", help="language codes (default: every catalogue)")
    args = parser.parse_args(argv)
    codes = args.languages or [c for c in available_languages() if c != SOURCE_LANGUAGE]
    failed = False
    for code in codes:
        if args.action == "update":
            added, removed = update(code)
            print(f"{code}: {added} new sentences, {removed} removed ({catalogue_path(code)})")
        else:
            problems = check(code)
            failed |= bool(problems)
            print("\n".join(problems) if problems else f"{code}: complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Extraction", "Message", "TRANSLATIONS_DIR", "check", "extract", "main", "placeholders", "update"]

"""Keeping the translation catalogues in step with the source: find every marked sentence, add new ones to each
language's .po file, and check a catalogue is complete (run `python -m nnstudio.core.i18n_catalogue update`)."""

from __future__ import annotations

import argparse
import ast
import re
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .i18n import SOURCE_LANGUAGE, TRANSLATIONS_DIR, available_languages, catalogue_path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Phrase-like strings that are deliberately not translated (generated code, file-format words), one file per
# module: tests/i18n_allowed/<module path with dots>.txt, one Python literal per line.
ALLOWED_DIR = PACKAGE_DIR.parent / "tests" / "i18n_allowed"
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


# A string literal that reads like a phrase a person would read: words with a space between them, or a word
# followed by "…", ":", "?", "!" or ".". Single words are mostly keys ("relu", "Dense"); the window test that
# counts Korean text on screen catches the single-word labels.
PROSE = re.compile(r"[A-Za-z]{2,}[^\n]*\s[^\n]*[A-Za-z]|[A-Za-z]{2,}.*(…|\.\.\.|:|\?|!)\s*$", re.S)
# Calls whose string arguments are names for the program, not words for people.
NOT_SHOWN_CALLS = {
    "setObjectName", "findChild", "findChildren", "value", "setValue", "getattr", "setattr", "hasattr", "Signal",
    "setProperty", "property", "setStyleSheet", "QColor", "isinstance", "debug", "info", "warning", "error",
    "exception", "filterwarnings", "simplefilter", "compile", "match", "fullmatch", "search", "sub", "split",
    "startswith", "endswith", "join", "get", "pop", "setdefault", "strftime", "strptime", "format_map",
    "environ", "getenv", "tr", "ntr", "N_"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def unmarked_strings(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each phrase-like string literal in a module that is not passed to tr()/ntr()/N_(),
    not a docstring and not an argument of a call that names things for the program (NOT_SHOWN_CALLS)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        inner: list[ast.AST] = []
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in NOT_SHOWN_CALLS:
                inner = [*node.args, *node.keywords]
        elif isinstance(node, ast.Compare):
            inner = [node]
        elif isinstance(node, ast.Subscript):
            inner = [node.slice]
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            inner = [node.value]
        for part in inner:
            skipped.update(id(n) for n in ast.walk(part) if isinstance(n, ast.Constant))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
            and PROSE.search(node.value)]


def allowed_file(path: Path) -> Path:
    """The allow list of one module: tests/i18n_allowed/nnstudio.gui.app.txt for nnstudio/gui/app.py."""
    dotted = ".".join(Path(path).resolve().relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ALLOWED_DIR / f"{dotted}.txt"


def allowed_strings(path: Path) -> set[str]:
    file = allowed_file(path)
    if not file.is_file():
        return set()
    return {ast.literal_eval(line) for line in file.read_text(encoding="utf-8").splitlines() if line.strip()}


def allow_remaining(path: Path) -> int:
    """Write a module's remaining unmarked phrases to its allow list (after marking every one a person reads)."""
    texts = sorted({text for _, text in unmarked_strings(path)})
    file = allowed_file(path)
    if not texts:
        file.unlink(missing_ok=True)
        return 0
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("".join(f"{text!r}\n" for text in texts), encoding="utf-8")
    return len(texts)


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
    # A new language starts with English's plural rule and its code as its name: the translator corrects both
    # (View → Language shows X-Language-Name; the plural rule picks msgstr[0], [1]… by count).
    po.metadata.setdefault("Plural-Forms", "nplurals=2; plural=(n != 1);")
    po.metadata.setdefault("X-Language-Name", code)
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


def fill(code: str, translations: list[dict], overwrite: bool = False) -> int:
    """Put translations into `code`.po: each {"msgid": …, "plural": … or absent, "text": …}; returns how many
    entries got a translation. Entries not in the catalogue (run update first) are skipped, and so are entries
    already translated, unless `overwrite`: once merged, the .po file is where a translation is corrected."""
    import polib  # noqa: PLC0415

    path = catalogue_path(code)
    po = polib.pofile(str(path), encoding="utf-8")
    entries = {(e.msgid, e.msgid_plural or None): e for e in po if not e.obsolete}
    filled = 0
    for item in translations:
        entry = entries.get((item["msgid"], item.get("plural") or None))
        if entry is None or not item.get("text"):
            continue
        done = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if done and "fuzzy" not in entry.flags and not overwrite:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: item["text"]} if isinstance(item["text"], str) else dict(enumerate(item["text"]))
        else:
            entry.msgstr = item["text"]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
    po.save(str(path))
    return filled


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
    parser.add_argument("action", choices=["update", "check", "unmarked", "allow", "fill"],
                        help="update/check LANG…: the catalogues; unmarked FILE…: phrases not marked for "
                             "translation (and not in the allow list); allow FILE…: write the rest to the allow list")
    parser.add_argument("languages", nargs="*", help="language codes (default: every catalogue), or files")
    args = parser.parse_args(argv)
    if args.action == "fill":   # fill LANG FILE.json…: translations written by a translator as JSON lists
        import json  # noqa: PLC0415

        code, *files = args.languages
        items = [item for file in files for item in json.loads(Path(file).read_text(encoding="utf-8"))]
        print(f"{code}: {fill(code, items)} of {len(items)} translations filled")
        return 0
    if args.action in ("unmarked", "allow"):
        files = [Path(p) for p in args.languages] or sorted(PACKAGE_DIR.rglob("*.py"))
        for file in files:
            if args.action == "allow":
                print(f"{file}: {allow_remaining(file)} allowed")
                continue
            allowed = allowed_strings(file)
            for line, text in unmarked_strings(file):
                if text not in allowed:
                    print(f"{file}:{line}: {text!r}")
        return 0
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

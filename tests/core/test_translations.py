"""Every word a learner reads is marked for translation, and the Korean catalogue translates all of it with the same
placeholders (napari's tools/test_strings.py does the first half with an allow list; ours is per module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnstudio.core.i18n import available_languages
from nnstudio.core.i18n_catalogue import (ALLOWED_DIR, PACKAGE_DIR, allowed_file, allowed_strings, check, extract,
                                          unmarked_strings)

MODULES = sorted(PACKAGE_DIR.rglob("*.py"))


def test_the_sentences_are_marked_as_whole_sentences_with_named_placeholders():
    found = extract()
    assert found.problems == []
    assert len(found.messages) > 1000
    positional = [m.msgid for m in found.messages.values() if "{}" in m.msgid or "{0" in m.msgid]
    assert positional == [], "placeholders must be named: {layer}, not {} or {0}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_no_phrase_a_person_reads_is_left_unmarked(module: Path):
    """A phrase-like string literal is passed to tr()/ntr()/N_(), or is named in the module's allow list
    (tests/i18n_allowed: generated code, HTML fragments, program names) — run
    `python -m nnstudio.core.i18n_catalogue unmarked FILE` to see them."""
    allowed = allowed_strings(module)
    found = {text for _, text in unmarked_strings(module)}
    assert sorted(found - allowed) == []
    assert sorted(allowed - found) == [], f"{allowed_file(module).name} lists strings the module no longer has"


def test_every_allow_list_belongs_to_a_module():
    modules = {allowed_file(module).name for module in MODULES}
    assert sorted(p.name for p in ALLOWED_DIR.glob("*.txt") if p.name not in modules) == []


@pytest.mark.parametrize("code", [c for c in available_languages() if c != "en"])
def test_each_catalogue_is_complete_with_the_english_placeholders(code):
    """No sentence missing, untranslated or fuzzy; no placeholder added, lost or renamed."""
    assert check(code) == []


def test_korean_is_shipped():
    assert available_languages()["ko"] == "한국어"

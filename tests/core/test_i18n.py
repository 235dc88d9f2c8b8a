"""The translation catalogue: languages found by their files, named placeholders, plural forms, safe fallbacks."""

from __future__ import annotations

import textwrap

import pytest

from nnstudio.core import i18n
from nnstudio.core.i18n_catalogue import check, extract, placeholders, update

HEADER = textwrap.dedent('''\
    msgid ""
    msgstr ""
    "Language: {code}\\n"
    "X-Language-Name: {name}\\n"
    "Content-Type: text/plain; charset=UTF-8\\n"
    "Plural-Forms: {plural}\\n"

    ''')


def write_catalogue(folder, code, name, plural, entries: str) -> None:
    (folder / f"{code}.po").write_text(HEADER.format(code=code, name=name, plural=plural) + textwrap.dedent(entries),
                                       encoding="utf-8")


@pytest.fixture
def catalogues(tmp_path, monkeypatch):
    """A translations folder of our own; English again after the test."""
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    yield tmp_path
    i18n.set_language("en")


def test_a_language_is_one_file_dropped_in_the_folder(catalogues):
    assert i18n.available_languages() == {"en": "English"}
    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", '''\
        msgid "Train"
        msgstr "훈련"
        ''')
    write_catalogue(catalogues, "de", "Deutsch", "nplurals=2; plural=(n != 1);", '''\
        msgid "Train"
        msgstr "Trainieren"
        ''')
    assert i18n.available_languages() == {"en": "English", "de": "Deutsch", "ko": "한국어"}
    assert i18n.set_language("de") == "de" and i18n.tr("Train") == "Trainieren"
    assert i18n.set_language("ko") == "ko" and i18n.tr("Train") == "훈련" and i18n.language() == "ko"
    assert i18n.set_language("xx") == "en" and i18n.tr("Train") == "Train"


def test_named_placeholders_are_filled_in_the_translation_and_braces_alone_stay(catalogues):
    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", '''\
        msgid "Dense '{layer}' has {units} units"
        msgstr "Dense '{layer}'의 유닛은 {units}개입니다"

        msgid "Swapped {b} and {a}"
        msgstr "{a}와 {b}를 바꿨습니다"
        ''')
    i18n.set_language("ko")
    assert i18n.tr("Dense '{layer}' has {units} units", layer="은닉층", units=8) == "Dense '은닉층'의 유닛은 8개입니다"
    assert i18n.tr("Swapped {b} and {a}", a="x", b="y") == "x와 y를 바꿨습니다"
    assert i18n.tr("A set {like this}") == "A set {like this}"   # no values: nothing is formatted
    assert i18n.tr("Not in the catalogue: {n}", n=3) == "Not in the catalogue: 3"


def test_plural_forms_follow_each_languages_rule(catalogues):
    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", '''\
        msgid "{n} layer"
        msgid_plural "{n} layers"
        msgstr[0] "층 {n}개"
        ''')
    write_catalogue(catalogues, "pl", "Polski", "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
                    "(n%100<10 || n%100>=20) ? 1 : 2);", '''\
        msgid "{n} layer"
        msgid_plural "{n} layers"
        msgstr[0] "{n} warstwa"
        msgstr[1] "{n} warstwy"
        msgstr[2] "{n} warstw"
        ''')
    assert [i18n.ntr("{n} layer", "{n} layers", n) for n in (1, 2)] == ["1 layer", "2 layers"]
    i18n.set_language("ko")
    assert [i18n.ntr("{n} layer", "{n} layers", n) for n in (1, 5)] == ["층 1개", "층 5개"]
    i18n.set_language("pl")
    assert [i18n.ntr("{n} layer", "{n} layers", n) for n in (1, 3, 5, 22)] == \
        ["1 warstwa", "3 warstwy", "5 warstw", "22 warstwy"]


def test_fuzzy_untranslated_and_broken_entries_fall_back_to_english(catalogues):
    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", '''\
        #, fuzzy
        msgid "Stop"
        msgstr "멈춤?"

        msgid "Pause"
        msgstr ""

        msgid "Layer {layer}"
        msgstr "층 {name}"
        ''')
    i18n.set_language("ko")
    assert i18n.tr("Stop") == "Stop" and i18n.tr("Pause") == "Pause"
    assert i18n.tr("Layer {layer}", layer="a") == "Layer a"   # a wrong placeholder never breaks the app


def test_the_system_locale_chooses_the_language_and_c_means_english(catalogues):
    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", "")
    assert i18n.detect_language({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert i18n.detect_language({"LANG": "C"}) == "en"
    assert i18n.detect_language({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}) == "en"   # LC_ALL wins, as in gettext
    assert i18n.detect_language({"LANGUAGE": "fr:ko", "LANG": "C"}) == "ko"
    assert i18n.detect_language({"NNSTUDIO_LANG": "en", "LANG": "ko_KR.UTF-8"}) == "en"   # --lang wins
    assert i18n.detect_language({}) == "en"


def test_the_catalogue_tool_finds_marked_sentences_refuses_f_strings_and_checks_placeholders(catalogues, tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "panel.py").write_text(textwrap.dedent('''\
        from nnstudio.core.i18n import N_, ntr, tr
        LESSON = N_("Draw a network")
        def show(layer, n):
            tr("Dense '{layer}' is ready", layer=layer)
            ntr("{n} epoch", "{n} epochs", n)
            tr(f"Layer {layer}")
            tr(LESSON)
        '''), encoding="utf-8")
    found = extract(package)
    assert set(found.messages) == {("Draw a network", None), ("Dense '{layer}' is ready", None),
                                   ("{n} epoch", "{n} epochs")}
    assert len(found.problems) == 1 and "f-string" in found.problems[0] and "panel.py:6" in found.problems[0]

    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", "")
    assert update("ko", package) == (3, 0)
    problems = check("ko", package)
    assert len(problems) == 3 and all("untranslated" in p for p in problems)
    text = (catalogues / "ko.po").read_text(encoding="utf-8")
    text = text.replace('msgid "Draw a network"\nmsgstr ""', 'msgid "Draw a network"\nmsgstr "신경망을 그리세요"')
    text = text.replace('msgid "Dense \'{layer}\' is ready"\nmsgstr ""',
                        'msgid "Dense \'{layer}\' is ready"\nmsgstr "Dense \'{name}\' 준비됨"')
    text = text.replace('msgstr[0] ""', 'msgstr[0] "{n} 에포크"')
    (catalogues / "ko.po").write_text(text, encoding="utf-8")
    problems = check("ko", package)
    assert len(problems) == 1 and "placeholders differ" in problems[0], problems
    assert placeholders("a {layer} and {units:,} b") == {"layer", "units"}


def test_phrases_not_marked_for_translation_are_found_and_names_for_the_program_are_not(tmp_path):
    from nnstudio.core.i18n_catalogue import unmarked_strings

    module = tmp_path / "panel.py"
    module.write_text(textwrap.dedent('''\
        """A panel: its docstring is for programmers."""
        from nnstudio.core.i18n import tr
        def build(button, settings, kind):
            button.setText("Train the network")
            button.setToolTip(tr("Train for {n} epochs", n=3))
            button.setObjectName("train button")
            settings.value("window geometry")
            if kind == "a csv file":
                return "Choose a file…"
            return {"key with space": 1}["key with space"]
        '''), encoding="utf-8")
    # A dict key is still reported: the allow list (tests/i18n_allowed) is where such names are accepted.
    assert sorted(text for _, text in unmarked_strings(module)) == ["Choose a file…", "Train the network",
                                                                    "key with space"]


def test_a_damaged_catalogue_leaves_the_app_in_english_and_says_why(catalogues):
    (catalogues / "ko.po").write_text('msgid ""\nmsgstr ""\n"Language: ko\\n"\n\nthis line is not a po line\n',
                                      encoding="utf-8")
    assert i18n.set_language("ko") == "en" and i18n.tr("Train") == "Train"
    assert "ko.po" in i18n.language_problem()
    assert i18n.set_language("en") == "en" and i18n.language_problem() == ""


def test_fill_adds_new_translations_and_keeps_corrections_made_in_the_catalogue(catalogues, tmp_path):
    from nnstudio.core.i18n_catalogue import fill

    package = tmp_path / "pkg2"
    package.mkdir()
    (package / "a.py").write_text('from nnstudio.core.i18n import tr\ntr("Train")\ntr("Stop")\n', encoding="utf-8")
    write_catalogue(catalogues, "ko", "한국어", "nplurals=1; plural=0;", "")
    update("ko", package)
    assert fill("ko", [{"msgid": "Train", "text": "훈련"}]) == 1
    assert fill("ko", [{"msgid": "Train", "text": "학습"}, {"msgid": "Stop", "text": "중지"}]) == 1
    i18n.set_language("ko")
    assert (i18n.tr("Train"), i18n.tr("Stop")) == ("훈련", "중지")   # the catalogue's own word was kept
    assert fill("ko", [{"msgid": "Train", "text": "학습"}], overwrite=True) == 1

"""Category names from a hostile CSV (quotes, line breaks, \"\"\", backslashes, 빨강) stay data in train.py."""

import ast

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from export_helpers import run_python
from test_export_data_sources import colour_project, printed, train_and_export
from test_export_hostile import MARKERS, PAYLOADS, TEXT, call_names, code_outside_literals, constants

from nnstudio.core.data.table import Table
from nnstudio.engine.export.data_code import categories_code, table_csv

HOSTILE_NAMES = ['say "hi", then \'bye\'', "two\nlines", 'x"""\nopen(\'PWNED\', \'w\')\n"""',
                 "back\\slash \\N{x} \\x \\", "빨강", PAYLOADS[0], PAYLOADS[1]]
HOSTILE_COLUMN = 'colour"""\n__import__(\'os\').system(\'touch PWNED\')\n#'


def train_tree(folder) -> ast.Module:
    return ast.parse((folder / "train.py").read_bytes(), "train.py")


@pytest.fixture(scope="module")
def clean_calls(tmp_path_factory):
    """What train.py calls for a plain colour column: the allow-list for the hostile one."""
    from nnstudio.engine.export import export_model
    from nnstudio.engine.pipeline import build_model, load_project_data
    folder = tmp_path_factory.mktemp("clean")
    project = colour_project(folder / "data")
    export_model(build_model(project, load_project_data(project).context), "python", folder / "code",
                 trained=False, project=project)
    return call_names(train_tree(folder / "code"))


def test_hostile_category_names_and_column_stay_data_and_train_like_the_app(tmp_path, clean_calls):
    project = colour_project(tmp_path / "data", HOSTILE_NAMES, HOSTILE_COLUMN)
    data, result, stdout = train_and_export(project, tmp_path / "code")
    column = data.table.columns[0]
    names = data.table.class_names[column]
    # Every name is a category (the app's reader drops line breaks inside a cell; quotes and the rest stay).
    assert len(names) == len(HOSTILE_NAMES) and "빨강" in names and PAYLOADS[0] in names
    assert any('"""' in name for name in names) and any("\\N{x}" in name for name in names)
    tree = train_tree(tmp_path / "code")
    code = code_outside_literals((tmp_path / "code" / "train.py").read_text(encoding="utf-8"))
    for marker in MARKERS:
        assert marker not in code, marker
    assert call_names(tree) <= clean_calls
    # The names read back exactly, in the app's order, and the script trains on the same numbers.
    assert constants(tree)["CATEGORIES"][column] == list(names)
    _, widths, epoch, _ = printed(stdout)
    assert widths == [len(HOSTILE_NAMES) + 1]
    assert epoch["loss"] == pytest.approx(result.history.logs["loss"][0], abs=1e-4)
    assert not list(tmp_path.rglob("PWNED"))


def test_an_unseen_hostile_category_is_named_in_the_error_as_text(tmp_path):
    project = colour_project(tmp_path / "data", HOSTILE_NAMES[:3])
    from nnstudio.engine.export import export_model
    from nnstudio.engine.pipeline import build_model, load_project_data
    export_model(build_model(project, load_project_data(project).context), "python", tmp_path / "code",
                 trained=False, project=project)
    csv_path = tmp_path / "code" / "data.csv"
    text = csv_path.read_text(encoding="utf-8")
    csv_path.write_text(text + '"' + PAYLOADS[1].replace('"', '""') + '",0.5,yes\n', encoding="utf-8")
    done = run_python("", tmp_path / "code", timeout=120, args=("train.py", "--epochs", "1"))
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert f"column 'colour': {PAYLOADS[1]!r} is not one of the 3 categories" in done.stderr
    assert not list(tmp_path.rglob("PWNED"))


@settings(max_examples=100, deadline=None)
@given(column=TEXT, names=st.lists(TEXT.filter(bool), unique=True, min_size=1, max_size=6))
def test_random_category_names_read_back_exactly(column, names):
    table = Table("t", np.arange(len(names), dtype=np.float32).reshape(-1, 1), [column], {column: names})
    assert ast.literal_eval(categories_code(table)) == {column: names}
    # data.csv holds the names as the csv module reads them back.
    import csv
    import io
    rows = list(csv.reader(io.StringIO(table_csv(table), newline="")))
    assert rows == [[column]] + [[name] for name in names]

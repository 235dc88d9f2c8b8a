"""One study shared through PostgreSQL (how several machines join a search), when a server is reachable."""

import os
import uuid

import pytest
from optuna.trial import TrialState
from tuning_helpers import learning_rate, saved_iris, space_of, units

from nnstudio.engine.tuning.results import trial_rows
from nnstudio.engine.tuning.study import database_url, open_study, saved_space
from nnstudio.engine.tuning.workers import run_study

# .ci/run starts PostgreSQL on 127.0.0.1 with this role and database (as docs/tuning.md tells a user to).
URL = os.environ.get("NNSTUDIO_TEST_POSTGRES", "postgresql://nnstudio:nnstudio@127.0.0.1:5432/nnstudio_test")


def _reachable(url):
    try:
        import psycopg2
        psycopg2.connect(url, connect_timeout=3).close()
        return ""
    except Exception as exc:  # no driver, no server, refused login: all mean "cannot test here"
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


PROBLEM = _reachable(URL)


@pytest.mark.skipif(bool(PROBLEM), reason=f"no PostgreSQL server reachable at {URL} (set NNSTUDIO_TEST_POSTGRES; "
                                           f".ci/run starts one): {PROBLEM}")
@pytest.mark.timeout(400)
def test_two_runs_join_one_study_in_postgresql(tmp_path):
    import optuna

    project = saved_iris(tmp_path, epochs=2)
    space = space_of(units(project), learning_rate(), strategy="random", pruner="median", trials=3)
    name = f"nnstudio-test-{uuid.uuid4().hex[:10]}"
    try:
        run_study(project.path, space, workers=2, storage=URL, name=name)
        # A second machine joins with a larger budget: it sees the first one's trials and adds to them.
        space.trials = 5
        study = run_study(project.path, space, workers=1, storage=URL, name=name)
        rows = trial_rows(study)
        assert [r.number for r in rows] == [0, 1, 2, 3, 4]
        assert all(r.state in ("COMPLETE", "PRUNED") for r in rows)
        assert not (tmp_path / "iris.study").exists()   # nothing beside the project: all in the database
        joined = open_study(project, space, storage=URL, name=name)
        assert len(joined.get_trials(states=(TrialState.COMPLETE, TrialState.PRUNED))) == 5
        assert saved_space(joined).dimensions == space.dimensions
    finally:
        optuna.delete_study(study_name=name, storage=database_url(URL))

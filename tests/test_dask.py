"""The searchers run unchanged on a Dask cluster through joblib's dask backend.

A real two-process ``LocalCluster`` on the loopback interface runs every fit;
each search must give the ``cv_results_`` the same search gives locally with
``n_jobs=1`` (same candidates, same folds, same scores). The fits are
deterministic, so the scores are compared exactly.
"""

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.stats import loguniform
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_bayestune import BayesTuneCV, Categorical, GridTuneCV, RandomTuneCV
from sklearn_bayestune._nested import nested_cross_validate

distributed = pytest.importorskip("distributed")

IRIS = load_iris(return_X_y=True)
# Shuffled folds with a fixed seed: the local and the Dask run must agree on
# them, and a shuffling splitter is where a search could get that wrong.
CV = KFold(3, shuffle=True, random_state=0)
COMMON = dict(cv=CV, progress=False)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _searches():
    return {
        "grid": lambda: GridTuneCV(
            SVC(), {"C": [0.1, 1, 10], "kernel": ["linear", "rbf"]}, **COMMON
        ),
        "random": lambda: RandomTuneCV(
            make_pipeline(StandardScaler(), LogisticRegression()),
            {
                "logisticregression__C": loguniform(1e-3, 1e2),
                "logisticregression__fit_intercept": Categorical([True, False]),
            },
            n_iter=5,
            random_state=0,
            **COMMON,
        ),
        "bayes": lambda: BayesTuneCV(
            SVC(),
            {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)},
            n_iter=6,
            n_initial_points=2,
            batch_size=2,
            random_state=0,
            **COMMON,
        ),
    }


def _assert_same_results(dask_search, local_search):
    got, expected = dask_search.cv_results_, local_search.cv_results_
    assert got["params"] == expected["params"]
    keys = ["mean_test_score", "std_test_score", "rank_test_score"]
    keys += [f"split{i}_test_score" for i in range(CV.get_n_splits())]
    for key in keys:
        assert_array_equal(got[key], expected[key], err_msg=key)
    assert dask_search.best_params_ == local_search.best_params_


@pytest.mark.parametrize("name", ["grid", "random", "bayes"])
def test_dask_backend_gives_the_local_results(client, name):
    X, y = IRIS
    make = _searches()[name]
    local = make().set_params(n_jobs=1).fit(X, y)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_config(backend="dask"):
            on_dask = make().fit(X, y)
    _assert_same_results(on_dask, local)
    # The fits ran on the cluster's workers, not in this process.
    assert len(tasks.data) > 0
    assert {task["worker"] for task in tasks.data} <= set(
        client.scheduler_info()["workers"]
    )


def test_dask_backend_with_data_scattered_up_front(client):
    # scatter=[X, y] sends the data to every worker once for the whole
    # search, instead of once per evaluate_candidates call (per Bayes batch).
    X, y = IRIS
    make = _searches()["bayes"]
    local = make().set_params(n_jobs=1).fit(X, y)
    with joblib.parallel_config(backend="dask", scatter=[X, y]):
        on_dask = make().fit(X, y)
    _assert_same_results(on_dask, local)
    assert len(on_dask.cv_results_["params"]) == 6
    assert np.all(on_dask.cv_results_["proposal_step"] == [0, 0, 1, 1, 2, 2])


def test_nested_cross_validation_on_dask(client):
    # Outer folds are tasks on the cluster; each fold's search, running in a
    # worker, submits its own fits to the same cluster (joblib's nested dask
    # backend), so a worker waiting on its inner fits does not deadlock.
    X, y = IRIS
    search = _searches()["bayes"]()
    local = nested_cross_validate(search, X, y, outer_cv=3, random_state=0)
    with joblib.parallel_config(backend="dask"):
        on_dask = nested_cross_validate(search, X, y, outer_cv=3, random_state=0)
    assert on_dask.seeds == local.seeds
    assert on_dask.best_params == local.best_params
    assert_array_equal(on_dask.outer_scores["score"], local.outer_scores["score"])

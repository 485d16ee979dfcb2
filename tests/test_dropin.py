"""Differential tests: GridTuneCV/RandomTuneCV against GridSearchCV/RandomizedSearchCV.

For the same inputs the two must agree on everything a user can see, timings
aside. scikit-learn's own test_search.py is run against our classes too
(tests/sklearn_search_suite.py); these tests cover the combinations a user of
this package relies on most, on real data.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform, randint
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    ShuffleSplit,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_bayestune import (
    BayesTuneCV,
    Categorical,
    GridTuneCV,
    Integer,
    RandomTuneCV,
    Real,
)

IRIS = load_iris(return_X_y=True)
CANCER = load_breast_cancer(return_X_y=True)


def assert_same_results(ours, theirs):
    """cv_results_ and best_* agree exactly, timings aside."""
    ours_res, theirs_res = ours.cv_results_, theirs.cv_results_
    assert sorted(ours_res) == sorted(theirs_res)
    for key, expected in theirs_res.items():
        got = ours_res[key]
        if key.endswith("_time"):
            assert np.shape(got) == np.shape(expected)
            continue
        if key == "params":
            assert got == expected
            continue
        assert type(got) is type(expected), key
        assert got.dtype == expected.dtype, key
        if isinstance(expected, np.ma.MaskedArray):
            assert_array_equal(got.mask, expected.mask, err_msg=key)
            assert_array_equal(got.compressed(), expected.compressed(), err_msg=key)
        elif expected.dtype.kind == "f":
            assert_allclose(got, expected, err_msg=key)
        else:
            assert_array_equal(got, expected, err_msg=key)
    for attr in (
        "best_index_",
        "best_score_",
        "best_params_",
        "multimetric_",
        "n_splits_",
    ):
        assert hasattr(ours, attr) == hasattr(theirs, attr), attr
        if hasattr(theirs, attr):
            if attr == "best_score_":
                assert_allclose(getattr(ours, attr), getattr(theirs, attr))
            else:
                assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert hasattr(ours, "refit_time_") == hasattr(theirs, "refit_time_")
    assert hasattr(ours, "best_estimator_") == hasattr(theirs, "best_estimator_")
    ours_attrs = {a for a in vars(ours) if a.endswith("_") and not a.startswith("_")}
    theirs_attrs = {
        a for a in vars(theirs) if a.endswith("_") and not a.startswith("_")
    }
    assert ours_attrs == theirs_attrs


def fit_both(ours_cls, theirs_cls, *args, data=IRIS, fit_params=None, **kwargs):
    X, y = data
    fit_params = fit_params or {}
    ours = ours_cls(*args, **kwargs).fit(X, y, **fit_params)
    theirs = theirs_cls(*args, **kwargs).fit(X, y, **fit_params)
    assert_same_results(ours, theirs)
    return ours, theirs


PIPE = Pipeline([("scale", StandardScaler()), ("svc", SVC())])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_plain_and_pipeline(n_jobs):
    fit_both(GridTuneCV, GridSearchCV, SVC(), {"C": [0.1, 1, 10]}, n_jobs=n_jobs)
    ours, theirs = fit_both(
        GridTuneCV,
        GridSearchCV,
        PIPE,
        {"svc__C": [0.1, 1, 10], "svc__kernel": ["rbf", "linear"]},
        cv=5,
        n_jobs=n_jobs,
        return_train_score=True,
    )
    X, _ = IRIS
    assert_array_equal(ours.predict(X), theirs.predict(X))
    assert_allclose(ours.decision_function(X), theirs.decision_function(X))
    assert ours.score(*IRIS) == theirs.score(*IRIS)
    assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.n_features_in_ == theirs.n_features_in_ == 4


def test_grid_list_of_dicts_and_dimensions():
    grid = [
        {"kernel": ["linear"], "C": [1, 10]},
        {"kernel": ["rbf"], "C": [1, 10], "gamma": [0.1, 1.0]},
    ]
    fit_both(GridTuneCV, GridSearchCV, SVC(), grid)
    # Finite dimensions stand for all their values.
    X, y = IRIS
    ours = GridTuneCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 3), "criterion": Categorical(["gini", "entropy"])},
    ).fit(X, y)
    theirs = GridSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 2, 3], "criterion": ["gini", "entropy"]},
    ).fit(X, y)
    assert_array_equal(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert ours.best_params_ == theirs.best_params_


@pytest.mark.parametrize(
    "refit", ["accuracy", False, lambda r: int(np.argmax(r["mean_test_recall"]))]
)
def test_multimetric(refit):
    fit_both(
        GridTuneCV,
        GridSearchCV,
        Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())]),
        {"lr__C": [0.01, 1, 100]},
        data=CANCER,
        scoring={"accuracy": "accuracy", "recall": "recall", "ll": "neg_log_loss"},
        refit=refit,
        return_train_score=True,
        cv=3,
    )


class FailingSVC(SVC):
    def fit(self, X, y, sample_weight=None):
        if self.C == 0.5:
            raise ValueError("C=0.5 is refused")
        return super().fit(X, y, sample_weight=sample_weight)


def test_error_score_nan_and_raise():
    X, y = IRIS
    with pytest.warns(FitFailedWarning, match="5 fits failed out of a total of 15"):
        ours = GridTuneCV(FailingSVC(), {"C": [0.5, 1, 10]}).fit(X, y)
    with pytest.warns(FitFailedWarning):
        theirs = GridSearchCV(FailingSVC(), {"C": [0.5, 1, 10]}).fit(X, y)
    assert_same_results(ours, theirs)
    assert np.isnan(ours.cv_results_["mean_test_score"][0])
    assert ours.best_params_["C"] != 0.5

    with pytest.raises(ValueError, match="C=0.5 is refused"):
        GridTuneCV(FailingSVC(), {"C": [0.5, 1]}, error_score="raise").fit(X, y)
    with pytest.raises(ValueError, match="All the 5 fits failed"):
        GridTuneCV(FailingSVC(), {"C": [0.5]}).fit(X, y)


def test_groups_and_fit_params():
    X, y = IRIS
    groups = np.arange(len(y)) % 5
    sample_weight = np.random.RandomState(0).uniform(0.5, 2, len(y))
    fit_both(
        GridTuneCV,
        GridSearchCV,
        SVC(),
        {"C": [0.1, 1, 10]},
        cv=GroupKFold(n_splits=5),
        fit_params={"groups": groups, "sample_weight": sample_weight},
    )


def test_groups_with_metadata_routing():
    X, y = IRIS
    groups = np.arange(len(y)) % 5
    sample_weight = np.random.RandomState(0).uniform(0.5, 2, len(y))
    with config_context(enable_metadata_routing=True):
        estimator = (
            LogisticRegression(max_iter=500)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        ours, theirs = fit_both(
            GridTuneCV,
            GridSearchCV,
            estimator,
            {"C": [0.1, 1, 10]},
            cv=GroupKFold(n_splits=3),
            fit_params={"groups": groups, "sample_weight": sample_weight},
        )
    # The groups really reached the splitter: no group is on both sides.
    for train, test in GroupKFold(n_splits=3).split(X, y, groups):
        assert not set(groups[train]) & set(groups[test])


def test_regression_and_precomputed_kernel():
    X, y = load_diabetes(return_X_y=True)
    fit_both(
        GridTuneCV,
        GridSearchCV,
        Ridge(),
        {"alpha": [0.01, 0.1, 1.0, 10.0]},
        data=(X, y),
        scoring="neg_mean_squared_error",
    )
    X, y = IRIS
    K = X @ X.T
    fit_both(
        GridTuneCV,
        GridSearchCV,
        SVC(kernel="precomputed"),
        {"C": [0.1, 1]},
        data=(K, y),
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_random_same_candidates_as_sklearn(n_jobs):
    distributions = {
        "C": loguniform(1e-2, 1e2),
        "gamma": loguniform(1e-3, 1e1),
        "kernel": ["rbf", "sigmoid"],
    }
    fit_both(
        RandomTuneCV,
        RandomizedSearchCV,
        SVC(),
        distributions,
        n_iter=8,
        random_state=0,
        n_jobs=n_jobs,
    )
    fit_both(
        RandomTuneCV,
        RandomizedSearchCV,
        DecisionTreeClassifier(random_state=0),
        [{"max_depth": randint(1, 6)}, {"min_samples_leaf": [1, 5, 10]}],
        n_iter=6,
        random_state=3,
    )


def test_random_accepts_dimensions():
    X, y = IRIS
    search = RandomTuneCV(
        SVC(),
        {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": Categorical(["rbf"])},
        n_iter=5,
        random_state=0,
    ).fit(X, y)
    C = np.asarray(search.cv_results_["param_C"], dtype=float)
    assert ((C >= 1e-2) & (C <= 1e2)).all()
    assert len(set(C)) == 5
    again = RandomTuneCV(
        SVC(),
        {"C": Real(1e-2, 1e2, prior="log-uniform"), "kernel": Categorical(["rbf"])},
        n_iter=5,
        random_state=0,
    ).fit(X, y)
    assert_array_equal(C, np.asarray(again.cv_results_["param_C"], dtype=float))


def test_splits_fixed_once_per_fit():
    # A shuffling splitter without random_state gives new folds on every
    # split() call; all candidates must still share one set of folds.
    calls = []

    class CountingShuffleSplit(ShuffleSplit):
        def split(self, X, y=None, groups=None):
            calls.append(1)
            return super().split(X, y, groups)

    X, y = IRIS
    GridTuneCV(SVC(), {"C": [0.1, 1, 10]}, cv=CountingShuffleSplit(3)).fit(X, y)
    assert len(calls) == 1


def test_nested_cross_validation_matches_sklearn():
    X, y = IRIS
    outer = KFold(3, shuffle=True, random_state=0)
    ours = cross_validate(
        GridTuneCV(PIPE, {"svc__C": [0.1, 1, 10]}, cv=3), X, y, cv=outer, n_jobs=2
    )
    theirs = cross_validate(
        GridSearchCV(PIPE, {"svc__C": [0.1, 1, 10]}, cv=3), X, y, cv=outer, n_jobs=2
    )
    assert_array_equal(ours["test_score"], theirs["test_score"])


def test_clone_params_and_pickle():
    search = GridTuneCV(SVC(), {"C": [1, 10]}, cv=3)
    assert clone(search).get_params().keys() == search.get_params().keys()
    # scikit-learn's parameters, with the same defaults, plus our options.
    ours = search.get_params(deep=False)
    theirs = GridSearchCV(SVC(), {"C": [1, 10]}).get_params(deep=False)
    assert set(ours) - set(theirs) == {
        "early_stopping",
        "max_time",
        "callbacks",
        "checkpoint",
        "progress",
    }
    for name in set(theirs) - {"estimator", "param_grid", "cv"}:
        assert repr(ours[name]) == repr(theirs[name]), name
    search.set_params(cv=4, estimator__C=3)
    assert search.cv == 4 and search.estimator.C == 3
    restored = pickle.loads(pickle.dumps(search))
    assert restored.get_params()["cv"] == 4
    X, y = IRIS
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    assert_array_equal(restored.predict(X), search.predict(X))
    assert restored.best_params_ == search.best_params_


@pytest.mark.parametrize(
    "ours_cls, theirs_cls",
    [(GridTuneCV, GridSearchCV), (RandomTuneCV, RandomizedSearchCV)],
)
def test_subclass_with_the_documented_run_search_signature(ours_cls, theirs_cls):
    # scikit-learn documents _run_search(self, evaluate_candidates) for custom
    # searches; no callback_ctx is passed to one that does not take it.
    def coarse_to_fine(cls):
        class CoarseToFine(cls):
            def _run_search(self, evaluate_candidates):
                results = evaluate_candidates([{"C": 0.01}, {"C": 10.0}])
                best_C = results["params"][np.argmax(results["mean_test_score"])]["C"]
                evaluate_candidates([{"C": best_C * 3.0}])

        return CoarseToFine

    args = (SVC(), {"C": [1.0]})
    fit_both(coarse_to_fine(ours_cls), coarse_to_fine(theirs_cls), *args, cv=3)


@pytest.mark.parametrize("cls", [GridTuneCV, RandomTuneCV, BayesTuneCV])
def test_docstring_has_the_shared_parameters_filled_in(cls):
    doc = cls.__doc__
    assert "{tune_parameters}" not in doc and "{patience}" not in doc
    for parameter in ("early_stopping :", "max_time :", "checkpoint :", "n_jobs :"):
        assert parameter in doc


def test_unknown_parameter_name_is_refused_before_fitting():
    X, y = IRIS
    with pytest.raises(
        ValueError, match="Invalid parameter 'D'.*comes from the param_grid"
    ):
        GridTuneCV(PIPE, {"svc__D": [1, 2]}).fit(X, y)
    with pytest.raises(ValueError, match="Invalid parameter 'Cc'.*param_distributions"):
        RandomTuneCV(SVC(), {"Cc": loguniform(1, 2)}, n_iter=2).fit(X, y)
    # A name below a parameter set in the same candidate is for set_params.
    GridTuneCV(
        PIPE,
        {"svc": [LogisticRegression(max_iter=500)], "svc__C": [1.0]},
        cv=2,
    ).fit(X, y)


def test_grid_refuses_continuous_dimension_naming_the_key():
    X, y = IRIS
    with pytest.raises(ValueError, match="Parameter 'C' in param_grid: Real"):
        GridTuneCV(SVC(), {"C": Real(0.1, 10.0)}).fit(X, y)


def test_backend_without_result_streaming_gives_same_results():
    # joblib's multiprocessing backend (and Ray's) cannot stream results.
    import joblib

    X, y = IRIS
    search = GridTuneCV(SVC(), {"C": [0.1, 1, 10]}, cv=3)
    local = clone(search).fit(X, y)
    with joblib.parallel_config(backend="multiprocessing", n_jobs=2):
        pooled = clone(search).fit(X, y)
    assert_array_equal(
        pooled.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )

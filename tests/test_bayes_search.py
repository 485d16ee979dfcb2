"""BayesTuneCV behaves like a scikit-learn search and searches well."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    ShuffleSplit,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier

from sklearn_bayestune import BayesTuneCV, Categorical, Integer, Real

IRIS = load_iris(return_X_y=True)
PIPE = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
SVC_SPACE = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-4, 1e1)}
SVC_SPACE_PLAIN = {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e1)}
EXTRA_COLUMNS = {"proposal_step", "proposal_kind", "acquisition_value"}


def test_cv_results_layout_matches_randomized_search_plus_extra_columns():
    X, y = IRIS
    search = BayesTuneCV(
        PIPE, SVC_SPACE, n_iter=8, cv=3, random_state=0, return_train_score=True
    ).fit(X, y)
    reference = RandomizedSearchCV(
        PIPE, SVC_SPACE, n_iter=8, cv=3, random_state=0, return_train_score=True
    ).fit(X, y)
    assert set(search.cv_results_) == set(reference.cv_results_) | EXTRA_COLUMNS
    for key in reference.cv_results_:
        assert np.shape(search.cv_results_[key]) == np.shape(reference.cv_results_[key])
    assert len(search.cv_results_["params"]) == 8
    steps = search.cv_results_["proposal_step"]
    assert_array_equal(steps, np.sort(steps))  # in the order proposed
    kinds = list(search.cv_results_["proposal_kind"])
    assert kinds[0] == "initial" and kinds[-1] == "log_ei"
    best = search.best_index_
    assert search.best_score_ == search.cv_results_["mean_test_score"][best]
    assert search.best_params_ == search.cv_results_["params"][best]
    assert_array_equal(search.predict(X), search.best_estimator_.predict(X))
    assert search.optimizer_.n_observed == 8


def test_same_seed_same_candidates_and_pickle():
    X, y = IRIS
    kwargs = dict(n_iter=7, cv=3, random_state=42)
    first = BayesTuneCV(SVC(), {"C": loguniform(1e-2, 1e3)}, **kwargs).fit(X, y)
    second = BayesTuneCV(SVC(), {"C": loguniform(1e-2, 1e3)}, **kwargs).fit(X, y)
    assert first.cv_results_["params"] == second.cv_results_["params"]
    restored = pickle.loads(pickle.dumps(first))
    assert restored.best_params_ == first.best_params_
    assert clone(first).get_params()["n_iter"] == 7


def test_n_jobs_and_batches_reproducible():
    X, y = IRIS
    kwargs = dict(n_iter=8, cv=2, random_state=0, n_jobs=2, batch_size=2)
    a = BayesTuneCV(SVC(), {"C": loguniform(1e-2, 1e3)}, **kwargs).fit(X, y)
    b = BayesTuneCV(SVC(), {"C": loguniform(1e-2, 1e3)}, **kwargs).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    steps = a.cv_results_["proposal_step"]
    assert np.bincount(steps).max() == 2  # two candidates per step


def test_multimetric_refit_string_optimises_that_metric():
    X, y = load_breast_cancer(return_X_y=True)
    search = BayesTuneCV(
        Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression())]),
        {"lr__C": loguniform(1e-3, 1e2)},
        scoring={"acc": "accuracy", "ll": "neg_log_loss"},
        refit="ll",
        n_iter=8,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.multimetric_
    values = search.optimizer_.values
    assert_array_equal(values, search.cv_results_["mean_test_ll"])
    assert search.best_index_ == int(np.argmax(search.cv_results_["mean_test_ll"]))


def test_groups_and_nested_cross_validation():
    X, y = IRIS
    groups = np.arange(len(y)) % 6
    search = BayesTuneCV(
        SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=5, cv=GroupKFold(3), random_state=0
    )
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == 3
    scores = cross_validate(
        BayesTuneCV(PIPE, SVC_SPACE, n_iter=6, cv=3, random_state=0),
        X,
        y,
        cv=KFold(3, shuffle=True, random_state=0),
        n_jobs=2,
    )
    assert scores["test_score"].shape == (3,)
    assert (scores["test_score"] > 0.8).all()


class FailingSVC(SVC):
    """Fails to fit whenever C > 10: a whole failing region."""

    def fit(self, X, y, sample_weight=None):
        if self.C > 10:
            raise ValueError("C too large for this test")
        return super().fit(X, y, sample_weight=sample_weight)


def test_failed_region_does_not_abort_and_is_never_best():
    X, y = IRIS
    with pytest.warns(FitFailedWarning):
        search = BayesTuneCV(
            FailingSVC(),
            {"C": Real(1e-3, 1e3, prior="log-uniform")},
            n_iter=14,
            cv=3,
            random_state=0,
        ).fit(X, y)
    C = np.asarray(search.cv_results_["param_C"], dtype=float)
    failed = np.isnan(search.cv_results_["mean_test_score"])
    assert failed.any() and (C[failed] > 10).all()
    assert search.best_params_["C"] <= 10
    # Failures never reach the surrogate as scores.
    assert np.isnan(search.optimizer_.values[failed]).all()
    with pytest.raises(ValueError, match="C too large"):
        BayesTuneCV(
            FailingSVC(), {"C": Categorical([100.0])}, n_iter=1, error_score="raise"
        ).fit(X, y)


def test_list_of_dicts_shares_one_budget():
    X, y = IRIS
    space = [
        {"kernel": ["linear"], "C": Real(1e-2, 1e2, prior="log-uniform")},
        {
            "kernel": ["rbf"],
            "C": Real(1e-2, 1e2, prior="log-uniform"),
            "gamma": Real(1e-3, 1e1, prior="log-uniform"),
        },
    ]
    search = BayesTuneCV(SVC(), space, n_iter=12, cv=3, random_state=0).fit(X, y)
    kernels = [p["kernel"] for p in search.cv_results_["params"]]
    assert len(kernels) == 12 and {"linear", "rbf"} == set(kernels)
    for p in search.cv_results_["params"]:
        assert ("gamma" in p) == (p["kernel"] == "rbf")


def test_small_finite_space_is_enumerated_with_a_warning():
    X, y = IRIS
    with pytest.warns(UserWarning, match="smaller than n_iter=10"):
        search = BayesTuneCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": Integer(1, 3), "criterion": ["gini", "entropy"]},
            n_iter=10,
            cv=3,
            random_state=0,
        ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 6
    assert len({(p["max_depth"], p["criterion"]) for p in params}) == 6


def test_splits_are_fixed_for_the_whole_search():
    # A ShuffleSplit without random_state draws new folds on every split()
    # call: every step must still be scored on the folds drawn once.
    calls = []

    class CountingShuffleSplit(ShuffleSplit):
        def split(self, X, y=None, groups=None):
            calls.append(1)
            return super().split(X, y, groups)

    X, y = load_diabetes(return_X_y=True)
    search = BayesTuneCV(
        Ridge(),
        {"alpha": loguniform(1e-3, 1e3)},
        n_iter=6,
        cv=CountingShuffleSplit(3, test_size=0.3),
        random_state=0,
    ).fit(X, y)
    assert len(calls) == 1
    # The estimator's own value comes first when it lies in the space.
    assert search.cv_results_["params"][0] == {"alpha": 1.0}


def test_beats_random_search_on_a_real_problem():
    X, y = load_diabetes(return_X_y=True)
    space = {
        "svr__C": loguniform(1e-2, 1e4),
        "svr__gamma": loguniform(1e-4, 1e1),
        "svr__epsilon": loguniform(1e-2, 1e2),
    }
    pipe = Pipeline([("scale", StandardScaler()), ("svr", SVR())])
    kwargs = dict(n_iter=16, scoring="neg_mean_squared_error")
    ours, random = [], []
    for seed in range(3):
        cv = KFold(3, shuffle=True, random_state=seed)
        bayes = BayesTuneCV(pipe, space, cv=cv, random_state=seed, **kwargs)
        ours.append(bayes.fit(X, y).best_score_)
        rand = RandomizedSearchCV(pipe, space, cv=cv, random_state=seed, **kwargs)
        random.append(rand.fit(X, y).best_score_)
    assert np.mean(ours) > np.mean(random)


def test_async_proposals():
    X, y = IRIS
    kwargs = dict(n_iter=10, cv=3, random_state=0, batch_size="async")
    sequential = BayesTuneCV(SVC(), SVC_SPACE_PLAIN, **kwargs).fit(X, y)
    again = BayesTuneCV(SVC(), SVC_SPACE_PLAIN, **kwargs).fit(X, y)
    # With one worker, asynchronous proposals are reproducible.
    assert sequential.cv_results_["params"] == again.cv_results_["params"]
    assert_array_equal(sequential.cv_results_["proposal_step"], np.arange(10))
    parallel = BayesTuneCV(SVC(), SVC_SPACE_PLAIN, n_jobs=2, **kwargs).fit(X, y)
    params = parallel.cv_results_["params"]
    assert len(params) == 10
    # No candidate twice. Not "every C distinct": with two workers the order
    # of results varies, and two candidates may share a C on its bound (1e-2
    # or 1e3) with different gammas.
    assert len({(p["C"], p["gamma"]) for p in params}) == 10
    assert parallel.optimizer_.n_observed == 10
    assert "log_ei" in set(parallel.cv_results_["proposal_kind"])


def test_async_falls_back_to_batches_without_result_streaming():
    import joblib

    X, y = IRIS
    with joblib.parallel_config(backend="multiprocessing", n_jobs=2):
        search = BayesTuneCV(
            SVC(), SVC_SPACE_PLAIN, n_iter=6, cv=3, random_state=0, batch_size="async"
        ).fit(X, y)
    assert len(search.cv_results_["params"]) == 6


@pytest.mark.parametrize("batch_size", [None, "async"])
def test_verbose_announces_the_whole_budget_once(batch_size, capsys):
    # Not one "Fitting 3 folds for each of 1 candidates" line per step.
    X, y = IRIS
    BayesTuneCV(
        SVC(), SVC_SPACE_PLAIN, n_iter=5, cv=3, verbose=1, batch_size=batch_size
    ).fit(X, y)
    announced = [
        line for line in capsys.readouterr().out.splitlines() if "Fitting" in line
    ]
    assert announced == ["Fitting 3 folds for each of 5 candidates, totalling 15 fits"]


def test_a_candidate_stopped_after_one_fold_has_the_pooled_fold_noise():
    # One fold has no spread of its own: told with no known noise, it was
    # trusted more than a complete candidate's mean.
    from sklearn_bayestune import MedianStoppingPolicy

    search = BayesTuneCV(
        SVC(),
        SVC_SPACE_PLAIN,
        n_iter=10,
        cv=3,
        batch_size=3,
        random_state=0,
        early_stopping=MedianStoppingPolicy(),
    ).fit(*IRIS)
    results = search.cv_results_
    folds = np.array([results[f"split{k}_test_score"] for k in range(3)]).T
    n_folds = np.isfinite(folds).sum(axis=1)
    assert (n_folds == 1).any() and (n_folds == 3).any()
    noise = search.optimizer_._noise
    assert len(noise) == len(folds)
    spread = [np.var(row[np.isfinite(row)], ddof=1) for row in folds[n_folds >= 2]]
    for row, k, told in zip(folds, n_folds, noise):
        if k == 1:
            assert min(spread) <= told <= max(spread) and told > 0
        else:
            done = row[np.isfinite(row)]
            assert told == pytest.approx(np.var(done, ddof=1) / k)

"""Nested cross-validation: the searchers inside cross_validate, and the helper."""

import doctest

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris
from sklearn.model_selection import GroupKFold, KFold, cross_validate
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import sklearn_bayestune
from sklearn_bayestune import BayesTuneCV, GridTuneCV, RandomTuneCV, _nested
from sklearn_bayestune._nested import (
    NestedCVResult,
    ParamStability,
    nested_cross_validate,
    param_stability,
)

IRIS = load_iris(return_X_y=True)
SPACE = {"C": loguniform(1e-2, 1e2)}
OUTER = KFold(3, shuffle=True, random_state=0)


def _searches():
    return {
        "grid": GridTuneCV(SVC(), {"C": [0.1, 1, 10]}, cv=3, progress=False),
        "random": RandomTuneCV(
            SVC(), SPACE, n_iter=3, cv=3, random_state=0, progress=False
        ),
        "bayes": BayesTuneCV(
            SVC(),
            SPACE,
            n_iter=4,
            n_initial_points=2,
            batch_size=1,
            cv=3,
            random_state=0,
            progress=False,
        ),
    }


class GroupMemory(ClassifierMixin, BaseEstimator):
    """Scores the fraction of test samples whose group it did not see in fit.

    Column 0 of X is the group label, so 1.0 means no group is on both sides
    of the split; anything less is leakage.
    """

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        self.groups_seen_ = set(np.asarray(X)[:, 0])
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y, sample_weight=None):
        return float(np.mean([g not in self.groups_seen_ for g in X[:, 0]]))


def _grouped_data():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(12), 10)
    X = np.column_stack([groups, rng.normal(size=len(groups))])
    y = rng.integers(0, 2, size=len(groups))
    return X, y, groups


# -- the searchers inside scikit-learn's cross_validate -------------------------


@pytest.mark.parametrize("name", ["grid", "random", "bayes"])
def test_cross_validate_runs_each_searcher_in_parallel_outer_folds(name):
    X, y = IRIS
    search = _searches()[name]
    out = cross_validate(search, X, y, cv=OUTER, n_jobs=2, return_estimator=True)
    assert out["test_score"].shape == (3,)
    assert np.all(out["test_score"] > 0.8)
    for fitted in out["estimator"]:
        assert fitted.n_splits_ == 3
        assert fitted.best_params_ in fitted.cv_results_["params"]


# -- nested_cross_validate ------------------------------------------------------


@pytest.mark.parametrize("name", ["grid", "random", "bayes"])
def test_outer_scores_equal_cross_validate_when_every_fold_keeps_the_seed(name):
    X, y = IRIS
    search = _searches()[name]
    result = nested_cross_validate(search, X, y, outer_cv=OUTER)
    manual = cross_validate(search, X, y, cv=OUTER, return_estimator=True)
    assert_array_equal(result.outer_scores["score"], manual["test_score"])
    assert result.best_params == [est.best_params_ for est in manual["estimator"]]
    assert_array_equal(
        result.inner_best_scores, [est.best_score_ for est in manual["estimator"]]
    )
    assert result.seeds == [None, None, None]


@pytest.mark.parametrize("name", ["random", "bayes"])
def test_outer_scores_equal_cross_validate_with_each_folds_seed(name):
    X, y = IRIS
    search = _searches()[name]
    result = nested_cross_validate(search, X, y, outer_cv=OUTER, random_state=7)
    assert len(set(result.seeds)) == 3
    for k, seed in enumerate(result.seeds):
        manual = cross_validate(
            clone(search).set_params(random_state=seed),
            X,
            y,
            cv=OUTER,
            return_estimator=True,
        )
        assert result.outer_scores["score"][k] == manual["test_score"][k]
        assert result.best_params[k] == manual["estimator"][k].best_params_
        assert result.estimators[k].random_state == seed


def test_seeds_are_spawned_from_random_state_and_reproducible():
    X, y = IRIS
    search = _searches()["bayes"]
    first = nested_cross_validate(search, X, y, outer_cv=OUTER, random_state=3)
    again = nested_cross_validate(
        search, X, y, outer_cv=OUTER, random_state=3, n_jobs=2
    )
    other = nested_cross_validate(search, X, y, outer_cv=OUTER, random_state=4)
    children = np.random.SeedSequence(3).spawn(3)
    assert first.seeds == [int(c.generate_state(1)[0]) for c in children]
    assert again.seeds == first.seeds
    assert other.seeds != first.seeds
    # Same seeds, same folds, same candidates: the same result, whether the
    # outer folds run one by one or in parallel.
    assert again.best_params == first.best_params
    assert_array_equal(again.outer_scores["score"], first.outer_scores["score"])
    # A RandomState is accepted and drawn from once.
    rng = np.random.RandomState(0)
    seeded = nested_cross_validate(search, X, y, outer_cv=OUTER, random_state=rng)
    assert all(isinstance(seed, int) for seed in seeded.seeds)


def test_grid_search_has_no_seed_to_set():
    X, y = IRIS
    result = nested_cross_validate(
        _searches()["grid"], X, y, outer_cv=OUTER, random_state=0
    )
    assert result.seeds == [None, None, None]


@pytest.mark.parametrize(
    "outer_n_jobs, search_n_jobs, expected",
    [(2, None, 1), (1, None, None), (None, None, None), (2, 2, 2)],
)
def test_inner_n_jobs_is_one_only_when_outer_is_parallel_and_inner_unset(
    outer_n_jobs, search_n_jobs, expected
):
    X, y = IRIS
    search = GridTuneCV(SVC(), {"C": [1, 10]}, cv=2, n_jobs=search_n_jobs)
    result = nested_cross_validate(search, X, y, outer_cv=2, n_jobs=outer_n_jobs)
    assert [est.n_jobs for est in result.estimators] == [expected, expected]
    assert search.n_jobs == search_n_jobs  # the user's search is untouched


@pytest.mark.parametrize("routing", [False, True])
def test_groups_reach_the_outer_splitter_and_the_inner_search(routing):
    X, y, groups = _grouped_data()
    search = GridTuneCV(GroupMemory(), {"alpha": [1, 2]}, cv=GroupKFold(3))
    with sklearn.config_context(enable_metadata_routing=routing):
        result = nested_cross_validate(
            search, X, y, outer_cv=GroupKFold(4), groups=groups
        )
    # No outer test group was in the outer training set...
    assert_array_equal(result.outer_scores["score"], np.ones(4))
    for fitted in result.estimators:
        # ...and no inner split of any outer training set leaked a group.
        assert fitted.n_splits_ == 3
        for k in range(3):
            assert_array_equal(fitted.cv_results_[f"split{k}_test_score"], 1.0)


def test_the_group_leakage_check_detects_leakage():
    # The same check with a shuffled KFold inside: groups straddle splits.
    X, y, groups = _grouped_data()
    search = GridTuneCV(GroupMemory(), {"alpha": [1]}, cv=KFold(3, shuffle=True))
    with pytest.warns(UserWarning, match="The groups parameter is ignored by KFold"):
        result = nested_cross_validate(
            search, X, y, outer_cv=GroupKFold(4), groups=groups
        )
    assert_array_equal(result.outer_scores["score"], np.ones(4))
    assert result.estimators[0].cv_results_["mean_test_score"][0] < 0.5


def test_without_the_helper_groups_do_not_reach_the_inner_search():
    # Why the helper exists: cross_validate gives groups to the outer split only.
    X, y, groups = _grouped_data()
    search = GridTuneCV(
        GroupMemory(), {"alpha": [1]}, cv=GroupKFold(3), error_score="raise"
    )
    with pytest.raises(ValueError, match="groups"):
        cross_validate(
            search, X, y, cv=GroupKFold(4), groups=groups, error_score="raise"
        )


def test_several_outer_metrics_and_a_callable_refit():
    X, y = IRIS
    search = GridTuneCV(
        SVC(), {"C": [0.1, 10]}, cv=3, refit=lambda results: 0, progress=False
    )
    result = nested_cross_validate(
        search, X, y, outer_cv=OUTER, scoring=["accuracy", "balanced_accuracy"]
    )
    assert list(result.outer_scores) == ["accuracy", "balanced_accuracy"]
    assert result.best_params == [{"C": 0.1}] * 3
    # A callable refit leaves no best_score_.
    assert np.all(np.isnan(result.inner_best_scores))
    summary = result.summary()
    assert "  outer accuracy           0." in summary
    assert "  outer balanced_accuracy  0." in summary
    assert "  inner best_score_        n/a" in summary


def test_a_callable_multimetric_scoring_with_a_callable_refit_needs_scoring():
    # Multimetric only once called: found after the first outer fold, and
    # said as clearly as when the search's scoring is a list.
    X, y = IRIS

    def two_metrics(estimator, X, y):
        accuracy = (estimator.predict(X) == y).mean()
        return {"acc": accuracy, "err": 1 - accuracy}

    search = GridTuneCV(
        SVC(), {"C": [0.1, 1.0]}, cv=3, scoring=two_metrics, refit=lambda r: 0
    )
    with pytest.raises(ValueError, match="'scoring' parameter .* Pass scoring="):
        nested_cross_validate(search, X, y, outer_cv=2)


def test_param_stability_on_a_constructed_case():
    scaler = StandardScaler()
    best = [
        {"kernel": "rbf", "C": 0.1, "shift": -1.0, "k": 0, "bool": True},
        {"kernel": "rbf", "C": 1.0, "shift": 1.0, "k": 1, "bool": True},
        {"kernel": "linear", "C": 10.0, "shift": -1.0, "k": 2, "bool": False},
        {"kernel": "rbf", "C": 1.0, "shift": 1.0, "k": 3, "bool": True},
    ]
    for params in best:
        params["scaler"] = clone(scaler)  # equal reprs, distinct objects
    best[3]["gamma"] = 0.5  # a parameter of one subspace only
    stability = param_stability(best)
    assert list(stability) == ["C", "bool", "gamma", "k", "kernel", "scaler", "shift"]
    assert stability["kernel"] == ParamStability("agreement", 0.75, "rbf")
    assert stability["bool"] == ParamStability("agreement", 0.75, True)
    assert stability["C"] == ParamStability("log10_spread", 2.0, 1.0)
    # Zero is not positive: the coefficient of variation, std / |mean|.
    assert stability["k"].measure == "cv"
    assert_allclose(stability["k"].value, np.std([0, 1, 2, 3]) / 1.5)
    assert stability["shift"] == ParamStability("cv", np.inf, 0.0)
    assert stability["gamma"].measure == "agreement"
    assert stability["gamma"].value == 0.75
    assert repr(stability["gamma"].typical) == "<absent>"
    assert stability["scaler"].value == 1.0
    assert param_stability([{"C": 3.0}, {"C": 3.0}])["C"].value == 0.0
    assert param_stability([{"x": -2}, {"x": -2}])["x"] == ParamStability("cv", 0, -2)


def test_summary_text():
    result = NestedCVResult(
        outer_scores={"score": np.array([0.9, 1.0])},
        best_params=[{"C": 1.0, "kernel": "rbf"}, {"C": 100.0, "kernel": "rbf"}],
        inner_best_scores=np.array([0.95, 0.97]),
        estimators=[None, None],
        param_stability=param_stability(
            [{"C": 1.0, "kernel": "rbf"}, {"C": 100.0, "kernel": "rbf"}]
        ),
        seeds=[None, None],
        fit_time=np.zeros(2),
        score_time=np.zeros(2),
    )
    assert result.summary() == (
        "Nested cross-validation, 2 outer folds\n"
        "  outer score        0.950 ± 0.050   folds: 0.900 1.000\n"
        "  inner best_score_  0.960 ± 0.010\n"
        "Best parameters across the outer folds:\n"
        "  C       log10_spread 2.00 decades (median 50.5)\n"
        "  kernel  agreement 1.00 (mode 'rbf')"
    )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            dict(search=SVC()),
            TypeError,
            r"The 'search' parameter of nested_cross_validate must be a "
            r"hyperparameter search .* Got SVC\(\) instead",
        ),
        (
            dict(search=GridTuneCV(SVC(), {"C": [1]}, refit=False)),
            ValueError,
            "must refit its best candidate.*Got a search with refit=False",
        ),
        (
            dict(search=GridTuneCV(SVC(), {"C": [1]}, checkpoint="search.jsonl")),
            ValueError,
            r"must have checkpoint=None: each outer fold runs its own search .* "
            r"Got checkpoint='search\.jsonl'",
        ),
        (
            dict(n_jobs=0),
            ValueError,
            "The 'n_jobs' parameter of nested_cross_validate must be a nonzero "
            "int or None. Got 0 instead.",
        ),
        (dict(n_jobs="2"), ValueError, "Got '2' instead"),
        (
            dict(random_state=-1),
            ValueError,
            r"The 'random_state' parameter of nested_cross_validate must be an "
            r"int in the range \[0, 4294967295\].*Got -1 instead.",
        ),
        (dict(params=[1]), TypeError, "must be a dict or None. Got list instead."),
        (
            dict(params={"groups": np.zeros(150)}),
            ValueError,
            "remove 'groups' from 'params' and pass groups=",
        ),
        (dict(outer_cv=[]), ValueError, "'outer_cv' parameter .* gave no splits"),
        (
            # search.score cannot tell a callable refit's metric: a KeyError
            # once the first outer fold's whole search had run.
            dict(
                search=GridTuneCV(
                    SVC(),
                    {"C": [1]},
                    cv=2,
                    scoring={"acc": "accuracy", "f1": "f1_macro"},
                    refit=lambda results: 0,
                )
            ),
            ValueError,
            r"'scoring' parameter .* is needed .* refit is a callable.* "
            r"one of the search's metrics \('acc', 'f1'\)",
        ),
        (
            dict(groups=np.zeros(10)),
            ValueError,
            "inconsistent numbers of samples",
        ),
    ],
)
def test_bad_arguments(kwargs, error, match):
    X, y = IRIS
    kwargs = {"search": GridTuneCV(SVC(), {"C": [1]}, cv=2), "outer_cv": 2, **kwargs}
    with pytest.raises(error, match=match):
        nested_cross_validate(X=X, y=y, **kwargs)


def test_docstring_examples():
    assert sklearn_bayestune.nested_cross_validate is _nested.nested_cross_validate
    result = doctest.testmod(
        _nested, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0

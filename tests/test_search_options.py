"""Early termination, budgets, callbacks and Ctrl-C, for all three searchers."""

import os
import re
import signal
import threading
import time
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_bayestune import (
    BayesTuneCV,
    GridTuneCV,
    MedianStoppingPolicy,
    PairedTestPolicy,
    RandomTuneCV,
    Real,
)
from sklearn_bayestune import _run as run_module
from sklearn_bayestune.exceptions import SearchInterruptedWarning

IRIS = load_iris(return_X_y=True)
C_VALUES = [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]


def make_search(kind, estimator=None, **kwargs):
    """One of the three searchers over SVC's C, with shared defaults."""
    estimator = estimator if estimator is not None else SVC()
    kwargs.setdefault("cv", 5)
    if kind == "grid":
        return GridTuneCV(estimator, {"C": C_VALUES}, **kwargs)
    space = {"C": loguniform(1e-4, 1e2)}
    if kind == "random":
        return RandomTuneCV(estimator, space, n_iter=7, random_state=0, **kwargs)
    return BayesTuneCV(estimator, space, n_iter=7, random_state=0, **kwargs)


SEARCHERS = ["grid", "random", "bayes"]


@pytest.mark.parametrize("kind", SEARCHERS)
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_early_stopping_cancels_folds_and_never_picks_a_stopped_candidate(kind, n_jobs):
    X, y = IRIS
    # Racing cancels folds not yet dispatched; pre_dispatch="n_jobs" keeps
    # as few as possible in flight.
    search = make_search(
        kind,
        early_stopping=MedianStoppingPolicy(),
        n_jobs=n_jobs,
        pre_dispatch="n_jobs",
    )
    search.fit(X, y)
    results = search.cv_results_
    stopped = results["stopped_early"]
    assert stopped.dtype == bool
    if n_jobs == 1:
        # With workers, whether folds are still undispatched when the policy
        # decides depends on timing; sequentially it is deterministic.
        assert stopped.any()
    splits = np.array([results[f"split{k}_test_score"] for k in range(5)]).T
    # A stopped candidate keeps its finished folds and has NaN for the rest.
    for row, was_stopped in zip(splits, stopped):
        assert np.isfinite(row).all() != was_stopped
        assert np.isfinite(row[0])
    assert np.isnan(results["mean_test_score"][stopped]).all()
    assert not stopped[search.best_index_]
    assert (results["rank_test_score"][stopped] > (~stopped).sum()).all()


@pytest.mark.parametrize(
    "kind, options, remedy",
    [
        # joblib takes pre_dispatch (4) + n_jobs (2) tasks before the policy
        # sees a score; BayesTuneCV's default step is 1 candidate x 3 folds.
        ("bayes", dict(), "batch_size=3 or more"),
        ("bayes", dict(batch_size=2), "batch_size=3 or more"),
        ("bayes", dict(batch_size=3, pre_dispatch="all"), "a backend that streams"),
        ("bayes", dict(batch_size=2, pre_dispatch=8), "batch_size=4 or more"),
        ("random", dict(n_iter=2), "Lower pre_dispatch or n_jobs"),
        # The policy can act: no warning.
        ("bayes", dict(batch_size=3), None),
        ("bayes", dict(batch_size=2, pre_dispatch="n_jobs"), None),
        ("bayes", dict(n_jobs=1), None),
        # Asynchronous proposals hand tasks out without steps: later
        # candidates' folds are always within reach.
        ("bayes", dict(batch_size="async"), None),
        ("random", dict(n_iter=3), None),
    ],
)
def test_warns_when_early_stopping_can_stop_no_fold(kind, options, remedy):
    X, y = IRIS
    common = dict(cv=3, random_state=0, early_stopping=MedianStoppingPolicy())
    options = {"n_jobs": 2} | common | options
    if kind == "bayes":
        search = BayesTuneCV(
            SVC(), {"C": loguniform(1e-3, 1e2)}, n_iter=5, n_initial_points=3, **options
        )
    else:
        search = RandomTuneCV(SVC(), {"C": loguniform(1e-3, 1e2)}, **options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    messages = [str(w.message) for w in caught if "early_stopping" in str(w.message)]
    if remedy is None:
        assert messages == []
    else:
        assert len(messages) == 1
        assert "can stop no fold" in messages[0] and remedy in messages[0]


@pytest.mark.parametrize("wrapped", [False, True])
@pytest.mark.parametrize(
    "space, options, message",
    [
        ({"C": [1.0, 10.0]}, dict(), "smaller than n_iter"),
        (
            {"C": loguniform(1e-3, 1e2)},
            dict(n_jobs=2, early_stopping=MedianStoppingPolicy()),
            "can stop no fold",
        ),
        (
            {"C": [1.0, 10.0]},
            dict(checkpoint="journal.jsonl", random_state=None),
            "cannot resume|reuses none",
        ),
    ],
)
def test_warnings_point_at_the_users_call(tmp_path, space, options, message, wrapped):
    # A warning from deep in the run loop or the journal names the line that
    # called fit (or cross_validate), not a library line.
    X, y = IRIS
    options = {"random_state": 0, "cv": 3} | options
    if "checkpoint" in options:
        options["checkpoint"] = tmp_path / options["checkpoint"]
    search = BayesTuneCV(SVC(), space, n_iter=3, n_initial_points=2, **options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if wrapped:
            cross_validate(search, X, y, cv=2)
        else:
            search.fit(X, y)
    ours = [w for w in caught if re.search(message, str(w.message))]
    assert ours
    assert {w.filename for w in ours} == {__file__}


def test_warns_when_the_backend_cannot_stream_early_stopping_results():
    X, y = IRIS
    search = GridTuneCV(
        SVC(),
        {"C": [0.01, 0.1, 1.0, 10.0]},
        cv=3,
        n_jobs=2,
        early_stopping=MedianStoppingPolicy(),
    )
    with parallel_config(backend="multiprocessing"):
        with pytest.warns(UserWarning, match="backend that streams results"):
            search.fit(X, y)


def test_early_stopping_keeps_the_grid_winner():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    grid = {"logisticregression__C": np.logspace(-4, 2, 7)}
    full = GridSearchCV(pipe, grid, cv=5).fit(X, y)
    raced = GridTuneCV(pipe, grid, cv=5, early_stopping=PairedTestPolicy())
    raced.fit(X, y)
    assert raced.best_params_ == full.best_params_
    n_fits = np.isfinite(
        [raced.cv_results_[f"split{k}_test_score"] for k in range(5)]
    ).sum()
    assert n_fits < 7 * 5


def test_without_early_stopping_no_extra_column():
    X, y = IRIS
    search = make_search("grid").fit(X, y)
    assert "stopped_early" not in search.cv_results_
    assert not hasattr(search, "stop_reason_")


class SlowSVC(SVC):
    def fit(self, X, y, sample_weight=None):
        time.sleep(0.05)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("kind", SEARCHERS)
def test_max_time_keeps_complete_candidates_and_refits(kind):
    X, y = IRIS
    # 7 candidates x 5 folds x 0.05 s = 1.75 s of fits; the budget allows a few.
    search = make_search(kind, SlowSVC(), max_time=0.6).fit(X, y)
    n = len(search.cv_results_["params"])
    assert 1 <= n < 7
    assert search.stop_reason_ == "max_time"
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert hasattr(search, "best_estimator_")


@pytest.mark.parametrize("kind", SEARCHERS)
def test_callbacks_see_each_candidate_and_can_stop(kind):
    X, y = IRIS
    seen = []

    def stop_after_three(result):
        seen.append(result)
        return result.n_done >= 3

    search = make_search(kind, callbacks=[stop_after_three]).fit(X, y)
    assert [r.n_done for r in seen] == [1, 2, 3]
    assert search.stop_reason_ == "callback"
    assert len(search.cv_results_["params"]) == 3
    last = seen[-1]
    assert last.status == "complete" and len(last.fold_scores) == 5
    assert last.best_score == pytest.approx(search.best_score_)
    assert last.best_params == search.best_params_
    assert clone(make_search(kind, callbacks=[stop_after_three])).callbacks == [
        stop_after_three
    ]
    # Fitted again without the stop, the object forgets the earlier reason.
    search.set_params(callbacks=None).fit(X, y)
    assert len(search.cv_results_["params"]) == 7
    assert not hasattr(search, "stop_reason_")


def test_a_stop_mid_batch_tells_the_optimizer_only_what_ran():
    # The batch's other candidates never ran: they are cancelled, not told
    # to the surrogate as scores (a mean of no folds) or as failures.
    X, y = IRIS
    search = BayesTuneCV(
        SVC(),
        {"C": loguniform(1e-3, 1e2)},
        n_iter=8,
        n_initial_points=4,
        cv=3,
        batch_size=4,
        random_state=0,
        callbacks=[lambda result: result.n_done == 1],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(X, y)
    assert search.stop_reason_ == "callback"
    assert len(search.cv_results_["params"]) == 1
    assert search.optimizer_.n_observed == 1
    assert np.isfinite(search.optimizer_.values).all()


@pytest.mark.parametrize("kind", ["random", "bayes"])
def test_patience(kind):
    X, y = IRIS
    search = make_search(kind, n_iter_no_change=2).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    if search.stop_reason_ == "n_iter_no_change":
        best_at = int(np.argmax(scores))
        assert len(scores) == best_at + 1 + 2


class InterruptingSVC(SVC):
    """Sends SIGINT to its own process on the fit with C == 10."""

    def fit(self, X, y, sample_weight=None):
        if self.C == 10.0:
            os.kill(os.getpid(), signal.SIGINT)
        return super().fit(X, y, sample_weight=sample_weight)


def test_ctrl_c_keeps_what_finished(sigint_raises):
    X, y = IRIS
    search = GridTuneCV(InterruptingSVC(), {"C": C_VALUES}, cv=5)
    with pytest.warns(SearchInterruptedWarning, match="5 candidates"):
        search.fit(X, y)
    assert search.stop_reason_ == "interrupted"
    assert [p["C"] for p in search.cv_results_["params"]] == C_VALUES[:5]
    assert search.predict(X).shape == y.shape


class InterruptedRefitSVC(SVC):
    """Raises KeyboardInterrupt on a fit with all the data (the refit)."""

    def fit(self, X, y, sample_weight=None):
        if len(y) == len(IRIS[1]):
            raise KeyboardInterrupt
        return super().fit(X, y, sample_weight=sample_weight)


def test_ctrl_c_during_the_refit_keeps_the_results_without_best_estimator():
    X, y = IRIS
    search = GridTuneCV(SVC(), {"C": [1.0, 10.0]}, cv=5).fit(X, y)  # a stale refit
    search.set_params(estimator=InterruptedRefitSVC(), param_grid={"C": C_VALUES})
    with pytest.warns(SearchInterruptedWarning, match="refit of the best candidate"):
        search.fit(X, y)
    assert search.stop_reason_ == "interrupted"
    assert len(search.cv_results_["params"]) == len(C_VALUES)
    best = search.cv_results_["params"][search.best_index_]
    assert best == search.best_params_
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError):
        search.predict(X)


class SlowFirstInterruptingSVC(SVC):
    """C = 1e-4 fits slowly; the first fit with C == 10 sends SIGINT.

    Once only: with threads, the other folds of C == 10 would send more, and
    one landing while the interrupted search reports what it kept cuts the
    report short (a second Ctrl-C), which is not what this test is about.
    """

    sent = threading.Event()

    def fit(self, X, y, sample_weight=None):
        time.sleep(1.0 if self.C == 1e-4 else 0.0)
        if self.C == 10.0 and not SlowFirstInterruptingSVC.sent.is_set():
            SlowFirstInterruptingSVC.sent.set()
            os.kill(os.getpid(), signal.SIGINT)
        return super().fit(X, y, sample_weight=sample_weight)


def test_ctrl_c_reports_the_kept_candidates_behind_an_unfinished_one(sigint_raises):
    # Callbacks take candidates in order of proposal; the slow first one,
    # cancelled by Ctrl-C, must not hide those that finished after it.
    X, y = IRIS
    reported = []
    SlowFirstInterruptingSVC.sent.clear()
    search = GridTuneCV(
        SlowFirstInterruptingSVC(),
        {"C": C_VALUES},
        cv=3,
        n_jobs=2,
        callbacks=[lambda result: reported.append(result.params)],
    )
    with parallel_config(backend="threading"):
        with pytest.warns(SearchInterruptedWarning):
            search.fit(X, y)
    kept = search.cv_results_["params"]
    assert {"C": 1e-4} not in kept and len(kept) >= 1
    assert reported == kept


def test_ctrl_c_before_any_candidate_finished_raises(sigint_raises):
    X, y = IRIS
    with pytest.raises(KeyboardInterrupt):
        GridTuneCV(InterruptingSVC(), {"C": [10.0]}, cv=5).fit(X, y)


def test_failed_candidates_with_early_stopping_are_reported():
    class FailingSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            if self.C < 1e-3:
                raise ValueError("tiny C refused")
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = IRIS
    with pytest.warns(FitFailedWarning):
        search = make_search(
            "grid", FailingSVC(), early_stopping=MedianStoppingPolicy()
        ).fit(X, y)
    # A failed fold stops its candidate at once: one failed fit each, not five.
    assert search.cv_results_["stopped_early"][0]
    assert search.best_params_["C"] >= 1e-3


class ScoreIsA(ClassifierMixin, BaseEstimator):
    """Scores its parameter ``a``; a = 0.5 fits slowly on the larger fold."""

    def __init__(self, a=0.5):
        self.a = a

    def fit(self, X, y):
        time.sleep(0.3 if self.a == 0.5 and len(X) > len(IRIS[1]) / 2 else 0.0)
        self.classes_ = np.unique(y)
        return self

    def score(self, X, y):
        return self.a


@pytest.mark.parametrize("kind", ["random", "bayes"])
def test_patience_stops_where_one_worker_would_whatever_finishes_first(kind):
    # The first candidate (a = 0.5) finishes last with two workers; counted in
    # the order candidates finish, patience stopped at another candidate, and
    # callbacks saw candidates the stop then dropped.
    X, y = IRIS
    cv = [(np.arange(100), np.arange(100, 150)), (np.arange(100, 150), np.arange(100))]
    reported = []
    common = dict(
        cv=cv,
        n_iter_no_change=1,
        random_state=0,
        pre_dispatch="n_jobs",
        callbacks=[lambda result: reported[-1].append(result.index)],
    )
    if kind == "random":
        space = [{"a": [0.5]}, {"a": [0.2, 0.7, 0.9]}]
        make = lambda n_jobs: RandomTuneCV(  # noqa: E731
            ScoreIsA(), space, n_iter=4, n_jobs=n_jobs, **common
        )
    else:
        make = lambda n_jobs: BayesTuneCV(  # noqa: E731
            ScoreIsA(),
            {"a": Real(0.0, 1.0)},
            n_iter=8,
            n_initial_points=4,
            batch_size=4,
            n_jobs=n_jobs,
            **common,
        )
    results = []
    for n_jobs in (1, 2):
        reported.append([])
        with parallel_config(backend="threading"):
            search = make(n_jobs).fit(X, y)
        results.append((search.cv_results_["params"], search.best_params_))
        assert reported[-1] == list(range(len(search.cv_results_["params"])))
    assert results[0] == results[1]
    assert search.stop_reason_ == "n_iter_no_change"


def test_failed_first_fold_under_multimetric_callable_scoring_with_early_stopping():
    # The failed fold's scores are a bare float where the others are dicts;
    # its candidate's cancelled folds must take the dict form.
    class FailsOnFirstFold(SVC):
        def fit(self, X, y, sample_weight=None):
            if self.C == 1e-2 and len(y) and 0 not in X[:, 0]:
                raise ValueError("refused")
            return super().fit(X[:, 1:], y, sample_weight=sample_weight)

        def predict(self, X):
            return super().predict(X[:, 1:])

    def two_metrics(estimator, X, y):
        accuracy = float(np.mean(estimator.predict(X) == y))
        return {"accuracy": accuracy, "error": 1 - accuracy}

    X, y = IRIS
    X = np.column_stack([np.arange(len(y)), X])
    with pytest.warns(FitFailedWarning):
        search = GridTuneCV(
            FailsOnFirstFold(),
            {"C": [1.0, 1e-2, 10.0]},
            cv=3,
            scoring=two_metrics,
            refit="accuracy",
            early_stopping=MedianStoppingPolicy(),
        ).fit(X, y)
    results = search.cv_results_
    assert results["stopped_early"][1]
    assert np.isnan(results["mean_test_accuracy"][1])
    assert np.isnan(results["mean_test_error"][1])
    assert search.best_params_["C"] != 1e-2


class ClockedSVC(SVC):
    """An SVC whose every fit moves the search's clock on by 10 seconds."""

    n_fits = 0

    def fit(self, X, y, sample_weight=None):
        type(self).n_fits += 1
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("stop", ["n_iter_no_change", "callback", "max_time"])
def test_a_stopped_candidate_is_never_the_best_even_after_a_stop(stop, monkeypatch):
    # Racing finishes hopeless candidates first (after one or two folds); a
    # stop then must not leave a stopped candidate to be selected.
    X, y = IRIS
    options = {
        "n_iter_no_change": dict(n_iter_no_change=1),
        "callback": dict(callbacks=[lambda result: result.status == "stopped"]),
        # The first pass over the 30 candidates' folds and part of the
        # second, where the policy stops some; the first complete candidate
        # comes at fit 62.
        "max_time": dict(max_time=10 * 40 + 5),
    }[stop]
    if stop == "max_time":
        ClockedSVC.n_fits = 0
        start = time.monotonic()
        clock = type("Clock", (), {"monotonic": lambda: start + 10 * ClockedSVC.n_fits})
        monkeypatch.setattr(run_module, "time", clock)
    search = RandomTuneCV(
        ClockedSVC(),
        {"C": loguniform(1e-3, 1e3), "gamma": loguniform(1e-4, 1e1)},
        n_iter=30,
        cv=5,
        random_state=0,
        early_stopping=MedianStoppingPolicy(),
        **options,
    )
    if stop == "n_iter_no_change":
        # Patience counts from the first candidate evaluated on every fold.
        search.fit(X, y)
        assert search.stop_reason_ == stop
        assert not search.cv_results_["stopped_early"][search.best_index_]
        assert np.isfinite(search.best_score_)
    else:
        with pytest.raises(ValueError, match="before any candidate of RandomTuneCV"):
            search.fit(X, y)
        if stop == "max_time":  # the stop came after some candidates were stopped
            assert 40 <= ClockedSVC.n_fits < 62


@pytest.mark.parametrize("kind", SEARCHERS)
def test_every_fit_failing_with_early_stopping_says_so(kind):
    # Folds the policy cancelled neither failed nor count in the total.
    class AlwaysFailingSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            raise ValueError("refused")

    X, y = IRIS
    search = make_search(
        kind, AlwaysFailingSVC(), early_stopping=MedianStoppingPolicy()
    )
    with pytest.raises(ValueError, match=r"All the 7 fits failed"):
        search.fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_time": 0}, "'max_time' parameter"),
        ({"early_stopping": "median"}, "'early_stopping' parameter"),
        ({"progress": "yes"}, "'progress' parameter"),
        ({"callbacks": print}, "'callbacks' parameter"),
    ],
)
def test_option_validation(params, match):
    X, y = IRIS
    with pytest.raises((ValueError, TypeError), match=match):
        GridTuneCV(SVC(), {"C": [1.0]}, **params).fit(X, y)


def test_dimension_in_bayes_with_options():
    # The options combine: racing, a budget and a callback in one search.
    X, y = IRIS
    calls = []
    search = BayesTuneCV(
        SVC(),
        {"C": Real(1e-3, 1e3, prior="log-uniform")},
        n_iter=8,
        cv=5,
        random_state=0,
        early_stopping=MedianStoppingPolicy(),
        max_time=60,
        callbacks=[calls.append],
    ).fit(X, y)
    assert len(calls) == len(search.cv_results_["params"]) == 8
    assert search.optimizer_.n_observed == 8


def test_max_time_before_any_candidate_finished_names_max_time():
    X, y = IRIS
    search = GridTuneCV(SlowSVC(), {"C": C_VALUES}, cv=5, max_time=0.01)
    with pytest.raises(ValueError, match=r"max_time=0\.01 seconds ran out"):
        search.fit(X, y)


@pytest.mark.parametrize(
    "policy, cv",
    [(PairedTestPolicy(), 2), (MedianStoppingPolicy(delay_evaluation=3), 3)],
)
def test_warns_when_the_policy_judges_only_after_the_last_fold(policy, cv):
    X, y = IRIS
    search = GridTuneCV(SVC(), {"C": C_VALUES}, cv=cv, early_stopping=policy)
    with pytest.warns(UserWarning, match=f"after {cv} or more of its {cv} folds"):
        search.fit(X, y)
    assert not search.cv_results_["stopped_early"].any()


class FloorPolicy:
    """A policy by duck typing: only should_stop."""

    def should_stop(self, scores, finished, candidate):
        done = scores[candidate, finished[candidate]]
        return 0 < len(done) < scores.shape[1] and done.mean() < 0.5


def test_early_stopping_takes_any_should_stop_object_but_not_a_class():
    X, y = IRIS
    search = GridTuneCV(SVC(), {"C": C_VALUES}, cv=3, early_stopping=FloorPolicy())
    stopped = search.fit(X, y).cv_results_["stopped_early"]
    assert stopped[0] and not stopped[-1]
    search.set_params(early_stopping=MedianStoppingPolicy)
    with pytest.raises(
        TypeError, match=r"class MedianStoppingPolicy\. Call it: early_stopping=Median"
    ):
        search.fit(X, y)


def failing_svc(n_train, unless_C=None):
    """An SVC that fails to fit on a training set of ``n_train`` samples."""

    class FailingSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            if len(X) == n_train and self.C != unless_C:
                raise ValueError("this fold fails")
            return super().fit(X, y, sample_weight=sample_weight)

    return FailingSVC


def test_every_candidate_stopped_by_a_failing_fold_raises():
    # A candidate with a failed fold is stopped at once; when the fold fails
    # for all, a stopped candidate was the best and was refitted.
    X, y = IRIS
    i = np.arange(150)
    cv = [(i[50:], i[:50]), (np.r_[i[:50], i[111:]], i[50:111]), (i[:100], i[100:])]
    search = GridTuneCV(
        failing_svc(n_train=89)(),
        {"C": [0.01, 1.0, 10.0]},
        cv=cv,
        early_stopping=MedianStoppingPolicy(),
    )
    with pytest.warns(FitFailedWarning):
        with pytest.raises(ValueError, match="stopped every candidate"):
            search.fit(X, y)


def test_stopped_candidates_raise_no_train_score_warning():
    X, y = IRIS
    search = GridTuneCV(
        SVC(),
        {"C": C_VALUES},
        cv=3,
        return_train_score=True,
        early_stopping=MedianStoppingPolicy(),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(X, y)
    stopped = search.cv_results_["stopped_early"]
    assert stopped.any()
    assert np.isnan(search.cv_results_["mean_train_score"][stopped]).all()


def test_ctrl_c_again_from_a_callback_keeps_the_results():
    # The interrupted search reports the candidates kept behind; a callback
    # raising KeyboardInterrupt again must not lose them.
    X, y = make_classification(n_samples=200, random_state=0)

    def ctrl_c(result):
        if result.best_params is not None:
            raise KeyboardInterrupt

    # Fold by fold: the candidates stopped behind the first are reported
    # after the interruption, and the callback raises again.
    search = GridTuneCV(
        SVC(),
        {"C": [1.0, 1e-3, 1e-2, 10.0]},
        cv=3,
        callbacks=[ctrl_c],
        early_stopping=MedianStoppingPolicy(),
    )
    with pytest.warns(SearchInterruptedWarning):
        search.fit(X, y)
    assert search.stop_reason_ == "interrupted"
    assert len(search.cv_results_["params"]) >= 1


@pytest.mark.parametrize("kind", SEARCHERS)
def test_a_stop_at_the_last_candidate_is_no_early_stop(kind):
    X, y = IRIS
    search = make_search(kind, cv=3, callbacks=[lambda result: result.index == 6])
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 7
    assert not hasattr(search, "stop_reason_")
    search.set_params(callbacks=[lambda result: result.index == 5]).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert search.stop_reason_ == "callback"


def test_a_stopped_candidate_ranks_after_a_complete_one_with_a_nan_mean():
    # scikit-learn ties every NaN mean and picks the first: a stopped one.
    X, y = IRIS
    p = np.random.RandomState(0).permutation(150)
    cv = [(p[50:], p[:50]), (np.r_[p[:50], p[110:]], p[50:110]), (p[:110], p[110:])]
    search = GridTuneCV(
        failing_svc(n_train=110)(),
        {"C": [0.001, 0.01, 1.0, 10.0]},
        cv=cv,
        early_stopping=MedianStoppingPolicy(),
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    results = search.cv_results_
    stopped = results["stopped_early"]
    assert stopped.any() and not stopped.all()
    assert np.isnan(results["mean_test_score"]).all()
    assert (results["rank_test_score"][~stopped] == 1).all()
    assert (results["rank_test_score"][stopped] == (~stopped).sum() + 1).all()
    assert not stopped[search.best_index_]


class TwoRoundsTuneCV(GridTuneCV):
    """A custom search that reads the first round's results."""

    def _run_search(self, evaluate_candidates):
        results = evaluate_candidates([{"C": c} for c in C_VALUES])
        best = results["params"][int(np.nanargmax(results["mean_test_score"]))]["C"]
        evaluate_candidates([{"C": best * 2}, {"C": best / 2}])


def test_results_returned_to_a_custom_search_rank_stopped_candidates_quietly():
    X, y = IRIS
    search = TwoRoundsTuneCV(
        SVC(), {"C": [1.0]}, cv=3, early_stopping=MedianStoppingPolicy()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == len(C_VALUES) + 2
    assert search.cv_results_["stopped_early"].any()


def _two_metrics(estimator, X, y):
    accuracy = float((estimator.predict(X) == y).mean())
    return {"acc": accuracy, "err": 1.0 - accuracy}


class ReadsFirstResults(GridTuneCV):
    """A custom search that reads the results of its first call."""

    def _run_search(self, evaluate_candidates):
        self.first_acc_ = evaluate_candidates([{"C": 0.1}, {"C": 10.0}])[
            "mean_test_acc"
        ]
        evaluate_candidates([{"C": 1.0}])


def test_results_returned_to_a_custom_search_take_a_failed_first_fold():
    # A callable multimetric scoring and a failed first fold: the fold's bare
    # error score had to become a dict, as in the final results.
    X, y = IRIS[0][:148], IRIS[1][:148]
    search = ReadsFirstResults(
        failing_svc(n_train=98, unless_C=1.0)(),
        {"C": [1.0]},
        scoring=_two_metrics,
        refit="acc",
        cv=KFold(3, shuffle=True, random_state=0),
    )
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert np.isnan(search.first_acc_).all()
    assert search.best_params_ == {"C": 1.0}


def test_a_callable_refit_that_picks_a_stopped_candidate_is_warned():
    X, y = IRIS
    search = GridTuneCV(
        SVC(),
        {"C": C_VALUES},
        cv=3,
        early_stopping=MedianStoppingPolicy(),
        refit=lambda results: int(np.argmax(results["mean_test_score"])),
    )
    with pytest.warns(UserWarning, match="chose candidate 0, which early_stopping"):
        search.fit(X, y)
    assert search.cv_results_["stopped_early"][0]

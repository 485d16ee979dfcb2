"""Faulty estimators and scorers: every searcher finishes, reports, picks a real best.

One configurable estimator, :class:`Faulty`, fails in the ways estimators do:
a seeded fraction of its fits raise, a whole region of the space raises, its
``predict`` raises, it warns on every fit, it is slow on some candidates, or
it kills the worker process it runs in. Scorers return NaN, -inf or +inf, or
raise. For each, every searcher (Grid, Random, Bayes; ``n_jobs=1`` and, where
the backend matters, ``n_jobs=2``) must finish, report what failed
(``FitFailedWarning`` counts, NaN in ``cv_results_``) and select a best
candidate with finite scores on every fold. When every fit fails, the search
raises one ValueError after the last fit, as ``GridSearchCV`` does.

Everything the workers run is defined at module level, so loky can pickle it;
fits are counted through a log file, which works across processes.
"""

import json
import math
import os
import re
import signal
import sys
import time
import warnings
import zlib

import numpy as np
import pytest
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import RidgeClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV

from sklearn_bayestune import BayesTuneCV, GridTuneCV, RandomTuneCV, Real

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X, Y = X_IRIS[::2], Y_IRIS[::2]  # 75 samples, 25 per class
X_ALL = X
C_GRID = [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1000.0]
N_CANDIDATES = len(C_GRID)
CV = 3
SEARCHERS = ["grid", "random", "bayes"]


class FaultWarning(UserWarning):
    """What Faulty warns on every fit when asked to."""


class Faulty(ClassifierMixin, BaseEstimator):
    """A ridge classifier (alpha = 1 / C) that fails in deterministic ways.

    Parameters
    ----------
    C : float
        The searched parameter.
    fail_rate : float
        Fraction of cross-validation fits that raise, drawn from a generator
        seeded by ``seed``, ``C`` and the training data, so the same fit fails
        in every process and every run. The refit on all the data never
        fails at random: a failed refit ends any search (GridSearchCV's too).
    fail_above : float or None
        Every fit with ``C > fail_above`` raises.
    predict_fails_above : float or None
        ``predict`` raises when ``C > predict_fails_above``.
    warn : bool
        Emit a :class:`FaultWarning` on every fit.
    slow_below, sleep : float or None, float
        Fits with ``C < slow_below`` sleep ``sleep`` seconds first.
    die_at, die_flag : float or None, str or None
        A fit with ``C == die_at`` kills its own process with SIGKILL while the
        file ``die_flag`` exists (never use with ``n_jobs=1``).
    log : str or None
        Append ``C`` to this file at the start of every fit.
    """

    def __init__(
        self,
        C=1.0,
        *,
        fail_rate=0.0,
        fail_above=None,
        predict_fails_above=None,
        warn=False,
        slow_below=None,
        sleep=0.0,
        die_at=None,
        die_flag=None,
        log=None,
        seed=0,
    ):
        self.C = C
        self.fail_rate = fail_rate
        self.fail_above = fail_above
        self.predict_fails_above = predict_fails_above
        self.warn = warn
        self.slow_below = slow_below
        self.sleep = sleep
        self.die_at = die_at
        self.die_flag = die_flag
        self.log = log
        self.seed = seed

    def fit(self, X, y):
        if self.log is not None:
            with open(self.log, "a") as log:
                log.write(f"{self.C!r}\n")
        if (
            self.die_at is not None
            and self.C == self.die_at
            and os.path.exists(self.die_flag)
        ):
            os.kill(os.getpid(), signal.SIGKILL)
        if self.slow_below is not None and self.C < self.slow_below:
            time.sleep(self.sleep)
        if self.warn:
            warnings.warn(f"fit with C={self.C}", FaultWarning, stacklevel=2)
        if self.fail_above is not None and self.C > self.fail_above:
            raise ValueError(f"C={self.C} is in the failing region")
        if self.fail_rate and len(X) < len(X_ALL) and self._draw(X) < self.fail_rate:
            raise RuntimeError(f"random failure of a fit with C={self.C}")
        self.model_ = RidgeClassifier(alpha=1.0 / self.C).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def _draw(self, X):
        data = zlib.crc32(np.ascontiguousarray(X).tobytes())
        return np.random.default_rng([self.seed, data, int(self.C * 1e6)]).random()

    def predict(self, X):
        if self.predict_fails_above is not None and self.C > self.predict_fails_above:
            raise RuntimeError(f"predict failed with C={self.C}")
        return self.model_.predict(X)


class RegionScorer:
    """Accuracy, except ``value`` (or an exception) when ``C > above``."""

    def __init__(self, value=math.nan, above=10.0, raises=False):
        self.value, self.above, self.raises = value, above, raises

    def __call__(self, estimator, X, y):
        if estimator.C > self.above:
            if self.raises:
                raise RuntimeError(f"scoring failed with C={estimator.C}")
            return self.value
        return accuracy_score(y, estimator.predict(X))


def score_of_C(estimator, X, y):
    """A score that depends on C only: -|log10(C) - 0.5|, best near C = 3.2."""
    return -abs(math.log10(estimator.C) - 0.5)


def make_search(kind, estimator, **kwargs):
    kwargs.setdefault("cv", CV)
    if kind == "grid":
        return GridTuneCV(estimator, {"C": C_GRID}, **kwargs)
    space = {"C": Real(1e-3, 1e3, prior="log-uniform")}
    cls = RandomTuneCV if kind == "random" else BayesTuneCV
    return cls(estimator, space, n_iter=N_CANDIDATES, random_state=0, **kwargs)


def split_scores(search):
    """(n_candidates, n_splits) test scores of the single metric."""
    results = search.cv_results_
    return np.array(
        [results[f"split{k}_test_score"] for k in range(search.n_splits_)]
    ).T


def assert_real_best(search):
    """The best candidate has finite scores on every fold and ranks first."""
    results = search.cv_results_
    best = search.best_index_
    assert np.isfinite(search.best_score_)
    assert np.isfinite(split_scores(search)[best]).all()
    means = results["mean_test_score"]
    assert search.best_score_ == np.max(means[np.isfinite(means)])
    assert results["rank_test_score"][best] == 1
    assert search.best_estimator_.predict(X).shape == Y.shape


def fit_recording(search, X=X, y=Y):
    """Fit, returning the warnings raised during fit (all recorded)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    return caught


def messages(caught, category):
    return [str(w.message) for w in caught if issubclass(w.category, category)]


def failure_count(caught):
    """Fits failed and fits in total, read from the one FitFailedWarning."""
    (message,) = messages(caught, FitFailedWarning)
    match = re.search(r"(\d+) fits failed out of a total of (\d+)", message)
    return int(match.group(1)), int(match.group(2))


def log_lines(path):
    return path.read_text().splitlines() if path.exists() else []


# --------------------------------------------------------------------------
# Fits that raise
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SEARCHERS)
def test_a_seeded_fraction_of_fits_fails(kind):
    search = make_search(kind, Faulty(fail_rate=0.25, seed=3))
    caught = fit_recording(search)
    n_failed, n_total = failure_count(caught)
    splits = split_scores(search)
    # The warning counts exactly the folds that hold NaN, and not every fit.
    assert n_total == N_CANDIDATES * CV
    assert n_failed == np.isnan(splits).sum()
    assert 0 < n_failed < n_total
    # A candidate with a failed fold has a NaN mean and ranks after the rest.
    failed = np.isnan(splits).any(axis=1)
    assert np.isnan(search.cv_results_["mean_test_score"][failed]).all()
    assert (search.cv_results_["rank_test_score"][failed] > (~failed).sum()).all()
    assert_real_best(search)
    if kind == "bayes":
        # Failures reach the surrogate as failures, never as scores.
        assert np.isnan(search.optimizer_.values[failed]).all()


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("kind", SEARCHERS)
def test_a_failing_region(kind, n_jobs):
    search = make_search(kind, Faulty(fail_above=10.0), n_jobs=n_jobs)
    caught = fit_recording(search)
    C = np.array([p["C"] for p in search.cv_results_["params"]], dtype=float)
    failed = np.isnan(split_scores(search)).all(axis=1)
    # Exactly the candidates in the region failed, on every fold.
    assert failed.any()
    np.testing.assert_array_equal(failed, C > 10.0)
    n_failed, n_total = failure_count(caught)
    assert (n_failed, n_total) == (failed.sum() * CV, len(C) * CV)
    assert any(
        "C=" in m and "failing region" in m for m in messages(caught, FitFailedWarning)
    )
    assert_real_best(search)
    assert search.best_params_["C"] <= 10.0


@pytest.mark.parametrize("n_jobs", [1, 2])
@pytest.mark.parametrize("kind", SEARCHERS)
def test_every_fit_fails_raises_once_after_the_last_fit(tmp_path, kind, n_jobs):
    log = tmp_path / "fits.log"
    search = make_search(kind, Faulty(fail_above=0.0, log=str(log)), n_jobs=n_jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(
            ValueError, match=rf"All the {N_CANDIDATES * CV} fits failed\."
        ) as info:
            search.fit(X, Y)
    # Every planned fit ran before the one error; no refit was attempted.
    assert len(log_lines(log)) == N_CANDIDATES * CV
    assert "in the failing region" in str(info.value)
    assert not messages(caught, FitFailedWarning)
    assert not hasattr(search, "cv_results_")


@pytest.mark.parametrize("kind", SEARCHERS)
def test_error_score_raise_stops_at_the_first_failure(tmp_path, kind):
    log = tmp_path / "fits.log"
    search = make_search(
        kind, Faulty(fail_above=10.0, log=str(log)), error_score="raise"
    )
    if kind == "grid":
        search.set_params(param_grid={"C": [1.0, 100.0, 0.1]})
    else:
        search.set_params(param_distributions={"C": [1.0, 100.0, 0.1]}, n_iter=3)
    with pytest.raises(ValueError, match=r"C=100\.0 is in the failing region"):
        search.fit(X, Y)
    assert "100.0" in log_lines(log)
    assert len(log_lines(log)) < 3 * CV


# --------------------------------------------------------------------------
# Scores that are not numbers, and prediction or scoring that raises
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, -math.inf], ids=["nan", "-inf"])
@pytest.mark.parametrize("kind", SEARCHERS)
def test_scorer_returns_nan_or_minus_inf_in_a_region(kind, value):
    search = make_search(kind, Faulty(), scoring=RegionScorer(value=value))
    caught = fit_recording(search)
    C = np.array([p["C"] for p in search.cv_results_["params"]], dtype=float)
    means = search.cv_results_["mean_test_score"]
    assert (C > 10.0).any()
    np.testing.assert_array_equal(~np.isfinite(means), C > 10.0)
    # The fits succeeded: no fit failure is reported, the scores are flagged.
    assert not messages(caught, FitFailedWarning)
    assert any("test scores are non-finite" in m for m in messages(caught, UserWarning))
    assert_real_best(search)
    if kind == "bayes":
        assert np.isnan(search.optimizer_.values[C > 10.0]).all()


def test_scorer_returns_plus_inf_as_in_scikit_learn():
    # +inf is a score, not a failure, for GridSearchCV: it ranks first. The
    # drop-in keeps that contract (and its warning); BayesTuneCV's surrogate
    # alone treats any non-finite score as a failure.
    scoring = RegionScorer(value=math.inf)
    ours = GridTuneCV(Faulty(), {"C": C_GRID}, cv=CV, scoring=scoring)
    theirs = GridSearchCV(Faulty(), {"C": C_GRID}, cv=CV, scoring=scoring)
    with pytest.warns(UserWarning, match=r"test scores are non-finite"):
        ours.fit(X, Y)
    with pytest.warns(UserWarning, match=r"test scores are non-finite"):
        theirs.fit(X, Y)
    assert ours.best_index_ == theirs.best_index_
    np.testing.assert_array_equal(
        ours.cv_results_["rank_test_score"], theirs.cv_results_["rank_test_score"]
    )


@pytest.mark.parametrize(
    "fault",
    ["predict", "scorer"],
)
@pytest.mark.parametrize("kind", SEARCHERS)
def test_predict_or_scorer_raises_in_a_region(kind, fault):
    if fault == "predict":
        search = make_search(kind, Faulty(predict_fails_above=10.0))
    else:
        search = make_search(kind, Faulty(), scoring=RegionScorer(raises=True))
    caught = fit_recording(search)
    C = np.array([p["C"] for p in search.cv_results_["params"]], dtype=float)
    scores = split_scores(search)
    np.testing.assert_array_equal(np.isnan(scores).all(axis=1), C > 10.0)
    # A scoring failure is reported per fold ("Scoring failed"), not as a
    # fit failure.
    scoring_failed = [m for m in messages(caught, UserWarning) if "Scoring failed" in m]
    assert len(scoring_failed) == np.isnan(scores).sum() > 0
    assert not messages(caught, FitFailedWarning)
    assert_real_best(search)


# --------------------------------------------------------------------------
# Warnings, slowness
# --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", SEARCHERS)
def test_a_warning_on_every_fit_reaches_the_user_and_fails_nothing(kind):
    search = make_search(kind, Faulty(warn=True))
    caught = fit_recording(search)
    # One per cross-validation fit plus the refit: none is swallowed.
    assert len(messages(caught, FaultWarning)) == N_CANDIDATES * CV + 1
    assert not messages(caught, FitFailedWarning)
    assert np.isfinite(split_scores(search)).all()
    assert_real_best(search)


@pytest.mark.parametrize("kind", SEARCHERS)
def test_warnings_as_errors_become_fit_failures(kind):
    # Under -W error::FaultWarning a warning raises in fit: a fit failure
    # like any other, reported and never selected.
    search = make_search(kind, Faulty(warn=True))
    with warnings.catch_warnings():
        # simplefilter inserts at the front: the later, narrower filter wins.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", FaultWarning)
        with pytest.raises(ValueError, match=r"All the 21 fits failed"):
            search.fit(X, Y)


@pytest.mark.parametrize("kind", SEARCHERS)
def test_slow_candidates_with_workers_keep_results_aligned(kind, tmp_path):
    # Two workers, and candidates with C < 0.01 take 0.5 s per fold: folds
    # finish out of order. Each row of cv_results_ must still hold the scores
    # of its own parameters (score_of_C depends on C only).
    order = []
    journal = tmp_path / "search.jsonl"
    search = make_search(
        kind,
        Faulty(slow_below=0.01, sleep=0.5),
        scoring=score_of_C,
        n_jobs=2,
        callbacks=[lambda result: order.append(result.index)],
        checkpoint=journal,
    )
    search.fit(X, Y)
    results = search.cv_results_
    expected = [score_of_C(Faulty(C=p["C"]), None, None) for p in results["params"]]
    np.testing.assert_allclose(results["mean_test_score"], expected)
    for k in range(CV):
        np.testing.assert_allclose(results[f"split{k}_test_score"], expected)
    # Callbacks see the candidates in order of proposal, whatever finished first.
    assert order == list(range(len(expected)))
    assert search.best_params_ == results["params"][int(np.argmax(expected))]
    if kind == "grid":
        # The slow first candidate finished after faster later ones: the
        # journal holds the folds in the order they finished.
        lines = [json.loads(line) for line in journal.read_text().splitlines()]
        finished = [line["candidate"] for line in lines if "split" in line]
        assert finished != sorted(finished)


# --------------------------------------------------------------------------
# A worker killed mid-fit
# --------------------------------------------------------------------------


NEEDS_SIGKILL = pytest.mark.skipif(
    sys.platform == "win32", reason="a worker is killed with SIGKILL (POSIX)"
)


def dying_search(tmp_path, checkpoint="search.jsonl"):
    estimator = Faulty(
        die_at=100.0,
        die_flag=str(tmp_path / "die"),
        log=str(tmp_path / "fits.log"),
    )
    return GridTuneCV(
        estimator,
        {"C": C_GRID},
        cv=CV,
        n_jobs=2,
        refit=False,
        checkpoint=None if checkpoint is None else str(tmp_path / checkpoint),
    )


@NEEDS_SIGKILL
def test_killed_worker_is_reported_and_the_checkpoint_resumes(
    tmp_path, count_journaled_fits
):
    (tmp_path / "die").touch()
    with pytest.raises(
        TerminatedWorkerError,
        match=r"(?s)A worker process managed by the executor was unexpectedly "
        r"terminated.*SIGKILL",
    ):
        dying_search(tmp_path).fit(X, Y)
    checkpoint = tmp_path / "search.jsonl"
    journaled = count_journaled_fits(checkpoint)
    total = N_CANDIDATES * CV
    assert 1 <= journaled < total

    # The estimator no longer dies (same parameters, so the same search):
    # the journaled fits are replayed, only the others are fitted.
    (tmp_path / "die").unlink()
    (tmp_path / "fits.log").unlink()
    resumed = dying_search(tmp_path).fit(X, Y)
    assert len(log_lines(tmp_path / "fits.log")) == total - journaled
    assert count_journaled_fits(checkpoint) == total
    assert len(log_lines(checkpoint)) == 1 + N_CANDIDATES + total
    reference = GridTuneCV(Faulty(), {"C": C_GRID}, cv=CV, refit=False).fit(X, Y)
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"],
        reference.cv_results_["mean_test_score"],
    )


@NEEDS_SIGKILL
def test_killed_worker_message_says_how_to_resume(tmp_path):
    (tmp_path / "die").touch()
    with pytest.raises(
        TerminatedWorkerError,
        match=r"(?s)GridTuneCV: a worker died during a fit.*fit again with the "
        r"same arguments to resume",
    ):
        dying_search(tmp_path).fit(X, Y)

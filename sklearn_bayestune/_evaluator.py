"""The one cross-validation evaluator behind every searcher.

Every fit the package makes for a candidate runs here: a task is one
(candidate, split) pair, run by scikit-learn's own ``_fit_and_score`` (so
``error_score``, timings, ``verbose`` messages, pairwise estimators and score
parameters behave exactly as in ``GridSearchCV``), through joblib, so any
joblib backend (loky, threads, Dask, Ray) runs them.

Results are handed back one by one as they finish, not at the end of a batch,
which is what the searchers build on: a Bayesian searcher can propose while
others run, a stopping policy can drop the remaining folds of a hopeless
candidate, and a journal can record each finished fit at once. Tasks are read
lazily from an iterable, so joblib asks for the next task only when it has a
free slot (``pre_dispatch``).

The splits are computed once per ``fit`` by the caller and shared by every
task, so every candidate is scored on the same folds (scikit-learn issue
15149: a shuffling splitter gives each ``split()`` call new folds).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from joblib import effective_n_jobs
from joblib.parallel import get_active_backend
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from ._compat import fit_and_score


@dataclass(frozen=True)
class FoldTask:
    """One fit-and-score to run.

    ``candidate`` indexes the search's list of candidates, ``split`` the list of
    splits. ``progress`` is the ``(index, total)`` pair scikit-learn prints in
    verbose messages for the candidate, and ``callback_ctx`` the scikit-learn
    callback context of this task (None without callbacks). ``replay`` is the
    output of an earlier run of this task (from a checkpoint): the task then
    returns it instead of fitting.
    """

    candidate: int
    split: int
    params: dict
    progress: tuple[int, int]
    callback_ctx: Any = None
    replay: dict | None = None


@dataclass(frozen=True)
class FoldResult:
    """What one task produced: the dict returned by ``_fit_and_score``.

    ``replayed`` marks an output read back from a checkpoint, not fitted.
    """

    candidate: int
    split: int
    out: dict
    replayed: bool = False


_OUT_KEYS = frozenset(
    {"test_scores", "train_scores", "n_test_samples", "fit_time", "score_time"}
    | {"fit_error"}
)


def _is_score(value) -> bool:
    # JSON gives back int, float or bool (a scorer may return a bool).
    return isinstance(value, (int, float))


def fold_output_check(*, train_scores: bool, metrics=None):
    """A check that ``out`` is what ``_fit_and_score`` returns for one fold here.

    For folds read back from a checkpoint, which an edit may have broken.

    Parameters
    ----------
    train_scores : bool
        Whether the search returns train scores.
    metrics : collection of str, default=None
        The metric names of a multimetric scoring; empty for one metric;
        None when a callable scoring decides (one score or a dict of them).
    """

    def scores(value):
        if isinstance(value, dict):
            return (metrics is None or set(value) == set(metrics)) and all(
                isinstance(k, str) and _is_score(v) for k, v in value.items()
            )
        return (metrics is None or not metrics) and _is_score(value)

    def check(out) -> bool:
        return (
            isinstance(out, dict)
            and set(out) <= _OUT_KEYS
            and scores(out.get("test_scores"))
            and ("train_scores" in out) == train_scores
            and (not train_scores or scores(out["train_scores"]))
            and type(out.get("n_test_samples")) is int
            and _is_score(out.get("fit_time"))
            and _is_score(out.get("score_time"))
            and "fit_error" in out
            and (out["fit_error"] is None or isinstance(out["fit_error"], str))
        )

    return check


def _replay_task(task):
    return FoldResult(task.candidate, task.split, task.replay, replayed=True)


def _return_as() -> str:
    """Results as they finish where the active joblib backend can stream them.

    joblib's multiprocessing backend (and Ray's, a subclass of it) cannot
    return a generator; there results come back when each call ends, so
    stopping policies, callbacks and the journal act per call, not per fold.
    """
    backend, _ = get_active_backend()
    return "generator_unordered" if backend.supports_return_generator else "list"


def _dispatched_ahead(pre_dispatch, n_jobs):
    """``pre_dispatch`` as a number of tasks: an int, "all", or "[k*]n_jobs"."""
    if isinstance(pre_dispatch, Integral):
        return int(pre_dispatch)
    if pre_dispatch == "all":
        return math.inf
    match = re.fullmatch(r"\s*(?:(\d+)\s*\*\s*)?n_jobs\s*", str(pre_dispatch))
    return None if match is None else int(match.group(1) or 1) * n_jobs


def _run_task(task, estimator, X, y, train, test, n_splits, caller, kwargs):
    out = fit_and_score(
        clone(estimator),
        X,
        y,
        train=train,
        test=test,
        parameters=task.params,
        split_progress=(task.split, n_splits),
        candidate_progress=task.progress,
        caller=caller,
        callback_ctx=task.callback_ctx,
        **kwargs,
    )
    return FoldResult(task.candidate, task.split, out)


class CrossValidationEvaluator:
    """Run (candidate, split) fit-and-score tasks in parallel with joblib.

    Use it as a context manager around all the evaluations of one ``fit``, so
    the worker pool is started once.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator; every task fits a clone.
    X, y : indexable
        The data, as given to the search's ``fit``.
    splits : list of (train, test) index arrays
        The cross-validation splits, computed once.
    scorer : callable or _MultimetricScorer
        As built by ``BaseSearchCV._get_scorers``.
    fit_params, score_params : dict
        Routed metadata for the estimator's ``fit`` and for the scorer.
    return_train_score : bool
    error_score : "raise" or float
    verbose : int
    n_jobs, pre_dispatch
        As for :class:`joblib.Parallel`. The active ``joblib.parallel_config``
        backend is honoured.
    caller : estimator instance
        The search, passed to scikit-learn callback hooks.
    """

    def __init__(
        self,
        estimator,
        X,
        y,
        splits,
        *,
        scorer,
        fit_params,
        score_params,
        return_train_score,
        error_score,
        verbose,
        n_jobs,
        pre_dispatch,
        caller,
    ):
        self.estimator = estimator
        self.n_jobs = n_jobs
        self.pre_dispatch = pre_dispatch
        self.X = X
        self.y = y
        self.splits = splits
        self.caller = caller
        self._fit_and_score_kwargs = dict(
            scorer=scorer,
            fit_params=fit_params,
            score_params=score_params,
            return_train_score=return_train_score,
            return_n_test_samples=True,
            return_times=True,
            return_parameters=False,
            error_score=error_score,
            verbose=verbose,
        )
        # One task per dispatch: joblib's automatic batching would draw many
        # tasks from the lazy stream at once, so a stop, a budget or a new
        # asynchronous proposal would act only after the whole batch.
        self._parallel = Parallel(
            n_jobs=n_jobs,
            pre_dispatch=pre_dispatch,
            batch_size=1,
            return_as=_return_as(),
        )

    @property
    def streams(self) -> bool:
        """Whether results come back one by one as they finish."""
        return self._parallel.return_as == "generator_unordered"

    def tasks_out_of_reach(self) -> float | None:
        """How many tasks joblib may have taken before the first result is handled.

        A stopping policy can cancel only tasks taken later. joblib takes
        ``pre_dispatch`` tasks at once, then ``n_jobs`` more as each result
        arrives, before that result reaches this thread; a backend that cannot
        stream results takes them all. None for a ``pre_dispatch`` expression
        not read here.
        """
        if not self.streams:
            return math.inf
        n_jobs = effective_n_jobs(self.n_jobs)
        if n_jobs == 1:
            return 1  # run one by one, each result handled before the next
        ahead = _dispatched_ahead(self.pre_dispatch, n_jobs)
        return None if ahead is None else ahead + n_jobs

    @property
    def n_splits(self) -> int:
        return len(self.splits)

    def __enter__(self):
        self._parallel.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._parallel.__exit__(*exc_info)

    def run(self, tasks: Iterable[FoldTask]) -> Iterator[FoldResult]:
        """Run ``tasks`` and yield each :class:`FoldResult` as it finishes.

        ``tasks`` is consumed lazily. The returned iterator must be exhausted
        before the next call.
        """
        return self._parallel(self._delayed(task) for task in tasks)

    def _delayed(self, task):
        if task.replay is not None:
            return delayed(_replay_task)(task)
        return delayed(_run_task)(
            task,
            self.estimator,
            self.X,
            self.y,
            *self.splits[task.split],
            self.n_splits,
            self.caller if task.callback_ctx is not None else None,
            self._fit_and_score_kwargs,
        )

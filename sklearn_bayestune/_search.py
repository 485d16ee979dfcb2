"""The searchers: GridTuneCV, RandomTuneCV and (in ``_bayes_search``) BayesTuneCV.

They subclass scikit-learn's ``BaseSearchCV`` and keep its public contract:
constructor parameters, ``cv_results_`` (built by ``BaseSearchCV``'s own
``_format_results``), best-candidate selection (``_select_best_index``), refit,
multimetric scoring, metadata routing and the prediction methods.

What changes is who owns the evaluation loop. ``_BaseTuneCV.fit`` computes the
cross-validation splits once, runs every fit through the shared
:class:`~sklearn_bayestune._evaluator.CrossValidationEvaluator`, records each
fold as it finishes, and reports fit failures once at the end. Each searcher
still says which candidates to try in ``_run_search(evaluate_candidates)``,
the hook scikit-learn designed for it.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from inspect import signature
from numbers import Integral, Real

import joblib
import numpy as np
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.base import clone, is_classifier
from sklearn.model_selection import ParameterGrid, ParameterSampler
from sklearn.model_selection._split import check_cv

from ._compat import (
    BaseSearchCV,
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _fit_context,
    _insert_error_scores,
    _MultimetricScorer,
    _warn_or_raise_about_fit_failures,
    inconsistent_splits_message,
    indexable,
    init_callback_context,
)
from ._dimensions import Dimension
from ._evaluator import CrossValidationEvaluator, fold_output_check
from ._journal import Journal, describe, fingerprint
from ._progress import ProgressReporter
from ._results import STOPPED, SearchRecord
from ._run import SearchRun
from ._space import SearchSpace
from .exceptions import SearchInterruptedWarning, _warn

# Constraints of the options every searcher adds to scikit-learn's.
_TUNE_CONSTRAINTS = {
    "early_stopping": [HasMethods(["should_stop"]), None],
    "max_time": [Interval(Real, 0, None, closed="neither"), None],
    "callbacks": [list, tuple, None],
    "checkpoint": [str, os.PathLike, None],
    "progress": ["boolean", StrOptions({"auto"})],
}
# What does not change which candidates run or what they score: a checkpoint
# written with other values of these can be resumed.
_NOT_FINGERPRINTED = {
    "n_jobs",
    "pre_dispatch",
    "verbose",
    "checkpoint",
    "progress",
    "max_time",
    "callbacks",
    "n_iter_no_change",
    "refit",
}

# How to leave something to select, after a stop that came before any
# candidate was evaluated on every fold (stopped candidates cannot be best).
_SELECTION_REMEDIES = {
    "max_time": "Increase max_time (or lower n_iter or the number of folds).",
    "callback": "Let the callback stop the search only once result.best_params "
    "is not None.",
}


def _stop_description(search, stop_reason):
    if stop_reason == "max_time":
        return f"max_time={search.max_time!r} seconds ran out"
    return "A callback stopped the search"


class _BaseTuneCV(BaseSearchCV):
    """``BaseSearchCV`` whose evaluation loop runs on the shared evaluator.

    Subclasses implement ``_run_search(evaluate_candidates, *, callback_ctx)``
    exactly as for scikit-learn's ``BaseSearchCV``, and list every parameter
    in their own ``__init__`` (scikit-learn's ``get_params`` reads it).
    """

    def __init__(
        self,
        estimator,
        *,
        scoring,
        n_jobs,
        refit,
        cv,
        verbose,
        pre_dispatch,
        error_score,
        return_train_score,
        early_stopping,
        max_time,
        callbacks,
        checkpoint,
        progress,
    ):
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.early_stopping = early_stopping
        self.max_time = max_time
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.progress = progress

    @_fit_context(
        # The search's estimator is validated when it is fitted.
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y=None, **params):
        """Run fit with all sets of parameters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, n_samples)
            Training vectors. For a precomputed kernel or distance matrix, the
            expected shape of X is (n_samples, n_samples).

        y : array-like of shape (n_samples, n_output) or (n_samples,), default=None
            Target relative to X for classification or regression; None for
            unsupervised learning.

        **params : dict of str -> object
            Parameters passed to the ``fit`` method of the estimator, the
            scorer, and the CV splitter (``groups``), routed as in
            :class:`~sklearn.model_selection.GridSearchCV`.

        Returns
        -------
        self : object
            Instance of fitted estimator.
        """
        start = time.monotonic()
        scorers, refit_metric = self._get_scorers()
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed_params = self._get_routed_params_for_fit(params)
        sample_weight = params.get("sample_weight")
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        root_ctx = init_callback_context(
            self, max_subtasks=1 + (self.refit is not False)
        ).call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)

        split_params = routed_params.splitter.split
        self._checked_cv_orig = check_cv(
            self.cv, y, classifier=is_classifier(self.estimator)
        )
        self._check_input_parameters(X=X, y=y, split_params=split_params)
        self.n_splits_ = self._checked_cv_orig.get_n_splits(X, y, **split_params)
        splits = list(self._checked_cv_orig.split(X, y, **split_params))
        if len(splits) != self.n_splits_:
            raise ValueError(inconsistent_splits_message(self.n_splits_, len(splits)))
        self._check_early_stopping()
        for callback in self.callbacks or ():
            if not callable(callback):
                raise TypeError(
                    f"The 'callbacks' parameter of {type(self).__name__} must be "
                    f"a list of callables; got {callback!r} "
                    f"({type(callback).__name__}) in it."
                )

        base_estimator = clone(self.estimator)
        record = SearchRecord(self.n_splits_, self.refit)
        evaluator = CrossValidationEvaluator(
            base_estimator,
            X,
            y,
            splits,
            scorer=scorers,
            fit_params=routed_params.estimator.fit,
            score_params=routed_params.scorer.score,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            verbose=self.verbose,
            n_jobs=self.n_jobs,
            pre_dispatch=self.pre_dispatch,
            caller=self,
        )
        journal = self._open_journal(X, y, splits, routed_params)
        progress = ProgressReporter(enabled=self.progress, max_time=self.max_time)
        run = SearchRun(
            self,
            evaluator,
            record,
            policy=self.early_stopping,
            max_time=self.max_time,
            patience=getattr(self, "n_iter_no_change", None),
            callbacks=self.callbacks,
            journal=journal,
            replay=None if journal is None else journal.load(),
            progress=progress,
            start=start,
        )
        # A subclass may define _run_search(self, evaluate_candidates) alone,
        # as scikit-learn documents it; scikit-learn checks the same way.
        context = (
            {"callback_ctx": root_ctx}
            if "callback_ctx" in signature(self._run_search).parameters
            else {}
        )
        try:
            with evaluator, progress:
                self._run_search(run, **context)
        except KeyboardInterrupt:
            self._recover_from_interrupt(run)
        except TerminatedWorkerError as exc:
            raise TerminatedWorkerError(self._worker_lost_message(run, exc)) from exc
        finally:
            if journal is not None:
                journal.close()

        results = self._collect_results(record, run.stop_reason)
        # As in scikit-learn: a callable scoring reveals whether it is
        # multimetric only once it has been called.
        first_test_score = record.format_inputs(record.kept()[:1])[1][0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_test_score)
            refit_metric = self.refit

        self.scorer_ = (
            scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        )
        if run.stopped_early:
            self.stop_reason_ = run.stop_reason
        elif hasattr(self, "stop_reason_"):
            del self.stop_reason_  # from an earlier fit that stopped early
        # Results first: whatever the refit does, they stay with their best_*.
        self.cv_results_ = results
        try:
            self._select_and_refit(
                results,
                refit_metric,
                base_estimator,
                X,
                y,
                routed_params,
                root_ctx,
                metadata,
            )
        except KeyboardInterrupt:
            self._abort_refit()
            return self
        root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        return self

    def _metric_names(self):
        """The metrics a fold scores: names, () for one, None if a callable decides."""
        if callable(self.scoring):
            return None
        if isinstance(self.scoring, (str, type(None))):
            return ()
        return list(self.scoring)

    def _check_early_stopping(self):
        policy = self.early_stopping
        if isinstance(policy, type):
            raise TypeError(
                f"The 'early_stopping' parameter of {type(self).__name__} must be "
                f"a policy instance; got the class {policy.__name__}. Call it: "
                f"early_stopping={policy.__name__}()."
            )
        # Any object with should_stop is a policy; ours also check their
        # parameters here, at fit, as scikit-learn's estimators do.
        validate = getattr(policy, "_validate", None)
        if callable(validate):
            validate()

    def _abort_refit(self):
        """Ctrl-C during the refit: keep cv_results_ and best_*, as with refit=False."""
        for stale in ("best_estimator_", "refit_time_", "feature_names_in_"):
            self.__dict__.pop(stale, None)  # from an earlier fit of this object
        self.stop_reason_ = "interrupted"
        _warn(
            f"{type(self).__name__}: the refit of the best candidate was "
            "interrupted (KeyboardInterrupt). cv_results_ and best_params_ are "
            "kept; there is no best_estimator_: refit it yourself, e.g. "
            "clone(search.estimator).set_params(**search.best_params_).fit(X, y).",
            SearchInterruptedWarning,
        )

    def _open_journal(self, X, y, splits, routed_params):
        """The checkpoint journal, bound to everything that decides the results."""
        if self.checkpoint is None:
            return None
        if not isinstance(getattr(self, "random_state", 0), Integral):
            _warn(
                f"{type(self).__name__} has a checkpoint but random_state="
                f"{self.random_state!r}: a resumed search draws other candidates "
                "and reuses none of the finished fits. Set random_state to an int "
                "to be able to resume.",
                UserWarning,
            )
        parts = {
            name: describe(value)
            for name, value in self.get_params(deep=False).items()
            if name not in _NOT_FINGERPRINTED
        }
        parts.update(
            X=joblib.hash(X),
            y=joblib.hash(y),
            splits=joblib.hash(splits),
            # e.g. sample_weight, which changes every fold's score
            fit_params=joblib.hash(dict(routed_params.estimator.fit)),
            score_params=joblib.hash(dict(routed_params.scorer.score)),
        )
        return Journal(
            self.checkpoint,
            fingerprint(**parts),
            search=type(self).__name__,
            check_out=fold_output_check(
                train_scores=self.return_train_score, metrics=self._metric_names()
            ),
        )

    def _recover_from_interrupt(self, run):
        """Keep what finished after Ctrl-C; a second Ctrl-C aborts the refit."""
        n_kept = len(run.record.kept())
        if not run.record.any_complete():
            raise KeyboardInterrupt(
                "The search was interrupted before any candidate was evaluated "
                "on every fold; nothing to select."
            )
        run.halt("interrupted")
        run.decline()
        try:
            run.report_finished()
        except KeyboardInterrupt:
            pass  # again, from a callback: what is reported so far is kept
        resume = (
            f" Fit again with checkpoint={self.checkpoint!r} to resume."
            if self.checkpoint is not None
            else " Pass checkpoint=path to be able to resume an interrupted search."
        )
        _warn(
            f"{type(self).__name__} was interrupted (KeyboardInterrupt): "
            f"cv_results_ and best_* are built from the {n_kept} candidates "
            f"that were fully evaluated, and the best one is refitted. Press "
            f"Ctrl-C again to abort the refit.{resume}",
            SearchInterruptedWarning,
        )

    def _worker_lost_message(self, run, exc):
        """joblib's message, then what was kept and how to resume."""
        n_fits = int(run.record.score_table()[1].sum())
        if self.checkpoint is not None:
            resume = (
                f"The {n_fits} fits that finished are in the checkpoint "
                f"{os.fspath(self.checkpoint)!r}: fit again with the same "
                "arguments to resume without fitting them again."
            )
        else:
            resume = (
                f"The {n_fits} fits that finished are lost. Pass checkpoint=path "
                "to be able to resume a search after such a crash."
            )
        return (
            f"{exc}\n\n{type(self).__name__}: a worker died during a fit (killed "
            f"by the operating system, e.g. out of memory, or by the estimator "
            f"itself). {resume}"
        )

    def _check_input_parameters(self, X, y, split_params):
        # A hook of BaseSearchCV since scikit-learn 1.9; defined here for older ones.
        parent = getattr(super(), "_check_input_parameters", None)
        if parent is not None:
            parent(X=X, y=y, split_params=split_params)

    def _collect_results(self, record, stop_reason=None):
        """Check fit failures once for the whole search, then format results."""
        kept = record.kept()
        # Stopped candidates rank last; alone they leave nothing to select.
        if stop_reason in _SELECTION_REMEDIES and not record.any_complete():
            raise ValueError(
                f"{_stop_description(self, stop_reason)} before any candidate of "
                f"{type(self).__name__} was evaluated on every fold; nothing to "
                f"select. {_SELECTION_REMEDIES[stop_reason]}"
            )
        if not kept or record.n_splits == 0:
            raise ValueError(
                "No fits were performed. "
                "Was the CV iterator empty? "
                "Were there no candidates?"
            )
        # Folds cancelled by early stopping neither failed nor count as fits.
        ran = record.ran_outputs(kept)
        _warn_or_raise_about_fit_failures(ran, self.error_score)
        if not record.any_complete():
            # A policy stops a candidate with a failed fold at once: when a
            # fold fails for every candidate, all are stopped.
            raise ValueError(
                f"early_stopping stopped every candidate of {type(self).__name__} "
                "before any was evaluated on every fold; nothing to select. A "
                "candidate with a failed fold (see the FitFailedWarning) is "
                "stopped at once: fix the failing fits, or pass "
                "early_stopping=None."
            )
        return self._format_kept(record, kept)

    def _format_kept(self, record, kept):
        """``cv_results_`` of the ``kept`` candidates, stopped ones ranked last."""
        if callable(self.scoring):
            # In place, before format_inputs copies a candidate's first fold
            # into its cancelled ones: a failed first fold holds a bare float
            # where a multimetric scoring's folds hold dicts.
            _insert_error_scores(record.ran_outputs(kept), self.error_score)
        params, out, more_results = record.format_inputs(kept)
        stopped = np.array([record.status[c] == STOPPED for c in kept])
        if self.early_stopping is not None:
            more_results["stopped_early"] = stopped
        if not stopped.any():
            return self._format_results(params, record.n_splits, out, more_results)
        with warnings.catch_warnings():
            # NaN means are how stopped candidates rank last; not news.
            warnings.filterwarnings(
                "ignore",
                message="One or more of the (test|train) scores are non-finite",
            )
            results = self._format_results(params, record.n_splits, out, more_results)
        for key, column in results.items():
            if key.startswith("rank_test_"):
                # After every candidate that was not stopped, those with a NaN
                # mean too: scikit-learn ties them, and picks the first.
                column[stopped] = (~stopped).sum() + 1
            # scikit-learn's warning, for the candidates that were not stopped.
            if key.startswith(("mean_test_", "mean_train_")):
                means = np.asarray(column)[~stopped]
                if not np.isfinite(means).all():
                    _warn(
                        f"One or more of the {key.split('_')[1]} scores are "
                        f"non-finite: {means}",
                        UserWarning,
                    )
        return results

    def _select_and_refit(
        self,
        results,
        refit_metric,
        base_estimator,
        X,
        y,
        routed_params,
        root_ctx,
        metadata,
    ):
        """Set ``best_*`` and refit the best candidate, as ``BaseSearchCV.fit`` does."""
        if self.refit or not self.multimetric_:
            self.best_index_ = self._select_best_index(
                self.refit, refit_metric, results
            )
            if not callable(self.refit):
                self.best_score_ = results[f"mean_test_{refit_metric}"][
                    self.best_index_
                ]
            self.best_params_ = results["params"][self.best_index_]
            stopped = results.get("stopped_early")
            if (
                callable(self.refit)
                and stopped is not None
                and stopped[self.best_index_]
            ):
                _warn(
                    f"The refit callable chose candidate {self.best_index_}, which "
                    "early_stopping stopped: its mean scores are NaN and it was "
                    "not evaluated on every fold. NaN is the largest value to "
                    "np.argmax; use np.nanargmax, or the rank_test_* columns, "
                    "which rank stopped candidates last.",
                    UserWarning,
                )

        if not self.refit:
            return
        # Clone the parameters too: they may be estimators (a pipeline step).
        best_estimator = clone(base_estimator).set_params(
            **clone(self.best_params_, safe=False)
        )
        refit_ctx = root_ctx.subcontext(task_name="refit-with-best-params")
        with refit_ctx.propagate_callback_context(best_estimator):
            refit_ctx.call_on_fit_task_begin(
                estimator=self, X=X, y=y, metadata=metadata
            )
            start = time.time()
            if y is not None:
                best_estimator.fit(X, y, **routed_params.estimator.fit)
            else:
                best_estimator.fit(X, **routed_params.estimator.fit)
            self.refit_time_ = time.time() - start
        # Set only once fitted: an interrupted refit leaves no unfitted one.
        self.best_estimator_ = best_estimator
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_
        refit_ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)

    def _evaluate_all(self, evaluate_candidates, candidates, callback_ctx):
        """Evaluate a known list of candidates under one "search" callback task."""
        search_ctx = callback_ctx.subcontext(
            task_name="search",
            max_subtasks=len(candidates) * self.n_splits_,
            sequential_subtasks=False,
        ).call_on_fit_task_begin(estimator=self)
        evaluate_candidates(candidates, callback_ctx=search_ctx)
        search_ctx.call_on_fit_task_end(estimator=self)

    def _check_settable(self, candidate_params):
        """Fail before any fit if a candidate's names cannot be set on the estimator.

        ``set_params`` is the judge (scikit-learn raises from it at fit time
        too), tried once per distinct set of names.
        """
        seen = set()
        for params in candidate_params:
            names = frozenset(params)
            if names in seen:
                continue
            seen.add(names)
            try:
                clone(self.estimator).set_params(**clone(params, safe=False))
            except ValueError as error:
                raise ValueError(
                    f"{error} The candidate {params!r} comes from the "
                    f"{self._space_parameter} of {type(self).__name__}."
                ) from error


_TUNE_PARAMETERS_DOC = """
    early_stopping : StoppingPolicy, default=None
        Cancels the remaining folds of candidates that cannot win (fold
        racing): :class:`MedianStoppingPolicy`, :class:`BanditPolicy`,
        :class:`TruncationSelectionPolicy` or :class:`PairedTestPolicy`, or
        any object with a ``should_stop(scores, finished, candidate)`` method
        (:class:`StoppingPolicy` describes its arguments). Folds
        then run fold by fold across candidates; stopped candidates stay in
        ``cv_results_`` with NaN for their missing folds and means (their
        ``mean_fit_time`` counts the cancelled folds as taking no time), a
        ``stopped_early`` column marks them, and they are never the best.
        Only folds not yet dispatched to a worker can be cancelled:
        ``pre_dispatch="n_jobs"`` lets the policy act soonest. None (default)
        evaluates every fold, as scikit-learn does.

    max_time : float, default=None
        Wall-clock budget in seconds: no new fit starts after it, and the
        search ends with the candidates evaluated on every fold (the best of
        them is refitted). ``stop_reason_`` is then ``"max_time"``.

    callbacks : list of callables, default=None
        Each is called after every finished candidate, in the order the
        candidates were proposed, with a ``CandidateResult`` (its index,
        params, status, score, fold scores, best so far, elapsed time); a
        truthy return value stops the search, and the candidates proposed
        after that one are dropped.

    checkpoint : str or path-like, default=None
        A JSON-lines file journaling every finished fit as it completes. A
        search fitted again with the same arguments and data (after a crash,
        a kill or Ctrl-C) replays the journal instead of refitting, and ends
        with the same results. A journal written by a different search is
        refused.

    progress : bool or "auto", default="auto"
        Show a progress bar (tqdm when installed, plain text otherwise) with
        finished/total fits, the best score and the time left of
        ``max_time``. "auto" shows it only on an interactive terminal.
"""

_STOP_REASON_DOC = """
    stop_reason_ : str
        Why the search ended before its candidates were done:
        ``"max_time"``, ``"n_iter_no_change"``, ``"callback"`` or
        ``"interrupted"`` (Ctrl-C). Only set when it did; a later ``fit`` that
        runs to the end removes it.
"""

_PATIENCE_DOC = """
    n_iter_no_change : int, default=None
        Stop once this many candidates in a row, in the order they were
        proposed, have not improved the best score (``stop_reason_`` is then
        ``"n_iter_no_change"``), counting from the first candidate evaluated
        on every fold; candidates proposed after the last one counted are
        dropped, so the stop does not depend on which fits finish first.
        None: no such stop.
"""


def _with_tune_parameters(cls):
    """Insert the shared parameter docs where the class docstring asks."""
    if "    {tune_parameters}\n" not in (cls.__doc__ or ""):
        raise TypeError(f"{cls.__name__}'s docstring has no {{tune_parameters}}.")
    cls.__doc__ = (
        cls.__doc__.replace(
            "    {tune_parameters}\n", _TUNE_PARAMETERS_DOC.lstrip("\n")
        )
        .replace("    {patience}\n", _PATIENCE_DOC.lstrip("\n"))
        .replace("    {stop_reason}\n", _STOP_REASON_DOC.lstrip("\n"))
    )
    return cls


def _grid_values(param_grid):
    """``param_grid`` with finite dimensions replaced by the list of their values."""

    def values(key, value):
        if not isinstance(value, Dimension):
            return value
        value._check(key, parameter="param_grid")
        if value.n_choices is None:
            raise ValueError(
                f"Parameter {key!r} in param_grid: {value!r} has infinitely many "
                "values. A grid takes lists, Integer and Categorical dimensions, "
                "and Real dimensions with a step and finite bounds; use "
                "RandomTuneCV or BayesTuneCV to search a continuous range."
            )
        return value.values()

    def expand(grid):
        if not isinstance(grid, Mapping):
            return grid
        return {key: values(key, value) for key, value in grid.items()}

    if isinstance(param_grid, Mapping):
        return expand(param_grid)
    return [expand(grid) for grid in param_grid]


@_with_tune_parameters
class GridTuneCV(_BaseTuneCV):
    """Exhaustive search over specified parameter values for an estimator.

    A drop-in replacement for :class:`sklearn.model_selection.GridSearchCV`:
    same parameters, attributes and ``cv_results_``. The fits run on the
    package's shared cross-validation evaluator, which fixes the splits once
    per ``fit``.

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each grid point. It must
        implement ``fit`` and either ``score`` or use ``scoring``.

    param_grid : dict or list of dictionaries
        Dictionary with parameter names (``str``) as keys and lists of
        parameter settings to try as values, or a list of such dictionaries,
        in which case the grids spanned by each dictionary are explored. A
        value may also be a finite :class:`Integer` or :class:`Categorical`
        dimension (or a :class:`Real` with ``step`` and finite bounds), which
        stands for all its values.

    scoring : str, callable, list, tuple or dict, default=None
        Strategy to evaluate the performance of the cross-validated model on
        the test set, as in ``GridSearchCV``.

    n_jobs : int, default=None
        Number of jobs to run in parallel. ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context. ``-1`` means using all
        processors.

    refit : bool, str, or callable, default=True
        Refit an estimator using the best found parameters on the whole
        dataset, as in ``GridSearchCV``.

    cv : int, cross-validation generator or an iterable, default=None
        Determines the cross-validation splitting strategy. The splits are
        computed once per ``fit``.

    verbose : int, default=0
        Controls the verbosity: the higher, the more messages.

    pre_dispatch : int, or str, default='2*n_jobs'
        Controls the number of jobs that get dispatched during parallel
        execution.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.

    return_train_score : bool, default=False
        If ``False``, the ``cv_results_`` attribute will not include training
        scores.

    {tune_parameters}

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        A dict with keys as column headers and values as columns, exactly as
        in ``GridSearchCV``.

    best_estimator_ : estimator
        Estimator refitted on the whole data with the best parameters. Not
        available if ``refit=False``.

    best_score_ : float
        Mean cross-validated score of the best_estimator.

    best_params_ : dict
        Parameter setting that gave the best results on the hold out data.

    best_index_ : int
        The index (of the ``cv_results_`` arrays) which corresponds to the best
        candidate parameter setting.

    scorer_ : function or a dict
        Scorer function used on the held out data to choose the best
        parameters for the model.

    n_splits_ : int
        The number of cross-validation splits (folds/iterations).

    refit_time_ : float
        Seconds used for refitting the best model on the whole dataset.

    multimetric_ : bool
        Whether or not the scorers compute several metrics.

    classes_ : ndarray of shape (n_classes,)
        The classes labels (only for a refitted classifier).

    n_features_in_ : int
        Number of features seen during fit (only when refitted).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit (only when refitted and ``X`` has
        feature names).

    {stop_reason}

    See Also
    --------
    RandomTuneCV : Random search over a parameter space.
    BayesTuneCV : Bayesian optimisation over a parameter space.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import GridTuneCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridTuneCV(SVC(), {"kernel": ["linear", "rbf"], "C": [1, 10]})
    >>> search.fit(X, y).best_params_
    {'C': 1, 'kernel': 'linear'}
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_grid": [dict, list],
        **_TUNE_CONSTRAINTS,
    }
    _space_parameter = "param_grid"
    # Read by scikit-learn < 1.6's estimator checks to build an instance.
    _required_parameters = ["estimator", "param_grid"]

    def __init__(
        self,
        estimator,
        param_grid,
        *,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        error_score=np.nan,
        return_train_score=False,
        early_stopping=None,
        max_time=None,
        callbacks=None,
        checkpoint=None,
        progress="auto",
    ):
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
            early_stopping=early_stopping,
            max_time=max_time,
            callbacks=callbacks,
            checkpoint=checkpoint,
            progress=progress,
        )
        self.param_grid = param_grid

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Search all candidates in param_grid."""
        # ParameterGrid validates the grid with scikit-learn's own messages.
        candidates = ParameterGrid(_grid_values(self.param_grid))
        SearchSpace(self.param_grid, parameter="param_grid")
        self._evaluate_all(evaluate_candidates, candidates, callback_ctx)


@_with_tune_parameters
class RandomTuneCV(_BaseTuneCV):
    """Randomized search on hyper parameters.

    A drop-in replacement for
    :class:`sklearn.model_selection.RandomizedSearchCV`: same parameters,
    attributes and ``cv_results_``, and for the same ``random_state`` the same
    candidates. It also accepts the package's dimensions (:class:`Real`,
    :class:`Integer`, :class:`Categorical` and the HyperDrive-style
    constructors) as values.

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate.

    param_distributions : dict or list of dicts
        Dictionary with parameter names (``str``) as keys and distributions or
        lists of parameters to try. Distributions must provide a ``rvs`` method
        for sampling (such as those from ``scipy.stats`` and the package's
        dimensions). A list is sampled uniformly. If a list of dicts is given,
        first a dict is sampled uniformly, and then a parameter is sampled
        using that dict as above.

    n_iter : int, default=10
        Number of parameter settings that are sampled.

    scoring : str, callable, list, tuple or dict, default=None
        Strategy to evaluate the performance of the cross-validated model on
        the test set, as in ``RandomizedSearchCV``.

    n_jobs : int, default=None
        Number of jobs to run in parallel.

    refit : bool, str, or callable, default=True
        Refit an estimator using the best found parameters on the whole
        dataset.

    cv : int, cross-validation generator or an iterable, default=None
        Determines the cross-validation splitting strategy. The splits are
        computed once per ``fit``.

    verbose : int, default=0
        Controls the verbosity: the higher, the more messages.

    pre_dispatch : int, or str, default='2*n_jobs'
        Controls the number of jobs that get dispatched during parallel
        execution.

    random_state : int, RandomState instance or None, default=None
        Pseudo random number generator state used for random uniform sampling
        from lists of possible values instead of scipy.stats distributions.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.

    return_train_score : bool, default=False
        If ``False``, the ``cv_results_`` attribute will not include training
        scores.

    {patience}

    {tune_parameters}

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``RandomizedSearchCV``.

    best_estimator_ : estimator
        Estimator refitted on the whole data with the best parameters.

    best_score_ : float
        Mean cross-validated score of the best_estimator.

    best_params_ : dict
        Parameter setting that gave the best results on the hold out data.

    best_index_ : int
        The index (of the ``cv_results_`` arrays) of the best candidate.

    scorer_ : function or a dict
        Scorer function used on the held out data.

    n_splits_ : int
        The number of cross-validation splits (folds/iterations).

    refit_time_ : float
        Seconds used for refitting the best model on the whole dataset.

    multimetric_ : bool
        Whether or not the scorers compute several metrics.

    classes_ : ndarray of shape (n_classes,)
        The classes labels (only for a refitted classifier).

    n_features_in_ : int
        Number of features seen during fit (only when refitted).

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit (only when refitted and ``X`` has
        feature names).

    {stop_reason}

    See Also
    --------
    GridTuneCV : Exhaustive search over a grid of parameters.
    BayesTuneCV : Bayesian optimisation over a parameter space.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_bayestune import RandomTuneCV, Categorical
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomTuneCV(
    ...     LogisticRegression(max_iter=1000),
    ...     {"C": loguniform(1e-2, 1e2), "fit_intercept": Categorical([True, False])},
    ...     n_iter=5,
    ...     random_state=0,
    ... )
    >>> round(float(search.fit(X, y).best_score_), 3)
    0.98
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        **_TUNE_CONSTRAINTS,
    }
    _space_parameter = "param_distributions"
    # Read by scikit-learn < 1.6's estimator checks to build an instance.
    _required_parameters = ["estimator", "param_distributions"]

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=10,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_iter_no_change=None,
        early_stopping=None,
        max_time=None,
        callbacks=None,
        checkpoint=None,
        progress="auto",
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.n_iter_no_change = n_iter_no_change
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
            early_stopping=early_stopping,
            max_time=max_time,
            callbacks=callbacks,
            checkpoint=checkpoint,
            progress=progress,
        )

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Search n_iter candidates from param_distributions."""
        candidates = ParameterSampler(
            self.param_distributions, self.n_iter, random_state=self.random_state
        )
        SearchSpace(self.param_distributions, parameter="param_distributions")
        self._evaluate_all(evaluate_candidates, list(candidates), callback_ctx)

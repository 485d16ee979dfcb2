"""BayesTuneCV: Bayesian optimisation over a parameter space, as a BaseSearchCV."""

from __future__ import annotations

import functools
import math
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_random_state

from ._compat import BaseSearchCV, Interval, StrOptions
from ._optimizer import BayesOptimizer
from ._results import CANCELLED
from ._search import _TUNE_CONSTRAINTS, _BaseTuneCV, _with_tune_parameters
from ._space import SearchSpace
from .exceptions import _warn

# The columns BayesTuneCV adds to cv_results_: how each candidate was proposed.
_COLUMNS = {
    "proposal_step": lambda step, proposal: step,
    "proposal_kind": lambda step, proposal: proposal.kind,
    "acquisition_value": lambda step, proposal: proposal.acquisition_value,
}


@_with_tune_parameters
class BayesTuneCV(_BaseTuneCV):
    """Bayesian optimisation of hyperparameters with cross-validation.

    A Gaussian-process surrogate of the cross-validated score, fitted after
    every step, and an acquisition function (log expected improvement by
    default) choose each next candidate. The interface is
    :class:`~sklearn.model_selection.RandomizedSearchCV`'s: the same
    parameters, attributes and ``cv_results_`` (candidates in the order they
    were proposed), plus a few columns and options of its own.

    Parameters
    ----------
    estimator : estimator object
        An object of that type is instantiated for each candidate.

    param_distributions : dict or list of dicts
        Parameter names (``str``) mapped to :class:`Real`, :class:`Integer` or
        :class:`Categorical` dimensions, lists of choices, or frozen
        ``scipy.stats`` distributions (searched through their CDF, so
        unbounded priors such as ``norm`` work). A list of dicts gives
        alternative subspaces searched with one shared budget.

    n_iter : int, default=50
        Number of candidates evaluated.

    scoring : str, callable, list, tuple or dict, default=None
        As in ``RandomizedSearchCV``. With several metrics, the one optimised
        is ``refit`` when it names a metric, else the first one.

    n_jobs : int, default=None
        Number of jobs to run in parallel (folds and candidates).

    refit : bool, str, or callable, default=True
        Refit an estimator using the best found parameters on the whole
        dataset.

    cv : int, cross-validation generator or an iterable, default=None
        The splits are computed once per ``fit``, so every step is scored on
        the same folds, even with a shuffling splitter.

    verbose : int, default=0
        Controls the verbosity.

    pre_dispatch : int, or str, default='2*n_jobs'
        Controls the number of jobs that get dispatched during parallel
        execution.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial design, the surrogate fits and the acquisition
        optimiser: the same seed gives the same candidates for a given
        ``n_jobs`` and ``batch_size``.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.
        Failed candidates never enter the surrogate as scores; a feasibility
        model steers the search away from where fits fail.

    return_train_score : bool, default=False
        Whether ``cv_results_`` includes training scores.

    n_initial_points : int, default=None
        Size of the initial design: the estimator's current parameters first,
        when the space is one dict and holds them, then a scrambled Sobol set
        for the rest. None: ``clip(d + 1, 10, 20)`` for ``d`` encoded
        dimensions, at most ``n_iter // 4``, and at least 2 and one per dict
        of a list.

    acquisition : {"log_ei", "ucb", "log_pi"}, default="log_ei"
        The acquisition function.

    batch_size : int, "async" or None, default=None
        Candidates proposed per step (pending ones are conditioned in as
        kriging-believer fantasies). None: ``max(1, n_jobs // n_splits)``,
        as many candidates as the workers can take all the folds of, and one
        at least. ``"async"``: propose one
        candidate whenever a worker can take a new fold, conditioned on the
        candidates still running, so no worker waits for a batch to finish
        (with 16 workers and ``cv=5``, it kept 93 % of them busy where
        batches kept 52 %: see the user guide's parallelism page).
        Asynchronous proposals depend on which folds finish first, so with
        ``n_jobs > 1`` they are not reproducible from ``random_state`` (with
        ``n_jobs=1`` they are); on joblib backends that cannot stream results
        (multiprocessing, Ray) ``"async"`` falls back to batches. With
        ``early_stopping`` and ``n_jobs > 1``, the policy can cancel only
        folds that joblib has not yet taken (``pre_dispatch`` at once, then
        ``n_jobs`` more per result): ``fit`` warns when a step has no fold
        left to cancel.

    noise : {"cv", "learned"}, default="cv"
        ``"cv"`` gives each candidate its measured cross-validation noise (the
        variance of its fold scores divided by the number of folds) on top of
        a learned noise floor; ``"learned"`` learns one noise level for all.

    {patience}

    {tune_parameters}

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``RandomizedSearchCV``, plus ``proposal_step`` (the step that
        proposed the candidate), ``proposal_kind`` ("initial", "random" or
        the acquisition) and ``acquisition_value`` (NaN for the initial
        design and for "random" proposals, made while fewer than two scores
        are in to fit the model).

    best_estimator_, best_score_, best_params_, best_index_, scorer_, \
n_splits_, refit_time_, multimetric_, classes_, n_features_in_, \
feature_names_in_
        As in ``RandomizedSearchCV``.

    optimizer_ : BayesOptimizer
        The optimiser after the search: its ``space``, ``X_unit`` (observations
        in the unit cube), ``values`` and ``gp_`` (the last surrogate).

    {stop_reason}

    See Also
    --------
    RandomTuneCV : Random search over the same kind of space.
    BayesOptimizer : The optimiser, with an ask/tell interface.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import BayesTuneCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesTuneCV(SVC(), {"C": loguniform(1e-2, 1e3),
    ...                              "gamma": loguniform(1e-4, 1e1)},
    ...                      n_iter=12, random_state=0)
    >>> round(float(search.fit(X, y).best_score_), 3)
    0.987
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_initial_points": [Interval(Integral, 1, None, closed="left"), None],
        "acquisition": [StrOptions({"log_ei", "ucb", "log_pi"})],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"async"}),
            None,
        ],
        "noise": [StrOptions({"cv", "learned"})],
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
        n_iter=50,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_initial_points=None,
        acquisition="log_ei",
        batch_size=None,
        noise="cv",
        n_iter_no_change=None,
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
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.n_initial_points = n_initial_points
        self.acquisition = acquisition
        self.batch_size = batch_size
        self.noise = noise
        self.n_iter_no_change = n_iter_no_change

    def _default_params(self, space):
        """The estimator's current values of the searched names, when in the space."""
        if len(space.subspaces) != 1:
            return []
        current = self.estimator.get_params(deep=True)
        params = {name: current.get(name) for name in space.subspaces[0]}
        return [params] if space.contains(params) else []

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Propose, evaluate and learn until ``n_iter`` candidates are scored."""
        space = SearchSpace(self.param_distributions, parameter="param_distributions")
        # A seed drawn from random_state (rather than the object itself)
        # leaves a user's RandomState untouched by later draws.
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        n_iter = self.n_iter
        if space.is_finite and space.size < n_iter:
            _warn(
                f"The total space of parameters {space.size} is smaller than "
                f"n_iter={n_iter}. Running {space.size} iterations.",
                UserWarning,
            )
            n_iter = space.size
        optimizer = BayesOptimizer(
            space,
            direction="maximize",
            n_initial_points=self.n_initial_points,
            initial_points=self._default_params(space),
            acquisition=self.acquisition,
            budget=n_iter,
            random_state=seed,
        )
        if self.batch_size == "async" and evaluate_candidates.evaluator.streams:
            self._search_async(evaluate_candidates, optimizer, n_iter, callback_ctx)
        else:
            self._search_in_batches(
                evaluate_candidates, optimizer, n_iter, callback_ctx
            )
        self.optimizer_ = optimizer

    def _batch_size(self):
        if isinstance(self.batch_size, Integral):
            return self.batch_size
        # None, or "async" on a joblib backend that cannot stream results:
        # enough candidates per step to keep the workers busy with folds.
        return max(1, effective_n_jobs(self.n_jobs) // self.n_splits_)

    def _search_in_batches(self, evaluate_candidates, optimizer, n_iter, callback_ctx):
        """Propose a batch, evaluate it whole, learn, repeat."""
        batch_size = self._batch_size()
        record = evaluate_candidates.record
        evaluate_candidates.plan(n_iter)
        search_ctx = callback_ctx.subcontext(
            task_name="search", max_subtasks=math.ceil(n_iter / batch_size)
        ).call_on_fit_task_begin(estimator=self)
        step = 0
        while record.n_candidates < n_iter and not evaluate_candidates.halted:
            proposals = optimizer.propose(min(batch_size, n_iter - record.n_candidates))
            if not proposals:
                break
            batch_ctx = search_ctx.subcontext(
                task_name="batch",
                max_subtasks=len(proposals) * self.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)
            params = [p.params for p in proposals]
            indices = range(record.n_candidates, record.n_candidates + len(params))
            evaluate_candidates(
                params,
                more_results={
                    name: [column(step, p) for p in proposals]
                    for name, column in _COLUMNS.items()
                },
                callback_ctx=batch_ctx,
            )
            batch_ctx.call_on_fit_task_end(estimator=self)
            done = [c for c in indices if record.status[c] != CANCELLED]
            if done:
                self._tell(optimizer, record, done)
            step += 1
        if record.n_candidates < n_iter and evaluate_candidates.halted:
            evaluate_candidates.decline()
        search_ctx.call_on_fit_task_end(estimator=self)

    def _search_async(self, evaluate_candidates, optimizer, n_iter, callback_ctx):
        """Propose one candidate whenever a worker can take a new fold.

        Candidates still being evaluated are pending points of the optimizer,
        so each proposal is conditioned on them (kriging believer).
        """
        record = evaluate_candidates.record

        def propose():
            proposals = optimizer.propose(1)
            if not proposals:
                return None
            step = record.n_candidates
            return proposals[0].params, {
                name: column(step, proposals[0]) for name, column in _COLUMNS.items()
            }

        search_ctx = callback_ctx.subcontext(
            task_name="search",
            max_subtasks=n_iter * self.n_splits_,
            sequential_subtasks=False,
        ).call_on_fit_task_begin(estimator=self)
        evaluate_candidates.stream(
            propose,
            n_iter,
            on_done=lambda c: self._tell(optimizer, record, [c]),
            callback_ctx=search_ctx,
        )
        search_ctx.call_on_fit_task_end(estimator=self)

    def _tell(self, optimizer, record, candidates):
        # Only a candidate stopped after one fold needs it: not every tell.
        fold_var = functools.cache(lambda: _pooled_fold_variance(record))
        values, noises = zip(
            *(self._observation(record, c, fold_var) for c in candidates)
        )
        optimizer.tell(
            [record.params[c] for c in candidates], list(values), noise=list(noises)
        )

    def _observation(self, record, candidate, fold_var):
        """(mean score, variance of that mean) of a candidate for the surrogate.

        A failed candidate gives NaN (the optimizer's feasibility model learns
        from it; it is never a score). A candidate stopped early gives the
        mean of its finished folds with the variance that mean has, so the
        surrogate trusts a one- or two-fold estimate less than a full one; a
        single fold, which has no spread of its own, gets ``fold_var()``, the
        per-fold variance pooled over the other candidates (NaN before any has
        two folds: only the learned noise applies).
        """
        scores = record.fold_scores(candidate)
        if record.failed(candidate) or not np.all(np.isfinite(scores)):
            return math.nan, math.nan
        if self.noise == "learned":
            return float(scores.mean()), math.nan
        if len(scores) < 2:
            return float(scores.mean()), fold_var()
        return float(scores.mean()), float(scores.var(ddof=1) / len(scores))


def _pooled_fold_variance(record):
    """Mean per-fold score variance of the candidates with two or more folds."""
    variances = [
        scores.var(ddof=1)
        for c in range(record.n_candidates)
        if not record.failed(c)
        and len(scores := record.fold_scores(c)) >= 2
        and np.all(np.isfinite(scores))
    ]
    return float(np.mean(variances)) if variances else math.nan

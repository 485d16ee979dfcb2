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

import time
from collections.abc import Mapping
from itertools import product
from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import ParameterGrid, ParameterSampler
from sklearn.model_selection._split import check_cv

from ._compat import (
    BaseSearchCV,
    Interval,
    _check_method_params,
    _fit_context,
    _insert_error_scores,
    _MultimetricScorer,
    _warn_or_raise_about_fit_failures,
    inconsistent_splits_message,
    indexable,
    init_callback_context,
    real_callback_context,
)
from ._evaluator import CrossValidationEvaluator, FoldTask
from ._results import SearchRecord
from ._space import Dimension, SearchSpace


class _ResultsSoFar(Mapping):
    """``cv_results_``-formatted results of the first ``n`` candidates, built lazily.

    ``evaluate_candidates`` returns one after each call, as scikit-learn's does;
    formatting only when read keeps searchers that ignore it from paying for it
    (and from repeating its warnings) on every call.
    """

    def __init__(self, search, record, n_candidates):
        self._search = search
        self._record = record
        self._n = n_candidates
        self._results = None

    def _get(self):
        if self._results is None:
            record = self._record
            self._results = self._search._format_results(
                record.params[: self._n],
                record.n_splits,
                record.outputs()[: self._n * record.n_splits],
                {k: v[: self._n] for k, v in record.more_results.items()},
            )
        return self._results

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())


class _CandidateEvaluation:
    """The ``evaluate_candidates`` callable handed to ``_run_search``.

    Same call signature and return value as scikit-learn's closure, but the
    fits run through the shared evaluator on the splits fixed for this ``fit``,
    and every finished fold goes into one :class:`SearchRecord`.
    """

    def __init__(self, search, evaluator, record):
        self.search = search
        self.evaluator = evaluator
        self.record = record

    def __call__(self, candidate_params, cv=None, more_results=None, callback_ctx=None):
        if cv is not None:
            raise ValueError(
                f"{type(self.search).__name__} computes the cross-validation "
                "splits once per fit; evaluate_candidates does not take cv."
            )
        candidate_params = list(candidate_params)
        n_candidates = len(candidate_params)
        n_splits = self.record.n_splits
        if self.search.verbose > 0:
            print(
                f"Fitting {n_splits} folds for each of {n_candidates} candidates,"
                f" totalling {n_candidates * n_splits} fits"
            )
        self.search._check_settable(candidate_params)
        indices = self.record.add_candidates(candidate_params, more_results)
        callback_ctx = real_callback_context(callback_ctx)
        tasks = [
            FoldTask(
                candidate=candidate,
                split=split,
                params=params,
                progress=(position, n_candidates),
                callback_ctx=None
                if callback_ctx is None
                else callback_ctx.subcontext(
                    task_name="candidate-split-evaluation",
                    task_id=position * n_splits + split,
                ),
            )
            for (position, (candidate, params)), split in product(
                enumerate(zip(indices, candidate_params)), range(n_splits)
            )
        ]
        for result in self.evaluator.run(tasks):
            self.record.add(result)
        return _ResultsSoFar(self.search, self.record, self.record.n_candidates)


class _BaseTuneCV(BaseSearchCV):
    """``BaseSearchCV`` whose evaluation loop runs on the shared evaluator.

    Subclasses implement ``_run_search(evaluate_candidates, *, callback_ctx)``
    exactly as for scikit-learn's ``BaseSearchCV``.
    """

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

        base_estimator = clone(self.estimator)
        record = SearchRecord(self.n_splits_)
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
        with evaluator:
            self._run_search(
                _CandidateEvaluation(self, evaluator, record), callback_ctx=root_ctx
            )

        results = self._collect_results(record)
        # As in scikit-learn: a callable scoring reveals whether it is
        # multimetric only once it has been called.
        first_test_score = record.outputs()[0]["test_scores"]
        self.multimetric_ = isinstance(first_test_score, dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(first_test_score)
            refit_metric = self.refit

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
        self.scorer_ = (
            scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
        )
        self.cv_results_ = results
        root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata)
        return self

    def _check_input_parameters(self, X, y, split_params):
        # A hook of BaseSearchCV since scikit-learn 1.9; defined here for older ones.
        parent = getattr(super(), "_check_input_parameters", None)
        if parent is not None:
            parent(X=X, y=y, split_params=split_params)

    def _collect_results(self, record):
        """Check fit failures once for the whole search, then format results."""
        if record.n_candidates == 0 or record.n_splits == 0:
            raise ValueError(
                "No fits were performed. "
                "Was the CV iterator empty? "
                "Were there no candidates?"
            )
        out = record.outputs()
        _warn_or_raise_about_fit_failures(out, self.error_score)
        if callable(self.scoring):
            _insert_error_scores(out, self.error_score)
        return self._format_results(
            record.params, record.n_splits, out, record.more_results
        )

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

        if not self.refit:
            return
        # Clone the parameters too: they may be estimators (a pipeline step).
        self.best_estimator_ = clone(base_estimator).set_params(
            **clone(self.best_params_, safe=False)
        )
        refit_ctx = root_ctx.subcontext(task_name="refit-with-best-params")
        with refit_ctx.propagate_callback_context(self.best_estimator_):
            refit_ctx.call_on_fit_task_begin(
                estimator=self, X=X, y=y, metadata=metadata
            )
            start = time.time()
            if y is not None:
                self.best_estimator_.fit(X, y, **routed_params.estimator.fit)
            else:
                self.best_estimator_.fit(X, **routed_params.estimator.fit)
            self.refit_time_ = time.time() - start
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


def _grid_values(param_grid):
    """``param_grid`` with finite dimensions replaced by the list of their values."""

    def expand(grid):
        if not isinstance(grid, Mapping):
            return grid
        return {
            key: value.values() if isinstance(value, Dimension) else value
            for key, value in grid.items()
        }

    if isinstance(param_grid, Mapping):
        return expand(param_grid)
    return [expand(grid) for grid in param_grid]


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

    verbose : int
        Controls the verbosity: the higher, the more messages.

    pre_dispatch : int, or str, default='2*n_jobs'
        Controls the number of jobs that get dispatched during parallel
        execution.

    error_score : 'raise' or numeric, default=np.nan
        Value to assign to the score if an error occurs in estimator fitting.

    return_train_score : bool, default=False
        If ``False``, the ``cv_results_`` attribute will not include training
        scores.

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
    }
    _space_parameter = "param_grid"

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
        self.param_grid = param_grid

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Search all candidates in param_grid."""
        # ParameterGrid validates the grid with scikit-learn's own messages.
        candidates = ParameterGrid(_grid_values(self.param_grid))
        SearchSpace(self.param_grid, parameter="param_grid")
        self._evaluate_all(evaluate_candidates, candidates, callback_ctx)


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

    verbose : int
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
    >>> search.fit(X, y).best_score_
    0.97...
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    _space_parameter = "param_distributions"

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
    ):
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
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

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        """Search n_iter candidates from param_distributions."""
        candidates = ParameterSampler(
            self.param_distributions, self.n_iter, random_state=self.random_state
        )
        SearchSpace(self.param_distributions, parameter="param_distributions")
        self._evaluate_all(evaluate_candidates, list(candidates), callback_ctx)

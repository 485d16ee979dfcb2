"""Nested cross-validation of a hyperparameter search, for research reports.

A search's ``best_score_`` is optimistic: the folds that chose the parameters
also scored them. Nested cross-validation scores the whole procedure instead.
An outer splitter holds out data the search never sees; the search, with its
own inner ``cv``, runs on each outer training set; its refitted best model is
scored on the held-out part. The outer scores estimate how well "tune, then
refit" generalises, and the spread of the parameters chosen on the outer folds
says how stable the tuning is.

:func:`nested_cross_validate` runs scikit-learn's ``cross_validate`` on each
outer fold and returns a :class:`NestedCVResult`. Plain
``cross_validate(search, X, y, cv=...)`` computes the same outer scores when
every fold may share one seed, no groups are involved and no stability report
is wanted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import numpy as np
from joblib import effective_n_jobs
from sklearn import get_config
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import get_routing_for_object
from sklearn.utils.parallel import Parallel, delayed

from ._compat import BaseSearchCV, indexable

_MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class ParamStability:
    """How much one parameter's best value varies across the outer folds.

    Attributes
    ----------
    measure : {"agreement", "log10_spread", "cv"}
        ``"agreement"`` for values that are not all numbers (strings, booleans,
        None, estimators, or a parameter missing from some folds' best
        parameters): the fraction of folds whose best value equals the most
        common one (1 means every fold agrees). ``"log10_spread"`` for
        numbers that are all positive: ``max - min`` of their base-10
        logarithms, in decades (0 means every fold agrees; 1 means the choices
        span a factor of ten). ``"cv"`` for other numbers: the coefficient of
        variation ``std / |mean|`` (population std; 0 means every fold agrees,
        inf when the mean is 0 but the values differ).
    value : float
        The measure's value.
    typical : object
        The most common value (``"agreement"``; the first seen among ties) or
        the median (the numeric measures).
    """

    measure: str
    value: float
    typical: Any


@dataclass(frozen=True, eq=False)
class NestedCVResult:
    """What :func:`nested_cross_validate` found, fold by fold.

    Attributes
    ----------
    outer_scores : dict of str -> ndarray of shape (n_outer_folds,)
        The refitted best model's score on each outer test fold, per metric.
        The key is ``"score"`` when ``scoring`` is None or one scorer, else
        the metric names, as ``cross_validate`` names them without ``test_``.
    best_params : list of dict
        The search's ``best_params_`` on each outer training set.
    inner_best_scores : ndarray of shape (n_outer_folds,)
        The search's ``best_score_`` (its inner cross-validated score) on each
        outer training set; NaN where the search has none (callable
        ``refit``). Compared with ``outer_scores``, it shows how optimistic a
        search's own score is.
    estimators : list of fitted search objects
        The fitted search of each outer fold (``cv_results_``,
        ``best_estimator_``, ...).
    param_stability : dict of str -> ParamStability
        For each searched parameter, how much its best value varies across
        the outer folds.
    seeds : list of int or None
        The ``random_state`` each fold's search was given (None: the search's
        own ``random_state`` was kept).
    fit_time, score_time : ndarray of shape (n_outer_folds,)
        Seconds to fit each fold's search (the whole inner search and its
        refit) and to score it on the outer test fold.
    """

    outer_scores: dict[str, np.ndarray]
    best_params: list[dict]
    inner_best_scores: np.ndarray
    estimators: list
    param_stability: dict[str, ParamStability]
    seeds: list[int | None]
    fit_time: np.ndarray
    score_time: np.ndarray

    @property
    def n_folds(self) -> int:
        """Number of outer folds."""
        return len(self.best_params)

    def summary(self) -> str:
        """The result as a short plain-text report.

        Mean ± standard deviation (population std, as in ``cv_results_``) of
        the outer scores per metric and of the inner best scores, each fold's
        outer score, and the stability of every parameter.

        Returns
        -------
        report : str
        """
        lines = [f"Nested cross-validation, {self.n_folds} outer folds"]
        inner = "inner best_score_"
        width = max(len(inner), *(len(f"outer {name}") for name in self.outer_scores))
        for name, scores in self.outer_scores.items():
            folds = " ".join(f"{s:.3f}" for s in scores)
            label = f"outer {name}"
            lines.append(f"  {label:<{width}}  {_mean_std(scores)}   folds: {folds}")
        lines.append(f"  {inner:<{width}}  {_mean_std(self.inner_best_scores)}")
        if self.param_stability:
            lines.append("Best parameters across the outer folds:")
            width = max(len(name) for name in self.param_stability)
            for name, stability in self.param_stability.items():
                lines.append(f"  {name:<{width}}  {_describe(stability)}")
        return "\n".join(lines)


def nested_cross_validate(
    search,
    X,
    y=None,
    *,
    outer_cv=5,
    groups=None,
    scoring=None,
    n_jobs=None,
    random_state=None,
    params=None,
):
    """Score a hyperparameter search by nested cross-validation.

    Each outer training set gets its own run of ``search`` (with the search's
    own inner ``cv``), and the refitted best model is scored on the outer test
    set, by :func:`sklearn.model_selection.cross_validate`.

    Parameters
    ----------
    search : search estimator
        An unfitted hyperparameter search: :class:`GridTuneCV`,
        :class:`RandomTuneCV`, :class:`BayesTuneCV` or any scikit-learn
        ``BaseSearchCV`` (``GridSearchCV``, ...). It must refit its best
        candidate (``refit`` not False): that model is what the outer folds
        score.

    X : array-like of shape (n_samples, n_features)
        The data.

    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        The target.

    outer_cv : int, cross-validation generator or iterable, default=5
        The outer splitting strategy, as ``cv`` in ``cross_validate``: an int
        is a (Stratified)KFold without shuffling. The outer splits are
        computed once.

    groups : array-like of shape (n_samples,), default=None
        Group labels, sent to both levels: to the outer splitter, and (the
        outer training part) to the inner search's ``fit``, which passes them
        to its ``cv``. Use group-aware splitters (``GroupKFold``, ...) at both
        levels so that no group is on both sides of any split. Works with and
        without metadata routing (see Notes).

    scoring : str, callable, list, tuple or dict, default=None
        The outer metrics, as in ``cross_validate``. None: the search's
        ``score``, i.e. the metric the search optimises; it must then select
        by a named metric (a search with several metrics and a callable
        ``refit`` needs ``scoring``).

    n_jobs : int, default=None
        Outer folds run in parallel. When this gives more than one worker and
        the search's ``n_jobs`` is None, each fold's search runs with
        ``n_jobs=1``, so outer and inner parallelism do not multiply (see
        Notes). ``None`` means 1 unless in a :func:`joblib.parallel_config`
        context.

    random_state : int, RandomState instance or None, default=None
        If the search has a ``random_state`` parameter, each outer fold's
        search gets its own seed, spawned from this one with
        :class:`numpy.random.SeedSequence` (listed in ``seeds``): folds are
        independent and the whole run is reproducible. None: every fold keeps
        the search's own ``random_state``. The estimator's own
        ``random_state`` is never changed, and a shuffling ``outer_cv`` keeps
        its own.

    params : dict, default=None
        Metadata passed on to the search's ``fit`` (e.g. ``sample_weight``),
        sliced to each outer training set, as ``params`` in
        ``cross_validate``. Pass groups with ``groups``, not here.

    Returns
    -------
    result : NestedCVResult
        Outer scores, best parameters, inner best scores, fitted searches and
        the stability of the best parameters across outer folds; its
        ``summary()`` prints them.

    See Also
    --------
    sklearn.model_selection.cross_validate : What runs each outer fold.

    Notes
    -----
    **Groups.** Without metadata routing, ``cross_validate(groups=...)``
    gives groups to the outer splitter only; this function also passes them
    to the search's ``fit``, where ``BaseSearchCV`` gives them to the inner
    splitter. With ``sklearn.set_config(enable_metadata_routing=True)``,
    they go to the search's ``fit`` when the search requests them (its
    ``cv`` is a group splitter), as routing would route them.

    **Parallelism.** Outer folds run in parallel with ``n_jobs``; each runs
    its whole inner search in one worker. If both levels used every core,
    ``n_outer × n_inner`` processes would compete for them. The rule: when
    the outer level has more than one worker and the search's ``n_jobs`` is
    None (unset), the inner searches get ``n_jobs=1``. An inner ``n_jobs``
    you set is kept; then set this ``n_jobs`` to 1 to parallelise only inside
    the searches, which lets a ``BayesTuneCV`` propose batches. A
    ``BayesTuneCV`` with ``batch_size=None`` sizes its batches from its
    ``n_jobs``, so the rule changes its candidates (not their validity); fix
    ``batch_size`` to make them independent of ``n_jobs``.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import RandomTuneCV, nested_cross_validate
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomTuneCV(SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=4, cv=3)
    >>> result = nested_cross_validate(search, X, y, outer_cv=3, random_state=0)
    >>> result.outer_scores["score"]
    array([1.  , 0.98, 0.98])
    >>> result.param_stability["C"].measure
    'log10_spread'
    >>> print(result.summary())
    Nested cross-validation, 3 outer folds
      outer score        0.987 ± 0.009   folds: 1.000 0.980 0.980
      inner best_score_  0.977 ± 0.005
    Best parameters across the outer folds:
      C  log10_spread 1.39 decades (median 20.5)
    """
    _check_arguments(search, scoring, n_jobs, random_state, params)
    X, y, groups = indexable(X, y, groups)
    cv = check_cv(outer_cv, y, classifier=is_classifier(search))
    splits = list(cv.split(X, y, groups))
    if not splits:
        raise ValueError(
            "The 'outer_cv' parameter of nested_cross_validate gave no splits. "
            "Pass an int >= 2, a splitter or a non-empty iterable of "
            "(train, test) index arrays."
        )
    seeds = _fold_seeds(search, random_state, len(splits))

    n_outer = min(effective_n_jobs(n_jobs), len(splits))
    inner_n_jobs = search.n_jobs
    if n_outer > 1 and inner_n_jobs is None:
        inner_n_jobs = 1
    fit_params = _with_groups(search, dict(params or {}), groups)

    try:
        folds = Parallel(n_jobs=n_outer)(
            delayed(cross_validate)(
                _fold_search(search, seed, inner_n_jobs),
                X,
                y,
                cv=[split],
                scoring=scoring,
                params=fit_params,
                return_estimator=True,
                # An outer failure is a broken search, not a score.
                error_score="raise",
            )
            for split, seed in zip(splits, seeds)
        )
    except KeyError as exc:
        # search.score with a callable refit, once a callable scoring has
        # shown itself multimetric (which _check_arguments cannot know).
        if (
            scoring is None
            and callable(search.refit)
            and exc.args[:1]
            and callable(exc.args[0])
        ):
            raise ValueError(_NEEDS_SCORING + " Pass scoring=.") from exc
        raise
    return _collect(folds, seeds)


def param_stability(best_params) -> dict[str, ParamStability]:
    """The stability of each parameter over a list of best-parameter dicts.

    Parameters
    ----------
    best_params : list of dict
        One dict of best parameters per outer fold.

    Returns
    -------
    stability : dict of str -> ParamStability
        One entry per parameter name found in any dict, sorted by name. A name
        missing from some dicts (alternative subspaces) counts as the value
        ``<absent>`` there, and its measure is ``"agreement"``.
    """
    names = sorted({name for params in best_params for name in params})
    return {
        name: _stability([params.get(name, _ABSENT) for params in best_params])
        for name in names
    }


# -- private ---------------------------------------------------------------


class _Absent:
    def __repr__(self):
        return "<absent>"


_ABSENT = _Absent()


def _is_number(value) -> bool:
    return (
        isinstance(value, Real)
        and not isinstance(value, (bool, np.bool_))
        and bool(np.isfinite(value))
    )


def _stability(values) -> ParamStability:
    if values and all(_is_number(v) for v in values):
        numbers = np.asarray(values, dtype=float)
        median = float(np.median(numbers))
        if np.all(numbers > 0):
            decades = np.ptp(np.log10(numbers))
            return ParamStability("log10_spread", float(decades), median)
        std, mean = numbers.std(), numbers.mean()
        if std == 0:
            cv = 0.0
        elif mean == 0:
            cv = np.inf
        else:
            cv = float(std / abs(mean))
        return ParamStability("cv", cv, median)
    # Compared by repr: values may be unhashable or estimators, whose == is
    # identity, while two folds' clones of one estimator have equal reprs.
    keys = [repr(v) for v in values]
    mode, count = Counter(keys).most_common(1)[0]
    return ParamStability("agreement", count / len(values), values[keys.index(mode)])


_NEEDS_SCORING = (
    "The 'scoring' parameter of nested_cross_validate is needed when the "
    "search scores several metrics and its refit is a callable: search.score "
    "cannot tell which metric to score the outer folds with."
)


def _check_arguments(search, scoring, n_jobs, random_state, params):
    if not isinstance(search, BaseSearchCV):
        raise TypeError(
            "The 'search' parameter of nested_cross_validate must be a "
            "hyperparameter search (GridTuneCV, RandomTuneCV, BayesTuneCV or "
            f"another BaseSearchCV such as GridSearchCV). Got {search!r} "
            "instead. To cross-validate an estimator without tuning it, use "
            "sklearn.model_selection.cross_validate."
        )
    if search.refit is False:
        raise ValueError(
            "The 'search' parameter of nested_cross_validate must refit its "
            "best candidate: the outer folds score the refitted model. Got a "
            "search with refit=False; set refit=True (with several metrics, "
            "refit=<the metric to select on>)."
        )
    if (
        scoring is None
        and callable(search.refit)
        and isinstance(search.scoring, (dict, list, tuple, set))
    ):
        # The outer folds would call search.score, which cannot tell which
        # metric a callable refit selects on (a KeyError after a whole fold).
        raise ValueError(
            f"{_NEEDS_SCORING} Pass scoring=, e.g. one of the search's metrics "
            f"({', '.join(repr(name) for name in search.scoring)})."
        )
    if getattr(search, "checkpoint", None) is not None:
        raise ValueError(
            "The 'search' parameter of nested_cross_validate must have "
            "checkpoint=None: each outer fold runs its own search on other data, "
            "so they cannot share one checkpoint file (the second fold would "
            f"refuse it). Got checkpoint={search.checkpoint!r}."
        )
    if n_jobs is not None and (
        not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool) or n_jobs == 0
    ):
        raise ValueError(
            "The 'n_jobs' parameter of nested_cross_validate must be a nonzero "
            f"int or None. Got {n_jobs!r} instead."
        )
    if not (
        random_state is None
        or isinstance(random_state, np.random.RandomState)
        or (
            isinstance(random_state, Integral)
            and not isinstance(random_state, bool)
            and 0 <= random_state <= _MAX_SEED
        )
    ):
        raise ValueError(
            "The 'random_state' parameter of nested_cross_validate must be an "
            f"int in the range [0, {_MAX_SEED}], an instance of "
            f"'numpy.random.RandomState' or None. Got {random_state!r} instead."
        )
    if params is not None and not isinstance(params, dict):
        raise TypeError(
            "The 'params' parameter of nested_cross_validate must be a dict or "
            f"None. Got {type(params).__name__} instead."
        )
    if params is not None and "groups" in params:
        raise ValueError(
            "nested_cross_validate takes groups through its 'groups' "
            "parameter, which sends them to both the outer splitter and the "
            "inner search; remove 'groups' from 'params' and pass groups=..."
        )


def _fold_seeds(search, random_state, n_folds) -> list[int | None]:
    """One seed per outer fold, spawned from ``random_state`` (None: keep)."""
    if random_state is None or "random_state" not in search.get_params(deep=False):
        return [None] * n_folds
    if isinstance(random_state, Integral):
        entropy = int(random_state)
    else:
        entropy = int(check_random_state(random_state).randint(_MAX_SEED))
    children = np.random.SeedSequence(entropy).spawn(n_folds)
    return [int(child.generate_state(1)[0]) for child in children]


def _fold_search(search, seed, n_jobs):
    fold_search = clone(search)
    changes = {} if seed is None else {"random_state": seed}
    if n_jobs != search.n_jobs:
        changes["n_jobs"] = n_jobs
    return fold_search.set_params(**changes)


def _with_groups(search, params, groups) -> dict:
    """``params`` plus the groups, when the inner search should get them."""
    if groups is None:
        return params
    # With routing, cross_validate refuses metadata nobody requested; the
    # search requests groups exactly when its cv is a group splitter.
    if get_config()["enable_metadata_routing"] and not get_routing_for_object(
        search
    ).consumes("fit", ["groups"]):
        return params
    # Without routing, BaseSearchCV.fit hands a 'groups' fit parameter to its
    # splitter, and cross_validate slices it to the outer training set.
    return {**params, "groups": groups}


def _collect(folds, seeds) -> NestedCVResult:
    estimators = [fold["estimator"][0] for fold in folds]
    names = [key[len("test_") :] for key in folds[0] if key.startswith("test_")]
    outer_scores = {
        name: np.array([fold[f"test_{name}"][0] for fold in folds]) for name in names
    }
    best_params = [est.best_params_ for est in estimators]
    return NestedCVResult(
        outer_scores=outer_scores,
        best_params=best_params,
        inner_best_scores=np.array(
            [getattr(est, "best_score_", np.nan) for est in estimators], dtype=float
        ),
        estimators=estimators,
        param_stability=param_stability(best_params),
        seeds=list(seeds),
        fit_time=np.array([fold["fit_time"][0] for fold in folds]),
        score_time=np.array([fold["score_time"][0] for fold in folds]),
    )


def _mean_std(scores) -> str:
    scores = np.asarray(scores, dtype=float)
    if np.all(np.isnan(scores)):
        return "n/a"
    return f"{np.nanmean(scores):.3f} ± {np.nanstd(scores):.3f}"


def _format_value(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if _is_number(value):
        return f"{value:.3g}"
    return repr(value)


def _describe(stability: ParamStability) -> str:
    typical = _format_value(stability.typical)
    if stability.measure == "agreement":
        return f"agreement {stability.value:.2f} (mode {typical})"
    if stability.measure == "log10_spread":
        return f"log10_spread {stability.value:.2f} decades (median {typical})"
    return f"cv {stability.value:.2f} (median {typical})"

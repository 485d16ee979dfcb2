"""ConvergenceDisplay: the best score found so far against the search's progress."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._base import check_cv_results, check_matplotlib, told_optimizer


def _search_metric(search, cv_results) -> str:
    """The metric a search selects its best candidate by."""
    # refit first: several metrics may include one named "score".
    refit = getattr(search, "refit", None)
    if isinstance(refit, str) and f"mean_test_{refit}" in cv_results:
        return refit
    if "mean_test_score" in cv_results:
        return "score"
    raise ValueError(
        f"This {type(search).__name__} scored several metrics and refit does not "
        f"name one; choose it with metric=, one of {_metrics(cv_results)}."
    )


def _metrics(cv_results) -> list[str]:
    return [
        key[len("mean_test_") :] for key in cv_results if key.startswith("mean_test_")
    ]


class ConvergenceDisplay:
    """The best mean test score so far against the number of evaluated candidates.

    Candidates are taken in ``cv_results_`` order: the order they were
    proposed for ``RandomTuneCV`` and ``BayesTuneCV`` (and scikit-learn's
    ``RandomizedSearchCV``), grid order for ``GridTuneCV`` and
    ``GridSearchCV``. Candidates whose mean test score is NaN (failed fits,
    candidates stopped early) are skipped: the curve keeps its level there.
    A ``BayesOptimizer``'s told values are followed in its direction.

    Create it with :meth:`from_estimator` or :meth:`from_cv_results`. To
    compare searches, draw each on the same axes: pass ``ax=display.ax_`` of
    the first to the next ``from_estimator`` call (or call
    ``.plot(ax=display.ax_)`` on a second display), with a ``label`` for each.

    Parameters
    ----------
    n_candidates : ndarray of shape (n,)
        ``1, 2, ..., n``: the number of candidates evaluated.
    best_scores : ndarray of shape (n,)
        The best finite mean test score among the first ``k`` candidates
        (NaN until one is finite).
    scores : ndarray of shape (n,)
        The mean test score of each candidate.
    metric : str or None, default="score"
        The scorer name (``"score"`` for a single metric), for the axis label;
        None for the told values of a ``BayesOptimizer``.
    label : str, default=None
        Legend entry of the curve.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The best-so-far curve.
    scatter_ : matplotlib PathCollection or None
        The individual scores, when drawn with ``show_scores=True``.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    EvaluationsDisplay : Where a search sampled.

    Examples
    --------
    Compare a grid search with a Bayesian search on the same axes:

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import (BayesTuneCV, ConvergenceDisplay,
    ...                                GridTuneCV, Real)
    >>> X, y = load_iris(return_X_y=True)
    >>> grid = GridTuneCV(SVC(), {"C": [0.01, 0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    >>> bayes = BayesTuneCV(SVC(), {"C": Real(1e-2, 1e2, prior="log-uniform")},
    ...                     n_iter=6, cv=3, random_state=0).fit(X, y)
    >>> display = ConvergenceDisplay.from_estimator(grid, label="grid")
    >>> display = ConvergenceDisplay.from_estimator(
    ...     bayes, ax=display.ax_, label="Bayes")
    >>> len(display.ax_.lines)
    2
    >>> float(display.best_scores[-1])
    0.98...
    """

    def __init__(
        self, *, n_candidates, best_scores, scores, metric="score", label=None
    ):
        self.n_candidates = n_candidates
        self.best_scores = best_scores
        self.scores = scores
        self.metric = metric
        self.label = label

    @classmethod
    def from_estimator(cls, search, *, metric=None, ax=None, label=None, **kwargs):
        """Plot the convergence of a fitted search or of a BayesOptimizer.

        Parameters
        ----------
        search : fitted search or BayesOptimizer
            A fitted GridTuneCV, RandomTuneCV, BayesTuneCV or scikit-learn
            search; or a BayesOptimizer, whose told values are followed in
            its direction (the lowest so far when it minimises). Points told
            as NaN or infinite (failures) keep the curve's level.
        metric : str, default=None
            The scorer to follow; None: the one the search selects by (its
            ``refit`` metric when it scored several). Not for an optimizer.
        ax : matplotlib Axes, default=None
            Axes to draw on (e.g. another display's ``ax_``); None: a new
            figure.
        label : str, default=None
            Legend entry of the curve.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ConvergenceDisplay
        """
        caller = "ConvergenceDisplay.from_estimator"
        optimizer = told_optimizer(search, caller)
        if optimizer is not None:
            if metric is not None:
                raise ValueError(
                    f"metric must be None for a BayesOptimizer, which has one "
                    f"objective; got {metric!r}."
                )
            return cls._from_scores(
                optimizer.values,
                maximize=optimizer.direction == "maximize",
                metric=None,
                label=label,
            ).plot(ax=ax, **kwargs)
        cv_results = check_cv_results(search, caller)
        if metric is None:
            metric = _search_metric(search, cv_results)
        return cls.from_cv_results(
            cv_results, metric=metric, ax=ax, label=label, **kwargs
        )

    @classmethod
    def from_cv_results(
        cls, cv_results, *, metric="score", ax=None, label=None, **kwargs
    ):
        """Plot the convergence recorded in a ``cv_results_`` dict.

        Parameters
        ----------
        cv_results : dict
            A search's ``cv_results_``.
        metric : str, default="score"
            The scorer to follow: ``cv_results["mean_test_<metric>"]``.
        ax : matplotlib Axes, default=None
        label : str, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ConvergenceDisplay
        """
        if not isinstance(cv_results, Mapping):
            raise TypeError(
                "cv_results must be a search's cv_results_ dict; got "
                f"{type(cv_results).__name__}. For a search, use from_estimator."
            )
        key = f"mean_test_{metric}"
        if key not in cv_results:
            raise ValueError(
                f"cv_results has no {key!r}: metric must be one of "
                f"{_metrics(cv_results)}; got {metric!r}."
            )
        scores = np.asarray(cv_results[key], dtype=float)
        return cls._from_scores(scores, maximize=True, metric=metric, label=label).plot(
            ax=ax, **kwargs
        )

    @classmethod
    def _from_scores(cls, scores, *, maximize, metric, label):
        # fmax and fmin ignore NaN: non-finite scores (failures) leave the
        # running best as is.
        finite = np.where(np.isfinite(scores), scores, np.nan)
        running = np.fmax if maximize else np.fmin
        return cls(
            n_candidates=np.arange(1, scores.size + 1),
            best_scores=running.accumulate(finite) if scores.size else finite,
            scores=scores,
            metric=metric,
            label=label,
        )

    def plot(self, ax=None, *, label=None, show_scores=False, **kwargs):
        """Draw the best-so-far curve.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None: a new figure and axes.
        label : str, default=None
            Legend entry; None: the display's ``label``. A legend is drawn
            when the axes hold a labelled curve.
        show_scores : bool, default=False
            Also scatter each candidate's mean test score.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : ConvergenceDisplay
        """
        plt = check_matplotlib("ConvergenceDisplay.plot")
        if ax is None:
            _, ax = plt.subplots()
        label = self.label if label is None else label
        (self.line_,) = ax.plot(
            self.n_candidates,
            self.best_scores,
            drawstyle="steps-post",
            label=label,
            **kwargs,
        )
        self.scatter_ = None
        if show_scores:
            self.scatter_ = ax.scatter(
                self.n_candidates,
                self.scores,
                s=12,
                color=self.line_.get_color(),
                alpha=0.5,
            )
        if self.metric is None:
            ax.set_xlabel("Number of told points")
            ax.set_ylabel("Best told value so far")
        else:
            ax.set_xlabel("Number of evaluated candidates")
            ax.set_ylabel(f"Best mean test {self.metric} so far")
        if any(not line.get_label().startswith("_") for line in ax.lines):
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

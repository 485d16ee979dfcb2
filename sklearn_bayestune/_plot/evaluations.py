"""EvaluationsDisplay: where a search sampled, and in which order."""

from __future__ import annotations

import numpy as np

from .._space import SearchSpace
from ._base import (
    check_cv_results,
    check_matplotlib,
    is_log_dimension,
    is_number,
    label_matrix,
    matrix_axes,
    select_parameters,
    told_optimizer,
)

# A positive numeric parameter of a plain list spanning this ratio or more
# gets a log axis (C in [0.1, 1, 10] does).
_LOG_SPAN = 100.0


def _search_space(search) -> SearchSpace | None:
    """A search's space as a SearchSpace, if we can read it."""
    spec = getattr(search, "param_distributions", None)
    if spec is None:
        spec = getattr(search, "param_grid", None)
    try:
        return SearchSpace(spec)
    except (TypeError, ValueError):
        return None


def _space_dimensions(space, name) -> list:
    """The dimensions (or rvs objects) ``space`` gives ``name``, if any."""
    if space is None:
        return []
    return [sub[name] for sub in space.subspaces if name in sub]


def _same(a, b) -> bool:
    """Category equality that keeps True apart from 1 and survives arrays."""
    if a is b:
        return True
    boolean = (bool, np.bool_)
    if is_number(a) != is_number(b) or isinstance(a, boolean) != isinstance(b, boolean):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _categories(values, dimensions) -> list:
    """Categories of a parameter: as the space lists them, then as they appear."""
    categories = []
    declared = [c for d in dimensions if hasattr(d, "categories") for c in d.categories]
    for value in declared + list(values):
        if not any(_same(c, value) for c in categories):
            categories.append(value)
    return categories


def _parameter_column(space, params, name):
    """(coordinates, categories, log) of one parameter over the candidates."""
    present = [i for i, p in enumerate(params) if name in p]
    values = [params[i][name] for i in present]
    coordinates = np.full(len(params), np.nan)
    dimensions = _space_dimensions(space, name)
    if all(is_number(v) for v in values):
        coordinates[present] = np.asarray(values, dtype=float)
        ordered = [
            d for d in dimensions if getattr(d, "kind", None) in ("real", "integer")
        ]
        finite = coordinates[np.isfinite(coordinates)]
        # A log axis needs every value positive: another subspace may give a
        # log-uniform parameter the value 0 ("or no regularisation at all").
        log = bool(finite.size and finite.min() > 0) and (
            any(is_log_dimension(d) for d in ordered)
            if ordered
            else finite.max() / finite.min() >= _LOG_SPAN
        )
        return coordinates, None, log
    categories = _categories(values, dimensions)
    coordinates[present] = [
        next(k for k, c in enumerate(categories) if _same(c, v)) for v in values
    ]
    return coordinates, categories, False


class EvaluationsDisplay:
    """Where a search sampled: a scatter matrix coloured by evaluation order.

    Below the diagonal, each pair of parameters is scattered with one point
    per candidate, coloured by its position in ``cv_results_`` (the proposal
    order for ``RandomTuneCV`` and ``BayesTuneCV``), and the best candidate
    marked with a red star; the diagonal holds a histogram of each parameter.
    Works for any search, from ``cv_results_["params"]``: numeric parameters
    on numeric axes (log axes for log-uniform dimensions, and for positive
    value lists spanning two decades or more), others as categories at
    positions 0, 1, ... . A candidate without a parameter (alternative
    subspaces) is left out of the plots of that parameter.

    Create it with :meth:`from_estimator`.

    Parameters
    ----------
    parameters : list of str
        Parameter names, in plot order.
    values : ndarray of shape (n_candidates, len(parameters))
        Plot coordinates of each candidate: values, or category positions;
        NaN where a parameter does not apply.
    categories : list of (list or None)
        Category values of each categorical parameter; None for a numeric one.
    log_scale : list of bool
        Whether each parameter is drawn on a log axis.
    best_index : int or None
        Row of the best candidate (the search's ``best_index_``).

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (d, d)
        The upper triangle is hidden.
    histograms_ : ndarray of matplotlib BarContainer, shape (d,)
    scatters_ : ndarray of object, shape (d, d)
        The PathCollection of each lower-triangle plot, None elsewhere.
    colorbar_ : matplotlib Colorbar or None
        The evaluation order scale, when there are pairs.
    figure_ : matplotlib Figure

    See Also
    --------
    ConvergenceDisplay : The best score so far.
    ObjectiveDisplay : What the Bayesian search's surrogate learned.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import EvaluationsDisplay, RandomTuneCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = RandomTuneCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e2), "kernel": ["linear", "rbf"]},
    ...     n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> display = EvaluationsDisplay.from_estimator(search)
    >>> display.parameters, display.categories[1]
    (['C', 'kernel'], ['linear', 'rbf'])
    >>> display.axes_[1, 0].get_xscale()
    'log'
    """

    def __init__(self, *, parameters, values, categories, log_scale, best_index=None):
        self.parameters = parameters
        self.values = values
        self.categories = categories
        self.log_scale = log_scale
        self.best_index = best_index

    @classmethod
    def from_estimator(cls, search, *, parameters=None, ax=None, **kwargs):
        """Collect the sampled parameter values of a fitted search and plot them.

        Parameters
        ----------
        search : fitted search or BayesOptimizer
            A fitted GridTuneCV, RandomTuneCV, BayesTuneCV or scikit-learn
            search; or a BayesOptimizer, whose told points are shown.
        parameters : list of str, default=None
            Parameters to show, in this order; None: all, sorted.
        ax : matplotlib Axes or array of Axes, default=None
            An array of shape (d, d) for d parameters (a single Axes for one);
            None: a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : EvaluationsDisplay
        """
        caller = "EvaluationsDisplay.from_estimator"
        optimizer = told_optimizer(search, caller)
        if optimizer is None:
            params = list(check_cv_results(search, caller)["params"])
            space = _search_space(search)
            best_index = getattr(search, "best_index_", None)
        else:
            params, space = optimizer.told_params, optimizer.space
            best_index = optimizer.best_index
        names = sorted({name for p in params for name in p})
        names = [names[k] for k in select_parameters(names, parameters, caller)]
        columns = [_parameter_column(space, params, name) for name in names]
        display = cls(
            parameters=names,
            values=np.column_stack([c[0] for c in columns])
            if columns
            else np.empty((len(params), 0)),
            categories=[c[1] for c in columns],
            log_scale=[c[2] for c in columns],
            best_index=None if best_index is None else int(best_index),
        )
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, bins=10, cmap="viridis"):
        """Draw the scatter matrix.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            An array of shape (d, d) for d parameters (a single Axes for one);
            None: a new figure.
        bins : int, default=10
            Histogram bins of a numeric parameter (log-spaced on a log axis).
        cmap : str or Colormap, default="viridis"
            Colour map of the evaluation order (first to last).

        Returns
        -------
        display : EvaluationsDisplay
        """
        plt = check_matplotlib("EvaluationsDisplay.plot")
        d = len(self.parameters)
        self.figure_, self.axes_ = matrix_axes(plt, d, ax, "EvaluationsDisplay")
        self.histograms_ = np.empty(d, dtype=object)
        self.scatters_ = np.empty((d, d), dtype=object)
        for a in range(d):
            self.histograms_[a] = self._histogram(self.axes_[a, a], a, bins)
        order = np.arange(len(self.values))
        for a in range(d):
            for b in range(a):
                self.scatters_[a, b] = self._scatter(a, b, order, cmap)
        self.colorbar_ = None
        if d > 1:
            self.colorbar_ = self.figure_.colorbar(
                self.scatters_[1, 0],
                ax=[axes for axes in self.axes_.ravel() if axes.get_visible()],
                label="evaluation order",
                pad=0.15,
            )
        label_matrix(
            self.axes_, self.parameters, self.categories, self.log_scale, "count"
        )
        return self

    def _histogram(self, ax, a, bins):
        x = self.values[:, a]
        x = x[np.isfinite(x)]
        if self.categories[a] is not None:
            positions = np.arange(len(self.categories[a]))
            counts = np.bincount(x.astype(int), minlength=len(positions))
            return ax.bar(positions, counts, width=0.8)
        if self.log_scale[a] and x.size:
            low, high = x.min(), x.max()
            bins = np.geomspace(low, high if high > low else 10 * low, bins + 1)
        return ax.hist(x, bins=bins)[2]

    def _scatter(self, a, b, order, cmap):
        ax = self.axes_[a, b]
        shown = np.isfinite(self.values[:, a]) & np.isfinite(self.values[:, b])
        scatter = ax.scatter(
            self.values[shown, b],
            self.values[shown, a],
            c=order[shown],
            cmap=cmap,
            vmin=0,
            vmax=max(len(order) - 1, 1),
            s=16,
        )
        best = self.best_index
        if best is not None and shown[best]:
            ax.scatter(
                self.values[best, b], self.values[best, a], marker="*", s=80, c="r"
            )
        return scatter

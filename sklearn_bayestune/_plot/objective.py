"""ObjectiveDisplay: partial dependence of a BayesTuneCV's Gaussian-process surrogate.

Notation
--------
gp
    The surrogate ``search.optimizer_.gp_``: ``gp.predict(X_unit)`` gives the
    posterior mean and std of the transformed, maximised score.
X_ref : (m, d)
    Reference rows: the surrogate's training rows (evaluated candidates, at
    most ``n_samples`` of them) over which the other coordinates are averaged.
u : (n_k,)
    Unit-cube grid of one column; ``coordinates`` are the same points in plot
    units (parameter values, or category positions 0, 1, ...).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from ._base import (
    check_fitted_bayes,
    check_matplotlib,
    column_dimension,
    column_names,
    is_log_dimension,
    label_matrix,
    matrix_axes,
    select_parameters,
    varying_columns,
)

SURROGATE_LABEL = "surrogate score (standardised)"

# Kernel entries evaluated at once by the GP (8 MiB of float64 per block).
_MAX_CELLS = 2**20


def _unit_grid(space, j: int, n_points: int) -> np.ndarray:
    """At most ``n_points`` sorted unit values of column ``j`` to evaluate on."""
    choices = space.unit_choices(j)
    if choices is not None and (space.categorical[j] or len(choices) <= n_points):
        return choices
    dim = column_dimension(space, j)
    if np.isfinite(float(dim.low)) and np.isfinite(float(dim.high)):
        u = np.linspace(0.0, 1.0, n_points)
    else:
        # An unbounded prior: its quantiles at cell midpoints, not its far tails.
        u = (np.arange(n_points) + 0.5) / n_points
    return np.unique(dim.snap_unit(u))


def _coordinates(space, j: int, u) -> np.ndarray:
    """Plot coordinates of unit values of column ``j``: values or category positions."""
    u = np.asarray(u, dtype=float)
    if space.categorical[j]:
        choices = space.unit_choices(j)
        return np.argmin(np.abs(u[:, None] - choices[None, :]), axis=1).astype(float)
    return np.asarray(column_dimension(space, j).from_unit(u), dtype=float)


def _categories(space, j: int):
    """Category labels of a categorical column, None for an ordered one."""
    if not space.categorical[j]:
        return None
    return column_dimension(space, j).from_unit(space.unit_choices(j))


def partial_dependence(gp, X_ref, columns, grids):
    """Average of the GP posterior over ``X_ref`` with ``columns`` set to a grid.

    For every grid point g, ``mean[g] = 1/m sum_r mu(x_r with x_r[columns] = g)``
    over the reference rows x_r (Monte Carlo over the evaluated points, as
    scikit-optimize's ``partial_dependence`` does over random points), and
    ``std[g]`` is the same average of the posterior std: an upper bound on the
    posterior std of ``mean[g]`` (the std of a sum is at most the sum of stds).

    Parameters
    ----------
    gp : GaussianProcess
    X_ref : ndarray of shape (m, d)
    columns : list of int, length k
    grids : list of k ndarrays of unit values, shapes (n_1,), ..., (n_k,)

    Returns
    -------
    mean, std : ndarray of shape (n_1, ..., n_k)
    """
    mesh = np.meshgrid(*grids, indexing="ij")
    G = np.stack([axis.ravel() for axis in mesh], axis=1)  # (g, k)
    m, d = X_ref.shape
    mean, std = np.empty(len(G)), np.empty(len(G))
    block = max(1, _MAX_CELLS // (m * max(1, len(gp.X_train))))
    for start in range(0, len(G), block):
        stop = min(start + block, len(G))
        X = np.repeat(X_ref[None], stop - start, axis=0)  # (b, m, d)
        X[:, :, columns] = G[start:stop, None, :]
        mu, sigma = gp.predict(X.reshape(-1, d))
        mean[start:stop] = mu.reshape(-1, m).mean(axis=1)
        std[start:stop] = sigma.reshape(-1, m).mean(axis=1)
    return mean.reshape(mesh[0].shape), std.reshape(mesh[0].shape)


def _reference_rows(X, active, columns, n_samples):
    """Rows of X active in every one of ``columns``, at most ``n_samples``, evenly."""
    rows = np.flatnonzero(active[:, columns].all(axis=1))
    if len(rows) > n_samples:
        picks = np.linspace(0, len(rows) - 1, n_samples).round().astype(np.intp)
        rows = rows[np.unique(picks)]
    return X[rows]


class ObjectiveDisplay:
    """Partial dependence of a ``BayesTuneCV``'s surrogate on its parameters.

    In the style of scikit-optimize's ``plot_objective``, a matrix of plots
    of the Gaussian-process surrogate that chose the candidates:

    - on the diagonal, the partial dependence on each parameter: a curve with
      a band of plus and minus one posterior std (points with error bars for
      a categorical parameter), and the evaluated candidates as dots at their
      observed scores;
    - below the diagonal, the partial dependence on each pair of parameters:
      filled contours (cells when a parameter is categorical) on one shared
      colour scale, with the evaluated candidates scattered and the best one
      marked with a red star.

    **Averaging.** The partial dependence at a value v of a parameter is the
    posterior mean with that parameter set to v, averaged over the evaluated
    candidates the surrogate was fitted on (at most ``n_samples`` of them),
    whose other coordinates stay as evaluated: a Monte Carlo estimate of the
    average over where the search sampled, not over the prior. The band is
    the same average of the posterior std, an upper bound on the std of the
    average. With alternative subspaces (a list of dicts), only candidates
    of the subspaces holding the parameter (or both parameters of a pair)
    enter the average; a pair that no subspace holds together is left blank.

    **Scale.** Values are on the surrogate's scale, not in score units: the
    mean test scores after the search's output transform (winsorised from
    below, Yeo-Johnson transformed, standardised), a monotone increasing map.
    Higher is better, maxima are where the score's are, and one unit is about
    one standard deviation of the observed scores. The surrogate is the one
    of the last model-based proposal, so candidates evaluated after it (the
    final batch) are not in it and are not drawn.

    Axes are in parameter units: log axes for log-uniform Reals (and
    log-uniform or log-normal ``scipy.stats`` priors), categories at
    positions 0, 1, ... labelled with their values. The subspace choice of a
    list-of-dicts space and parameters with one value are not drawn.

    Create it with :meth:`from_estimator`.

    Parameters
    ----------
    parameters : list of str
        Parameter names, in plot order.
    grids : list of ndarray
        Plot coordinates of each parameter's grid: values, or category
        positions.
    categories : list of (list or None)
        Category values of each categorical parameter; None for an ordered
        one.
    log_scale : list of bool
        Whether each parameter is drawn on a log axis.
    pd_mean, pd_std : list of ndarray
        The partial dependence on each parameter over its grid, and its band.
    pd_mean_2d : dict
        ``(i, j) -> ndarray of shape (len(grids[i]), len(grids[j]))`` for
        ``i > j``: the partial dependence on parameters i (rows) and j
        (columns), None where no subspace holds both.
    points : ndarray of shape (n, len(parameters))
        Plot coordinates of the candidates the surrogate was fitted on, NaN
        where a parameter does not apply.
    point_scores : ndarray of shape (n,)
        Their observed scores on the surrogate's scale.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (d, d)
        The upper triangle is hidden.
    lines_ : ndarray of matplotlib Line2D, shape (d,)
        The partial dependence curve of each diagonal plot.
    bands_ : ndarray of object, shape (d,)
        The ±std band of each (a PolyCollection, or the ErrorbarContainer of a
        categorical parameter).
    contours_ : ndarray of object, shape (d, d)
        The ContourSet (or QuadMesh) of each lower-triangle plot, None
        elsewhere.
    colorbar_ : matplotlib Colorbar or None
        The shared colour scale, when there are pairs.
    figure_ : matplotlib Figure

    See Also
    --------
    ParameterImportanceDisplay : The surrogate's lengthscales as importances.
    EvaluationsDisplay : Where the search sampled.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import BayesTuneCV, ObjectiveDisplay, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesTuneCV(
    ...     SVC(),
    ...     {"C": Real(1e-2, 1e2, prior="log-uniform"),
    ...      "gamma": Real(1e-3, 1.0, prior="log-uniform")},
    ...     n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> display = ObjectiveDisplay.from_estimator(search, n_points=20)
    >>> display.parameters
    ['C', 'gamma']
    >>> display.pd_mean_2d[1, 0].shape
    (20, 20)
    >>> display.axes_[1, 0].get_xscale()
    'log'
    """

    def __init__(
        self,
        *,
        parameters,
        grids,
        categories,
        log_scale,
        pd_mean,
        pd_std,
        pd_mean_2d,
        points,
        point_scores,
    ):
        self.parameters = parameters
        self.grids = grids
        self.categories = categories
        self.log_scale = log_scale
        self.pd_mean = pd_mean
        self.pd_std = pd_std
        self.pd_mean_2d = pd_mean_2d
        self.points = points
        self.point_scores = point_scores

    @classmethod
    def from_estimator(
        cls, search, *, parameters=None, n_points=40, n_samples=100, ax=None, **kwargs
    ):
        """Compute the surrogate's partial dependence and plot it.

        Parameters
        ----------
        search : fitted BayesTuneCV or BayesOptimizer
            For an optimizer: the surrogate of its last model-based
            ``ask``, on the points told before it. Its scale has higher
            better whatever the direction: a minimised objective appears
            negated.
        parameters : list of str, default=None
            Parameters to show, in this order; None: all. Parameters with a
            single value are never drawn. With alternative subspaces, a key encoded
            differently in several of them is named ``"key (subspace s)"``.
        n_points : int, default=40
            Grid points per parameter (fewer for a parameter with fewer
            values; each category once).
        n_samples : int, default=100
            At most this many evaluated candidates are averaged over (evenly
            spaced in evaluation order).
        ax : matplotlib Axes or array of Axes, default=None
            An array of shape (d, d) for d parameters (a single Axes for one);
            None: a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ObjectiveDisplay
        """
        caller = "ObjectiveDisplay.from_estimator"
        optimizer = check_fitted_bayes(search, caller)
        for name, value, low in (
            ("n_points", n_points, 2),
            ("n_samples", n_samples, 1),
        ):
            if not isinstance(value, Integral) or value < low:
                raise ValueError(
                    f"{name} must be an int >= {low} for {caller}; got {value!r}."
                )
        space, gp = optimizer.space, optimizer.gp_
        names = column_names(space)
        varying = [j for j in varying_columns(space) if space.columns[j][1] is not None]
        if not varying:
            raise ValueError(
                f"{caller} has nothing to draw: every parameter of the search takes "
                "a single value."
            )
        chosen = select_parameters([names[j] for j in varying], parameters, caller)
        columns = [varying[k] for k in chosen]
        return cls._compute(space, gp, columns, names, n_points, n_samples).plot(
            ax=ax, **kwargs
        )

    @classmethod
    def _compute(cls, space, gp, columns, names, n_points, n_samples):
        X, active = gp.X_train, space.active(gp.X_train)
        units = [_unit_grid(space, j, n_points) for j in columns]
        pd_mean, pd_std, pd_mean_2d = [], [], {}
        for a, j in enumerate(columns):
            X_ref = _reference_rows(X, active, [j], n_samples)
            mean, std = partial_dependence(gp, X_ref, [j], [units[a]])
            pd_mean.append(mean)
            pd_std.append(std)
            for b, k in enumerate(columns[:a]):
                X_ref = _reference_rows(X, active, [j, k], n_samples)
                pd_mean_2d[a, b] = (
                    partial_dependence(gp, X_ref, [j, k], [units[a], units[b]])[0]
                    if len(X_ref)
                    else None
                )
        points = np.full((len(X), len(columns)), np.nan)
        for a, j in enumerate(columns):
            rows = active[:, j]
            points[rows, a] = _coordinates(space, j, X[rows, j])
        return cls(
            parameters=[names[j] for j in columns],
            grids=[_coordinates(space, j, u) for j, u in zip(columns, units)],
            categories=[_categories(space, j) for j in columns],
            log_scale=[is_log_dimension(column_dimension(space, j)) for j in columns],
            pd_mean=pd_mean,
            pd_std=pd_std,
            pd_mean_2d=pd_mean_2d,
            points=points,
            point_scores=np.asarray(gp.y, dtype=float),
        )

    def plot(self, ax=None, *, levels=10, cmap="viridis", show_points=True):
        """Draw the partial dependence matrix.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            An array of shape (d, d) for d parameters (a single Axes for one);
            None: a new figure.
        levels : int, default=10
            Number of filled contour levels, shared by all pairs.
        cmap : str or Colormap, default="viridis"
            Colour map of the pairs (the last colour is the best score).
        show_points : bool, default=True
            Draw the evaluated candidates.

        Returns
        -------
        display : ObjectiveDisplay
        """
        plt = check_matplotlib("ObjectiveDisplay.plot")
        d = len(self.parameters)
        self.figure_, self.axes_ = matrix_axes(plt, d, ax, "ObjectiveDisplay")
        self.lines_ = np.empty(d, dtype=object)
        self.bands_ = np.empty(d, dtype=object)
        self.contours_ = np.empty((d, d), dtype=object)
        for a in range(d):
            self._plot_diagonal(a, show_points)
        surfaces = [z for z in self.pd_mean_2d.values() if z is not None]
        self.colorbar_ = None
        bounds = None
        if surfaces:
            low = min(z.min() for z in surfaces)
            high = max(z.max() for z in surfaces)
            if not high > low:  # a flat surrogate
                low, high = low - 0.5, high + 0.5
            bounds = np.linspace(low, high, levels + 1)
        for (a, b), z in self.pd_mean_2d.items():
            self._plot_pair(a, b, z, bounds, cmap, show_points)
        if surfaces:
            mappable = next(c for c in self.contours_.ravel() if c is not None)
            self.colorbar_ = self.figure_.colorbar(
                mappable,
                ax=[axes for axes in self.axes_.ravel() if axes.get_visible()],
                label=SURROGATE_LABEL,
                pad=0.15,
            )
        label_matrix(
            self.axes_,
            self.parameters,
            self.categories,
            self.log_scale,
            diagonal_label="partial dependence",
        )
        return self

    def _plot_diagonal(self, a, show_points):
        ax = self.axes_[a, a]
        x, mean, std = self.grids[a], self.pd_mean[a], self.pd_std[a]
        if self.categories[a] is not None:
            band = ax.errorbar(x, mean, yerr=std, fmt="o", capsize=3)
            line = band.lines[0]
        else:
            (line,) = ax.plot(x, mean)
            band = ax.fill_between(
                x, mean - std, mean + std, color=line.get_color(), alpha=0.25
            )
        self.lines_[a], self.bands_[a] = line, band
        if show_points:
            shown = np.isfinite(self.points[:, a])
            ax.scatter(
                self.points[shown, a], self.point_scores[shown], s=8, c="k", alpha=0.6
            )

    def _plot_pair(self, a, b, z, bounds, cmap, show_points):
        ax = self.axes_[a, b]
        if z is None:
            ax.set_visible(False)
            return
        x, y = self.grids[b], self.grids[a]
        if self.categories[a] is None and self.categories[b] is None:
            self.contours_[a, b] = ax.contourf(x, y, z, levels=bounds, cmap=cmap)
        else:
            self.contours_[a, b] = ax.pcolormesh(
                x, y, z, shading="nearest", cmap=cmap, vmin=bounds[0], vmax=bounds[-1]
            )
        if not show_points:
            return
        shown = np.isfinite(self.points[:, a]) & np.isfinite(self.points[:, b])
        ax.scatter(self.points[shown, b], self.points[shown, a], s=8, c="k", alpha=0.6)
        scores = np.where(shown, self.point_scores, -np.inf)
        if shown.any():
            best = int(np.argmax(scores))
            ax.scatter(
                self.points[best, b], self.points[best, a], marker="*", s=80, c="r"
            )

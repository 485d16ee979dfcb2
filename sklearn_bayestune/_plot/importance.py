"""Parameter importance from the lengthscales of a BayesTuneCV's surrogate."""

from __future__ import annotations

import numpy as np

from ._base import check_fitted_bayes, check_matplotlib, column_names, varying_columns


def _importances(optimizer) -> tuple[list[str], np.ndarray]:
    """(names, importances) of the varying columns, most important first."""
    columns = varying_columns(optimizer.space)
    relevance = 1.0 / optimizer.gp_.lengthscales[columns] ** 2
    importances = relevance / relevance.sum()
    order = np.argsort(-importances, kind="stable")
    names = column_names(optimizer.space)
    return [names[columns[k]] for k in order], importances[order]


def parameter_importance(search) -> dict[str, float]:
    """Importance of each parameter to a BayesTuneCV or BayesOptimizer surrogate.

    The surrogate's kernel is a Matérn-5/2 on the distance
    ``r^2 = sum_i D_i / l_i^2`` over the encoded columns (squared differences
    of unit-cube values; 0 or 1 for a categorical column), so a short
    lengthscale ``l_i`` means the predicted score changes fast along column
    i. The importance of a column is ``1 / l_i^2``, normalised to sum to 1
    (automatic relevance determination). It is one number per encoded
    column: a list-of-dicts space adds the column ``"subspace"`` (which
    alternative), and a key encoded differently in several subspaces gets
    one entry per column, ``"key (subspace s)"``. A key searched over a
    single value is left out: the data say nothing about it.

    Read it as a rough ranking: it describes the last surrogate fitted (a
    few dozen points at most in a typical search), and a categorical column,
    whose distance is 0 or 1, is compared with continuous ones on a
    different footing.

    Parameters
    ----------
    search : fitted BayesTuneCV or BayesOptimizer

    Returns
    -------
    importance : dict of str to float
        Parameter name to importance in [0, 1], most important first; the
        values sum to 1.

    See Also
    --------
    ParameterImportanceDisplay : The same as a bar chart.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import BayesTuneCV, Real, parameter_importance
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesTuneCV(
    ...     SVC(),
    ...     {"C": Real(1e-2, 1e2, prior="log-uniform"),
    ...      "gamma": Real(1e-3, 1.0, prior="log-uniform")},
    ...     n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> importance = parameter_importance(search)
    >>> sorted(importance)
    ['C', 'gamma']
    >>> round(sum(importance.values()), 6)
    1.0
    """
    optimizer = check_fitted_bayes(search, "parameter_importance")
    names, importances = _importances(optimizer)
    return {name: float(value) for name, value in zip(names, importances)}


class ParameterImportanceDisplay:
    """Parameter importance of a ``BayesTuneCV``'s surrogate, as sorted bars.

    One horizontal bar per encoded column, the most important on top; the
    importance is the surrogate's normalised ``1 / lengthscale^2`` (see
    :func:`parameter_importance` for what it means and its limits).

    Create it with :meth:`from_estimator`.

    Parameters
    ----------
    parameters : list of str
        Column names, most important first.
    importances : ndarray of shape (len(parameters),)
        Their importances, summing to 1.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    parameter_importance : The importances as a dict.
    ObjectiveDisplay : The surrogate's partial dependence.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_bayestune import (BayesTuneCV, ParameterImportanceDisplay,
    ...                                Real)
    >>> X, y = load_diabetes(return_X_y=True)
    >>> search = BayesTuneCV(
    ...     Ridge(), {"alpha": Real(1e-3, 1e3, prior="log-uniform"),
    ...               "fit_intercept": [True, False]},
    ...     n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> display = ParameterImportanceDisplay.from_estimator(search)
    >>> len(display.bars_)
    2
    """

    def __init__(self, *, parameters, importances):
        self.parameters = parameters
        self.importances = importances

    @classmethod
    def from_estimator(cls, search, *, ax=None, **kwargs):
        """Compute the importances of a fitted ``BayesTuneCV`` and plot them.

        Parameters
        ----------
        search : fitted BayesTuneCV or BayesOptimizer
        ax : matplotlib Axes, default=None
            None: a new figure.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ParameterImportanceDisplay
        """
        optimizer = check_fitted_bayes(
            search, "ParameterImportanceDisplay.from_estimator"
        )
        names, importances = _importances(optimizer)
        return cls(parameters=names, importances=importances).plot(ax=ax, **kwargs)

    def plot(self, ax=None, **kwargs):
        """Draw the bars, the most important on top.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            None: a new figure.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.barh``.

        Returns
        -------
        display : ParameterImportanceDisplay
        """
        plt = check_matplotlib("ParameterImportanceDisplay.plot")
        if ax is None:
            _, ax = plt.subplots()
        # The first (most important) parameter at the top.
        positions = np.arange(len(self.parameters))[::-1]
        self.bars_ = ax.barh(positions, self.importances, **kwargs)
        ax.set_yticks(positions[::-1])
        ax.set_yticklabels(self.parameters[::-1])
        ax.set_xlabel("importance (normalised 1 / lengthscale²)")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

"""What every Display shares: the lazy matplotlib import, search checks, layout.

Nothing here imports matplotlib at module level: :func:`check_matplotlib`
imports it when a Display's ``plot`` runs, so that importing the package
never does.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.exceptions import NotFittedError

from .._table import fitted_cv_results

INSTALL_PLOT = 'pip install "sklearn-bayestune[plot]"'


def check_matplotlib(caller: str):
    """Import and return ``matplotlib.pyplot``, or say how to install it.

    Parameters
    ----------
    caller : str
        The method that needs matplotlib, for the message.

    Returns
    -------
    pyplot : module

    Raises
    ------
    ImportError
        Naming ``caller`` and the ``plot`` extra when matplotlib is missing.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            f"with: {INSTALL_PLOT}"
        ) from error
    return plt


def check_cv_results(search, caller: str) -> Mapping:
    """The ``cv_results_`` of a fitted search (any ``BaseSearchCV``).

    Raises
    ------
    NotFittedError
        When ``search`` is a search that has not been fitted.
    TypeError
        When ``search`` is not a search at all.
    """
    return fitted_cv_results(
        search,
        caller,
        "a fitted search (GridTuneCV, RandomTuneCV, BayesTuneCV or a scikit-learn "
        "search) or a BayesOptimizer (minimize() returns one as result.optimizer)"
        " (ConvergenceDisplay.from_cv_results takes a cv_results_ dict)",
    )


def told_optimizer(source, caller: str):
    """``source`` if it is a :class:`BayesOptimizer`, else None.

    Raises
    ------
    ValueError
        When it is an optimizer that has not been told any point yet.
    """
    # Imported here, not at the top: _plot reads searches and optimizers but
    # sits beside them in the import graph, never below them.
    from .._optimizer import BayesOptimizer

    if not isinstance(source, BayesOptimizer):
        return None
    if source.n_observed == 0:
        raise ValueError(
            f"{caller} needs evaluated points, and this BayesOptimizer has not "
            "been told any yet: tell it the values of the points it asked for."
        )
    return source


def check_fitted_bayes(search, caller: str):
    """The optimizer, with its Gaussian-process surrogate ``gp_``, of a
    fitted ``BayesTuneCV`` (or the ``BayesOptimizer`` given).

    Returns
    -------
    optimizer : BayesOptimizer
        ``search.optimizer_`` (or ``search``), whose ``gp_`` is not None.

    Raises
    ------
    TypeError
        When ``search`` is neither a ``BayesTuneCV`` nor a ``BayesOptimizer``.
    NotFittedError
        When it is not fitted.
    ValueError
        When no surrogate was fitted yet (every point came from the initial
        design).
    """
    from .._bayes_search import BayesTuneCV

    optimizer = told_optimizer(search, caller)
    if optimizer is None:
        if not isinstance(search, BayesTuneCV):
            raise TypeError(
                f"{caller} needs a fitted BayesTuneCV or a BayesOptimizer, "
                "whose Gaussian-process surrogate it reads; got "
                f"{type(search).__name__}. For any search, use "
                "ConvergenceDisplay or EvaluationsDisplay."
            )
        if not hasattr(search, "optimizer_"):
            raise NotFittedError(
                f"This BayesTuneCV instance is not fitted yet. Call 'fit' with "
                f"appropriate arguments before using {caller}."
            )
        optimizer = search.optimizer_
    if optimizer.gp_ is None:
        if optimizer is search:
            told = f"this optimizer was told {optimizer.n_observed} points"
            remedy = "Ask for a point (and tell it) once two have succeeded."
        else:
            told = f"this search's {optimizer.n_observed} candidates ended"
            remedy = (
                "Fit with a larger n_iter (unless the space has no more candidates)."
            )
        raise ValueError(
            f"{caller} needs the surrogate, but none was fitted: one is "
            "fitted when a point is asked after the initial design "
            f"(n_initial_points={optimizer.n_initial_points}) and two points "
            f"have succeeded, and {told} without such an ask. {remedy}"
        )
    return optimizer


# --------------------------------------------------------------------------
# Columns of a SearchSpace: names, dimensions, axis scales
# --------------------------------------------------------------------------


def column_names(space) -> list[str]:
    """One display name per encoded column of ``space``.

    The subspace column of a list-of-dicts space is ``"subspace"``; a key
    encoded in several columns (different dimensions in different subspaces)
    gets the subspaces owning each column: ``"kernel (subspace 1)"``.
    """
    keys = [key for _, key in space.columns]
    names = []
    for owners, key in space.columns:
        if key is None:
            names.append("subspace")
        elif keys.count(key) > 1:
            which = ", ".join(str(s) for s in owners)
            plural = "s" if len(owners) > 1 else ""
            names.append(f"{key} (subspace{plural} {which})")
        else:
            names.append(key)
    return names


def varying_columns(space) -> list[int]:
    """Encoded columns that take more than one value (the subspace column too).

    A key searched over a single value has a column whose lengthscale the
    data cannot inform, so it is neither drawn nor ranked.
    """
    return [
        j
        for j in range(space.n_dims)
        if space.unit_choices(j) is None or len(space.unit_choices(j)) > 1
    ]


def column_dimension(space, j: int):
    """The dimension encoded in column ``j``, or None for the subspace column."""
    owners, key = space.columns[j]
    return None if key is None else space.subspaces[owners[0]][key]


def is_log_dimension(dim) -> bool:
    """Whether a dimension is best drawn on a log axis (a log-uniform Real...).

    True for the ``"log-uniform"`` prior and for ``scipy.stats`` priors that are
    log-uniform or log-normal.
    """
    prior = getattr(dim, "prior", None)
    if isinstance(prior, str):
        return prior == "log-uniform"
    name = getattr(getattr(prior, "dist", None), "name", None)
    return name in ("loguniform", "reciprocal", "lognorm")


def is_number(value) -> bool:
    """A real number that is not a bool (bools are categories in plots)."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def select_parameters(names: list[str], parameters, caller: str) -> list[int]:
    """Indices of ``parameters`` (None: all) in ``names``, in the order given."""
    if parameters is None:
        return list(range(len(names)))
    if isinstance(parameters, str):
        parameters = [parameters]
    indices = []
    for name in parameters:
        if name not in names:
            raise ValueError(
                f"Unknown parameter {name!r} for {caller}; the search's parameters "
                f"are {names}."
            )
        indices.append(names.index(name))
    if not indices:
        raise ValueError(f"parameters must name at least one of {names}; got [].")
    return indices


# --------------------------------------------------------------------------
# Layout of the matrix Displays (ObjectiveDisplay, EvaluationsDisplay)
# --------------------------------------------------------------------------


def matrix_axes(plt, d: int, ax, caller: str):
    """A (d, d) array of Axes with the upper triangle hidden, and its figure.

    ``ax`` is None (a new figure), an Axes (when ``d == 1``) or an array-like
    of Axes of shape (d, d).
    """
    if ax is None:
        size = min(2.4 * d + 1.0, 16.0)
        figure, axes = plt.subplots(d, d, squeeze=False, figsize=(size, size))
    else:
        axes = np.empty(1, dtype=object)
        axes[0] = ax
        if not hasattr(ax, "plot"):
            axes = np.empty(np.shape(ax), dtype=object)
            axes[...] = ax
        if axes.size != d * d:
            raise ValueError(
                f"ax must be a single Axes for one parameter, or an array of "
                f"({d}, {d}) Axes for {d} parameters; got {axes.size} Axes. "
                f"Leave ax=None to let {caller} create them."
            )
        axes = axes.reshape(d, d)
        figure = axes[0, 0].figure
    for i in range(d):
        for j in range(i + 1, d):
            axes[i, j].set_visible(False)
    return figure, axes


def set_axis(axis, name: str, categories, label: bool) -> None:
    """Category ticks and (if ``label``) the name of one x or y axis."""
    if categories is not None:
        axis.set_ticks(np.arange(len(categories)))
        axis.set_ticklabels([str(c) for c in categories])
    if label:
        axis.set_label_text(name)


def label_matrix(axes, names, categories, log_scale, diagonal_label: str) -> None:
    """Scales, ticks and labels of a (d, d) matrix of Axes.

    Column j shows parameter j on its x axis, row i (below the diagonal)
    parameter i on its y axis. Names and tick labels go on the lowest visible
    Axes of each column and the leftmost visible one of each row (a pair with
    no data, e.g. keys of different subspaces, is hidden); the diagonal's y
    axis (on the right) reads ``diagonal_label``.
    """
    d = len(names)
    visible = np.array([[axes[i, j].get_visible() for j in range(d)] for i in range(d)])
    for i in range(d):
        for j in range(i + 1):
            ax = axes[i, j]
            lowest = not visible[i + 1 :, j].any()
            if log_scale[j]:
                ax.set_xscale("log")
            set_axis(ax.xaxis, names[j], categories[j], label=lowest)
            if i == j:
                ax.yaxis.tick_right()
                ax.yaxis.set_label_position("right")
                ax.set_ylabel(diagonal_label)
                continue
            if not lowest:
                ax.tick_params(axis="x", labelbottom=False)
            leftmost = not visible[i, :j].any()
            if log_scale[i]:
                ax.set_yscale("log")
            set_axis(ax.yaxis, names[i], categories[i], label=leftmost)
            if not leftmost:
                ax.tick_params(axis="y", labelleft=False)

"""Warnings that sklearn_bayestune emits, so that users can filter them exactly.

Filter one with the standard :mod:`warnings` machinery, e.g.
``warnings.filterwarnings("ignore", category=NumericalWarning)``.
"""


class NumericalWarning(UserWarning):
    """The surrogate model degraded because of numerical trouble.

    Emitted once per fit, and only when the result is really worse than asked
    for: every start of the Gaussian-process hyperparameter fit failed and the
    prior-mode hyperparameters were used instead, or the covariance matrix
    needed a large diagonal jitter (>= 1e-4 of its scale) before it could be
    factorised. Smaller events (a rejected line-search step, a tiny jitter) are
    counted in the fitted model's ``fit_info`` and never reach the user.

    The search still runs; its proposals are only less well informed. Frequent
    occurrences usually mean many duplicate configurations with very different
    scores, or scores that are constant up to rounding.
    """


class SearchInterruptedWarning(UserWarning):
    """A search was interrupted (Ctrl-C) and kept what had finished.

    ``cv_results_`` and ``best_*`` then describe only the candidates whose
    folds were all evaluated before the interruption. With a ``checkpoint``,
    fitting again with the same arguments resumes the search.
    """

"""Warnings that sklearn_bayestune emits, so that users can filter them exactly.

Filter one with the standard :mod:`warnings` machinery, e.g.
``warnings.filterwarnings("ignore", category=NumericalWarning)``.
"""

import os
import sys
import warnings

import joblib
import sklearn

# Code between a user's call and our warning: the package itself, and the
# scikit-learn and joblib code that calls back into it (fit wrappers,
# cross_validate, worker threads).
_LIBRARY_DIRS = tuple(
    os.path.dirname(module_file) + os.sep
    for module_file in (__file__, sklearn.__file__, joblib.__file__)
)


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


def _warn(message: str, category: type[Warning]) -> None:
    """Warn as from the user's line that led here, not from a library line.

    A fixed ``stacklevel`` is right for one call path only: the same warning
    can come from ``fit``, from ``cross_validate`` around a search or from
    ``BayesOptimizer.ask``. Skipping library frames names the user's call on
    each of them (what Python 3.12's ``skip_file_prefixes`` does); in a
    worker thread, which has no user frame, it names the thread's entry.
    """
    frame = sys._getframe(1)
    stacklevel = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _LIBRARY_DIRS
    ):
        frame = frame.f_back
        stacklevel += 1
    warnings.warn(message, category, stacklevel=stacklevel)

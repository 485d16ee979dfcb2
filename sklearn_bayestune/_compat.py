"""Every private scikit-learn name the package uses, and every version switch.

scikit-learn's search internals are private and change between releases (the
reason scikit-optimize's ``BayesSearchCV`` broke on 0.20, 0.21, 0.24 and 1.0).
Keeping them behind this one module means a new scikit-learn release is
absorbed here, and CI runs scikit-learn's own ``test_search.py`` against the
oldest and the newest version we support.

Supported: scikit-learn 1.5.2 to 1.9.x.
"""

import inspect

import sklearn
from sklearn.base import _fit_context
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._validation import (
    _fit_and_score,
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_method_params, indexable

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "StrOptions",
    "_MultimetricScorer",
    "_check_method_params",
    "_fit_context",
    "_insert_error_scores",
    "_warn_or_raise_about_fit_failures",
    "fit_and_score",
    "indexable",
    "init_callback_context",
    "SKLEARN_VERSION",
    "inconsistent_splits_message",
]

SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])

# scikit-learn 1.9 added callbacks: ``_fit_and_score`` grew ``caller`` and
# ``callback_ctx`` and BaseSearchCV grew ``_init_callback_context``.
_FIT_AND_SCORE_TAKES_CALLBACKS = (
    "callback_ctx" in inspect.signature(_fit_and_score).parameters
)


def inconsistent_splits_message(expected: int, got: int) -> str:
    """The error scikit-learn raises when ``split`` and ``get_n_splits`` disagree.

    Its wording changed in 1.9; tests written for each version match on it.
    """
    verb = "return" if SKLEARN_VERSION >= (1, 9) else "returned"
    return (
        f"cv.split and cv.get_n_splits {verb} inconsistent results. "
        f"Expected {expected} splits, got {got}"
    )


def fit_and_score(estimator, X, y, *, caller=None, callback_ctx=None, **kwargs):
    """Call scikit-learn's ``_fit_and_score`` with the arguments this version takes.

    ``caller`` is only needed by callback hooks, so it is passed only when there
    is a callback context: the search object then need not be pickled into
    every task.
    """
    if _FIT_AND_SCORE_TAKES_CALLBACKS and callback_ctx is not None:
        kwargs.update(caller=caller, callback_ctx=callback_ctx)
    return _fit_and_score(estimator, X, y, **kwargs)


class _NullCallbackContext:
    """Stands in for scikit-learn's ``CallbackContext`` before 1.9."""

    def subcontext(self, *args, **kwargs):
        return self

    def call_on_fit_task_begin(self, *args, **kwargs):
        return self

    def call_on_fit_task_end(self, *args, **kwargs):
        return self

    def propagate_callback_context(self, sub_estimator):
        return _NullContextManager()


class _NullContextManager:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def init_callback_context(search, *, max_subtasks):
    """Root callback context of a search's ``fit`` (a no-op object before 1.9)."""
    if hasattr(search, "_init_callback_context"):
        return search._init_callback_context(max_subtasks=max_subtasks)
    return _NullCallbackContext()


def real_callback_context(ctx):
    """``ctx`` when it is a scikit-learn callback context with callbacks, else None.

    From 1.9 on, a search has a context even without callbacks. Each task
    would then carry its subcontext, and with it the search object and the
    parent's table of children, to the workers. That table grows as tasks are
    made, while joblib's feeder thread may be pickling an earlier task:
    "RuntimeError: dictionary changed size during iteration".
    """
    if isinstance(ctx, _NullCallbackContext) or not getattr(ctx, "_callbacks", True):
        return None
    return ctx

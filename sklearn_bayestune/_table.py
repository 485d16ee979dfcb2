"""results_table: a search's ``cv_results_`` as a tidy table, one row per candidate.

``cv_results_`` is scikit-learn's column store: parameters as masked arrays
(``param_C``), one column per fold and metric, and the ``params`` dicts.
:func:`results_table` keeps one row per candidate, in ``cv_results_`` order,
with plain columns: each parameter by its name (None where it does not
apply), the summary scores and times, and every extra column a searcher adds
(``proposal_step``, ``proposal_kind``, ``acquisition_value``,
``stopped_early``, ...). pandas is optional: without it the table is a dict
of lists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.model_selection._search import BaseSearchCV

__all__ = ["results_table"]

_SPLIT = re.compile(r"split\d+_(test|train)_")
_SCORE = re.compile(r"(mean|std|rank)_(test|train)_")
_TIME = re.compile(r"(mean|std)_(fit|score)_time")


def fitted_cv_results(search, caller: str, accepted: str) -> Mapping:
    """The ``cv_results_`` of a fitted search (any ``BaseSearchCV``).

    Raises
    ------
    NotFittedError
        When ``search`` is a search that has not been fitted.
    TypeError
        When it is not a search, saying what ``caller`` accepts and, for a
        pipeline or meta-estimator ending in a search, how to reach it.
    """
    if hasattr(search, "cv_results_"):
        return search.cv_results_
    if isinstance(search, BaseSearchCV):
        raise NotFittedError(
            f"This {type(search).__name__} instance is not fitted yet. Call 'fit' "
            f"with appropriate arguments before using {caller}."
        )
    hint = ""
    steps = getattr(search, "steps", None)
    if isinstance(steps, list) and steps and isinstance(steps[-1][1], BaseSearchCV):
        hint = f" Pass the search, its last step: {type(search).__name__}[-1]."
    raise TypeError(f"{caller} needs {accepted}; got {type(search).__name__}.{hint}")


def _cv_results(search_or_cv_results) -> Mapping:
    if isinstance(search_or_cv_results, Mapping):
        if "params" not in search_or_cv_results:
            raise ValueError(
                "results_table needs a search's cv_results_, which has a 'params' "
                f"key; got a dict with keys {sorted(search_or_cv_results)[:8]}."
            )
        return search_or_cv_results
    return fitted_cv_results(
        search_or_cv_results,
        "results_table",
        "a fitted search or its cv_results_ dict",
    )


def _plain(value):
    """A numpy scalar as the Python scalar it holds; anything else as is."""
    return value.item() if isinstance(value, np.generic) else value


def _as_list(column) -> list:
    """A cv_results_ column as a list: masked entries None, numpy scalars unwrapped."""
    if np.ma.isMaskedArray(column):
        mask = np.ma.getmaskarray(column)
        return [None if m else _plain(v) for v, m in zip(column.data, mask)]
    return [_plain(v) for v in column]


def _pandas(as_frame):
    """The pandas module, or None when a dict of lists is wanted or must do."""
    if as_frame is False:
        return None
    try:
        import pandas
    except ImportError as error:
        if as_frame is True:
            raise ImportError(
                "results_table(as_frame=True) needs pandas, which is not installed. "
                "Install it with: pip install pandas; or pass as_frame=False for "
                "a dict of lists."
            ) from error
        return None
    return pandas


def results_table(search_or_cv_results, *, as_frame="auto", include_splits=False):
    """A search's ``cv_results_`` as a tidy table: one row per candidate.

    Columns, in this order:

    - one per parameter, in ``cv_results_`` order, named by the parameter
      (``param_<name>`` only if the name clashes with another column), with
      None where the parameter does not apply to a candidate (alternative
      subspaces);
    - per metric, as in ``cv_results_``: ``mean_test_<metric>``,
      ``std_test_<metric>``, ``rank_test_<metric>`` and, with
      ``return_train_score=True``, ``mean_train_<metric>`` and
      ``std_train_<metric>`` (plus ``split<k>_..`` with ``include_splits``);
    - ``mean_fit_time``, ``std_fit_time``, ``mean_score_time``,
      ``std_score_time``;
    - every other column of ``cv_results_``, such as BayesTuneCV's
      ``proposal_step``, ``proposal_kind`` and ``acquisition_value`` and the
      ``stopped_early`` of a search with early stopping.

    The ``params`` dicts are left out: the parameter columns hold them.

    Parameters
    ----------
    search_or_cv_results : fitted search or dict
        GridTuneCV, RandomTuneCV, BayesTuneCV, a scikit-learn search, or a
        ``cv_results_`` dict.
    as_frame : {"auto", True, False}, default="auto"
        ``"auto"``: a pandas DataFrame when pandas is installed, else a dict
        of lists. True: a DataFrame (ImportError without pandas). False: a
        dict of lists.
    include_splits : bool, default=False
        Keep the per-fold score columns.

    Returns
    -------
    table : pandas.DataFrame or dict of str to list
        One row per candidate, in ``cv_results_`` order (the DataFrame's index
        is named ``candidate``). The lists hold Python scalars.

    Raises
    ------
    ImportError
        With ``as_frame=True`` when pandas is not installed.
    NotFittedError
        For a search that is not fitted.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sklearn_bayestune import GridTuneCV, results_table
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridTuneCV(SVC(), [{"kernel": ["linear"], "C": [1, 10]},
    ...                             {"kernel": ["rbf"], "gamma": [0.1]}],
    ...                     cv=3).fit(X, y)
    >>> table = results_table(search, as_frame=False)
    >>> list(table)[:5]
    ['C', 'kernel', 'gamma', 'mean_test_score', 'std_test_score']
    >>> table["C"], table["gamma"]
    ([1, 10, None], [None, None, 0.1])
    """
    if as_frame not in ("auto", True, False):
        raise ValueError(f"as_frame must be 'auto', True or False; got {as_frame!r}.")
    pandas = _pandas(as_frame)
    cv_results = _cv_results(search_or_cv_results)
    params, scores, times, extras = [], [], [], []
    for key in cv_results:
        if key == "params":
            continue
        if key.startswith("param_"):
            params.append(key)
        elif _SPLIT.match(key):
            if include_splits:
                scores.append(key)
        elif _SCORE.match(key):
            scores.append(key)
        elif _TIME.fullmatch(key):
            times.append(key)
        else:
            extras.append(key)
    others = set(scores + times + extras)
    table = {}
    for key in params:
        name = key[len("param_") :]
        table[key if name in others else name] = _as_list(cv_results[key])
    for key in scores + times + extras:
        table[key] = _as_list(cv_results[key])
    if pandas is None:
        return table
    n = len(cv_results["params"])
    index = pandas.RangeIndex(n, name="candidate")
    columns = {
        # pandas would turn [2, 4, None] into [2.0, 4.0, nan]: a parameter
        # absent from some candidates keeps its values and its None.
        key: pandas.Series(
            column,
            index=index,
            dtype=object if any(value is None for value in column) else None,
        )
        for key, column in table.items()
    }
    return pandas.DataFrame(columns, index=index)

"""The record of a search: evaluated folds in, ``cv_results_`` and scores out.

:class:`SearchRecord` collects the per-fold outputs of the evaluator in the
order they finish and turns them into what each consumer needs:

- ``BaseSearchCV._format_results``'s inputs, so ``cv_results_`` is built by
  scikit-learn's own code and has exactly its layout;
- per-candidate mean and spread of one metric, for the surrogate model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ._evaluator import FoldResult


class SearchRecord:
    """Candidates of one ``fit`` and the outputs of their finished folds.

    Parameters
    ----------
    n_splits : int
        Number of cross-validation splits every candidate is scored on.
    """

    def __init__(self, n_splits: int):
        self.n_splits = n_splits
        self.params: list[dict] = []
        self.more_results: dict[str, list] = defaultdict(list)
        self._outputs: list[list[dict | None]] = []

    @property
    def n_candidates(self) -> int:
        return len(self.params)

    def add_candidates(
        self, params: Sequence[dict], more_results: dict | None = None
    ) -> range:
        """Append candidates; return their indices.

        ``more_results`` maps extra ``cv_results_`` column names to one value
        per candidate. Once a column exists it must be given on every call,
        as with ``evaluate_candidates`` in scikit-learn.
        """
        params = list(params)
        start = len(self.params)
        expected = set(self.more_results)
        given = set(more_results or {})
        if expected and given != expected:
            raise ValueError(
                f"more_results must have the keys {sorted(expected)} on every call; "
                f"got {sorted(given)}."
            )
        for key, values in (more_results or {}).items():
            if len(values) != len(params):
                raise ValueError(
                    f"more_results[{key!r}] has {len(values)} values for "
                    f"{len(params)} candidates."
                )
            self.more_results[key].extend(values)
        self.params.extend(params)
        self._outputs.extend([None] * self.n_splits for _ in params)
        return range(start, len(self.params))

    def add(self, result: FoldResult) -> None:
        """Store one finished fold."""
        self._outputs[result.candidate][result.split] = result.out

    def folds_done(self, candidate: int) -> int:
        return sum(out is not None for out in self._outputs[candidate])

    def is_complete(self, candidate: int) -> bool:
        return self.folds_done(candidate) == self.n_splits

    def outputs(self) -> list[dict]:
        """Fold outputs in ``product(candidates, splits)`` order.

        That is the order ``BaseSearchCV._format_results`` expects. Every
        candidate must be complete.
        """
        missing = [c for c in range(self.n_candidates) if not self.is_complete(c)]
        if missing:
            raise RuntimeError(f"Candidates {missing} have unfinished folds.")
        return [out for folds in self._outputs for out in folds]

    def test_scores(self, candidate: int, metric: str | None) -> np.ndarray:
        """Test scores of the finished folds of ``candidate`` for one metric.

        ``metric`` is a scorer name for multimetric scoring, else None. Failed
        folds give ``error_score`` (NaN by default) as in ``cv_results_``.
        """
        scores = [
            out["test_scores"] if metric is None else out["test_scores"][metric]
            for out in self._outputs[candidate]
            if out is not None
        ]
        return np.asarray(scores, dtype=float)

    def first_test_scores(self):
        """``test_scores`` of the first finished fold (a float or a dict)."""
        for folds in self._outputs:
            for out in folds:
                if out is not None:
                    return out["test_scores"]
        raise RuntimeError("No fold has finished yet.")

    def failed(self, candidate: int) -> bool:
        """Whether every finished fold of ``candidate`` failed to fit."""
        outs = [out for out in self._outputs[candidate] if out is not None]
        return bool(outs) and all(out["fit_error"] is not None for out in outs)

    def cv_results(self, search) -> dict:
        """``cv_results_`` built by scikit-learn's ``_format_results``."""
        return search._format_results(
            self.params, self.n_splits, self.outputs(), self.more_results
        )

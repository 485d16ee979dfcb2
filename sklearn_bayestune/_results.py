"""The record of a search: evaluated folds in, ``cv_results_`` and scores out.

:class:`SearchRecord` collects the per-fold outputs of the evaluator in the
order they finish and turns them into what each consumer needs:

- ``BaseSearchCV._format_results``'s inputs, so ``cv_results_`` is built by
  scikit-learn's own code and has exactly its layout;
- a table of every candidate's fold scores for one metric, for the stopping
  policies, the surrogate model and the callbacks.

A candidate is *running* until all its folds are in (*complete*), unless a
stopping policy cancelled its remaining folds (*stopped*: it stays in
``cv_results_`` with NaN for the missing folds) or the search ended before
they ran (*cancelled*: budget reached, a callback asked to stop, Ctrl-C; it is
left out of ``cv_results_``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ._evaluator import FoldResult

RUNNING, COMPLETE, STOPPED, CANCELLED = "running", "complete", "stopped", "cancelled"
STATUSES = (RUNNING, COMPLETE, STOPPED, CANCELLED)


def optimised_metric(test_scores, refit) -> str | None:
    """The metric a search optimises, given one fold's ``test_scores``.

    None for a single metric; with several, ``refit`` when it names one,
    else the first. (A callable scoring reveals whether it is multimetric only
    once called, hence a fold's actual scores as input.)
    """
    if not isinstance(test_scores, dict):
        return None
    if isinstance(refit, str) and refit in test_scores:
        return refit
    return next(iter(test_scores))


def _nan_like(scores):
    if isinstance(scores, dict):
        return {name: np.nan for name in scores}
    return np.nan


class SearchRecord:
    """Candidates of one ``fit`` and the outputs of their finished folds.

    Parameters
    ----------
    n_splits : int
        Number of cross-validation splits every candidate is scored on.
    refit : bool, str or callable
        The search's ``refit``, which names the optimised metric.
    """

    def __init__(self, n_splits: int, refit=True):
        self.n_splits = n_splits
        self.refit = refit
        self.params: list[dict] = []
        self.status: list[str] = []
        self.more_results: dict[str, list] = defaultdict(list)
        self.metric: str | None = None
        self._outputs: list[list[dict | None]] = []
        # Fold scores of the optimised metric, grown by doubling.
        self._scores = np.full((0, n_splits), np.nan)
        self._finished = np.zeros((0, n_splits), dtype=bool)

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
        self.status.extend([RUNNING] * len(params))
        self._outputs.extend([None] * self.n_splits for _ in params)
        if len(self.params) > len(self._scores):
            size = max(2 * len(self._scores), len(self.params), 16)
            grow = size - len(self._scores)
            self._scores = np.vstack(
                [self._scores, np.full((grow, self.n_splits), np.nan)]
            )
            self._finished = np.vstack(
                [self._finished, np.zeros((grow, self.n_splits), dtype=bool)]
            )
        return range(start, len(self.params))

    def add(self, result: FoldResult) -> None:
        """Store one finished fold."""
        c, split = result.candidate, result.split
        self._outputs[c][split] = result.out
        scores = result.out["test_scores"]
        if self.metric is None and isinstance(scores, dict):
            self.metric = optimised_metric(scores, self.refit)
        # A failed fit under a callable scoring holds a bare error_score.
        self._scores[c, split] = (
            scores[self.metric] if isinstance(scores, dict) else scores
        )
        self._finished[c, split] = True
        # A cancelled candidate stays out, even if its folds in flight finish.
        if self._finished[c].all() and self.status[c] != CANCELLED:
            self.status[c] = COMPLETE

    def set_status(self, candidate: int, status: str) -> None:
        if self.status[candidate] == RUNNING:
            self.status[candidate] = status

    def is_running(self, candidate: int) -> bool:
        return self.status[candidate] == RUNNING

    def is_finished(self, candidate: int, split: int) -> bool:
        """Whether the fold ``split`` of ``candidate`` has its output."""
        return bool(self._finished[candidate, split])

    def score_table(self) -> tuple[np.ndarray, np.ndarray]:
        """(scores, finished), each (n_candidates, n_splits), of the optimised metric.

        Unfinished cells hold NaN. The arrays are views: read, don't keep.
        """
        n = self.n_candidates
        return self._scores[:n], self._finished[:n]

    def fold_scores(self, candidate: int) -> np.ndarray:
        """The optimised metric on the finished folds of ``candidate``."""
        return self._scores[candidate, self._finished[candidate]]

    def failed(self, candidate: int) -> bool:
        """Whether every finished fold of ``candidate`` failed to fit."""
        outs = [out for out in self._outputs[candidate] if out is not None]
        return bool(outs) and all(out["fit_error"] is not None for out in outs)

    def kept(self) -> list[int]:
        """Candidates that belong in ``cv_results_``: complete or stopped."""
        return [c for c, s in enumerate(self.status) if s in (COMPLETE, STOPPED)]

    def any_complete(self) -> bool:
        """Whether some candidate has every fold: only those can be the best."""
        return COMPLETE in self.status

    def format_inputs(self, candidates: Sequence[int]):
        """``(params, outputs, more_results)`` for ``_format_results``.

        Outputs are in ``product(candidates, splits)`` order; a stopped
        candidate's missing folds get NaN scores and zero times.
        """
        outputs = []
        for c in candidates:
            template = next(out for out in self._outputs[c] if out is not None)
            for out in self._outputs[c]:
                outputs.append(out if out is not None else self._missing(template))
        more = {k: [v[c] for c in candidates] for k, v in self.more_results.items()}
        return [self.params[c] for c in candidates], outputs, more

    def ran_outputs(self, candidates: Sequence[int]) -> list[dict]:
        """Outputs of the folds of ``candidates`` that ran (not the cancelled)."""
        return [out for c in candidates for out in self._outputs[c] if out is not None]

    @staticmethod
    def _missing(template):
        # A cancelled fold took no time: mean_fit_time stays the time spent
        # per fold slot, so totals (mean x n_splits) remain right.
        missing = dict(template, fit_error=None, fit_time=0.0, score_time=0.0)
        missing["test_scores"] = _nan_like(template["test_scores"])
        if "train_scores" in template:
            missing["train_scores"] = _nan_like(template["train_scores"])
        return missing

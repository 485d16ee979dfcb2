"""One search's evaluation loop: candidates in, finished folds recorded.

:class:`SearchRun` is the ``evaluate_candidates`` callable that every
searcher's ``_run_search`` receives. It feeds the shared evaluator a lazy
stream of (candidate, fold) tasks and handles each finished fold as it comes:

- records it (:class:`~sklearn_bayestune._results.SearchRecord`) and appends
  it to the checkpoint journal;
- asks the stopping policy whether the candidate's remaining folds are worth
  fitting (fold racing; tasks then run fold by fold across candidates, so
  candidates are compared on the same folds early);
- when a candidate is done, updates the best score, calls the user's
  callbacks and checks the patience (``n_iter_no_change``), in the order the
  candidates were proposed, so that which finish first cannot change where
  the search stops;
- stops producing tasks once the time budget is spent or the search is asked
  to stop.

Because tasks are produced lazily, joblib asks for the next one only when a
worker is free, so a stop takes effect after at most ``pre_dispatch`` tasks.
On resume, the journal's entries are replayed instead of fitted, in the
order the interrupted run handled them: its candidates are proposed again at
the same points and its folds handed in in the same order, so a stopping
policy and an asynchronous searcher take the same decisions again, whatever
order the folds finished in. A fold replays only under the same parameters.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product

import numpy as np

from ._compat import real_callback_context
from ._evaluator import FoldResult, FoldTask
from ._journal import Resumed, params_key
from ._results import CANCELLED, COMPLETE, STOPPED
from .exceptions import _warn


@dataclass(frozen=True)
class CandidateResult:
    """What a callback receives after each finished candidate.

    Candidates are reported in the order they were proposed, once every
    earlier one has finished, so that what a callback sees does not depend
    on which fits finish first.

    Attributes
    ----------
    index : int
        The candidate's number in order of proposal: its row in
        ``cv_results_``, unless ``max_time`` or Ctrl-C left out an earlier
        candidate that had not finished.
    params : dict
        Its parameters.
    status : {"complete", "stopped"}
        "stopped" when a stopping policy cancelled its remaining folds.
    score : float
        Mean test score of the optimised metric over its finished folds (NaN
        when a fold failed).
    fold_scores : ndarray
        Test scores of its finished folds.
    n_done : int
        Candidates finished so far, this one included.
    best_score : float
        Best mean test score among complete candidates so far (NaN if none).
    best_params : dict or None
        Their parameters.
    elapsed : float
        Seconds since the search started.
    """

    index: int
    params: dict
    status: str
    score: float
    fold_scores: np.ndarray
    n_done: int
    best_score: float
    best_params: dict | None
    elapsed: float


class _ResultsSoFar(Mapping):
    """``cv_results_``-formatted results of the first ``n`` candidates, built lazily.

    ``evaluate_candidates`` returns one after each call, as scikit-learn's does;
    formatting only when read keeps searchers that ignore it from paying for
    it (and from repeating its warnings) on every call.
    """

    def __init__(self, search, record, n_candidates):
        self._search = search
        self._record = record
        self._n = n_candidates
        self._results = None

    def _get(self):
        if self._results is None:
            kept = [c for c in self._record.kept() if c < self._n]
            self._results = self._search._format_kept(self._record, kept)
        return self._results

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())


def _read_journal(entries):
    """The journal's history, its fits by candidate, and its candidate keys.

    The history is the entries in the order they were handled, each Resumed
    line cutting it back to its first ``at`` entries. Every fold entry, in
    the history or not, is a stored fit: ``{candidate: [(position in the
    file, entry), ...]}``. The keys are the ``(candidate, params)`` pairs of
    the candidate lines.
    """
    history, folds, candidates = [], defaultdict(list), set()
    for position, entry in enumerate(entries):
        if isinstance(entry, Resumed):
            del history[entry.at :]
            continue
        history.append(entry)
        if entry.split is None:
            candidates.add((entry.candidate, entry.params))
        else:
            folds[entry.candidate].append((position, entry))
    return history, folds, candidates


class SearchRun:
    """The ``evaluate_candidates`` callable of one ``fit``.

    Parameters
    ----------
    search : BaseSearchCV
        The search being fitted (for ``verbose``, ``_check_settable`` and
        ``_format_results``).
    evaluator : CrossValidationEvaluator
    record : SearchRecord
    policy : StoppingPolicy or None
        Cancels the remaining folds of hopeless candidates.
    max_time : float or None
        Seconds after ``start`` past which no new fit starts.
    patience : int or None
        Stop after this many candidates in a row, in order of proposal, without
        a new best; the candidates proposed after are dropped, finished or not.
    callbacks : sequence of callables
        Each is called with a :class:`CandidateResult`; a truthy return stops
        the search.
    journal : Journal or None
        Receives every candidate added and every fold fitted.
    replay : list of Entry and Resumed, or None
        The journal's lines, in file order (``Journal.load``).
    progress : ProgressReporter or None
    start : float
        ``time.monotonic()`` at the start of ``fit``.
    """

    def __init__(
        self,
        search,
        evaluator,
        record,
        *,
        policy=None,
        max_time=None,
        patience=None,
        callbacks=(),
        journal=None,
        replay=None,
        progress=None,
        start=None,
    ):
        self.search = search
        self.evaluator = evaluator
        self.record = record
        self.policy = policy
        self.patience = patience
        self.callbacks = list(callbacks or ())
        self.journal = journal
        self._replay_log, self._replay_folds, self._journaled_candidates = (
            _read_journal(replay or ())
        )
        # While the history is replayed in order nothing is journaled; once
        # an asynchronous replay ends, everything handled is, replays too.
        self._replaying = False
        self._journal_replays = False
        self._policy_checked = False
        self.progress = progress
        self.start = time.monotonic() if start is None else start
        self.deadline = None if max_time is None else self.start + max_time
        self.stop_reason: str | None = None
        self._declined = False  # candidates were left when the stop came
        self._keys: dict[int, str] = {}
        self._notified: set[int] = set()
        self._on_done = None
        self._lock = threading.RLock()
        self._n_done = 0
        self._n_fits = 0
        self._n_skipped = 0
        self.planned_candidates = 0
        self._best = (-math.inf, None)
        self._since_best = 0
        self._next_report = 0  # candidates are reported in order of proposal

    # -- the evaluate_candidates contract -------------------------------------

    def __call__(self, candidate_params, cv=None, more_results=None, callback_ctx=None):
        if cv is not None:
            raise ValueError(
                f"{type(self.search).__name__} computes the cross-validation "
                "splits once per fit; evaluate_candidates does not take cv."
            )
        candidate_params = list(candidate_params)
        if self.stop_reason is not None and candidate_params:
            self.decline()
        elif candidate_params:
            self._evaluate(candidate_params, more_results, callback_ctx)
        return _ResultsSoFar(self.search, self.record, self.record.n_candidates)

    def _evaluate(self, candidate_params, more_results, callback_ctx):
        if not self.planned_candidates:
            self._announce(len(candidate_params))
        self.search._check_settable(candidate_params)
        self._check_policy_can_act(len(candidate_params) * self.record.n_splits)
        indices = self._add_candidates(candidate_params, more_results)
        tasks = self._tasks(
            indices, candidate_params, real_callback_context(callback_ctx)
        )
        self._consume(
            tasks, first=indices.start, replay=lambda: self._replay_folds_of(indices)
        )

    def stream(self, propose, n_candidates, *, on_done, callback_ctx=None):
        """Evaluate candidates proposed one at a time, when a worker is free.

        The asynchronous counterpart of ``__call__``: ``propose()`` is called
        each time joblib asks for a task and no proposed candidate has a fold
        left to dispatch; it returns ``(params, more_results)`` for one
        candidate (``more_results`` maps each extra column to its value), or
        None to end. ``on_done(candidate)`` is called in this thread once a
        candidate is complete, stopped or failed. The two are serialised by a
        lock, since joblib may draw tasks from another thread.
        """
        self._on_done = on_done
        self.plan(n_candidates)
        # Tasks flow without steps: only a backend that hands results back
        # at the end keeps them all out of the policy's reach.
        self._check_policy_can_act(math.inf)
        tasks = self._stream_tasks(
            propose, n_candidates, real_callback_context(callback_ctx)
        )
        self._consume(
            tasks,
            first=self.record.n_candidates,
            replay=lambda: self._replay_stream(propose, n_candidates),
        )

    def plan(self, n_candidates: int) -> None:
        """Announce how many candidates the searcher means to evaluate in all.

        A searcher that proposes in steps calls it first, so the progress bar
        shows the whole budget from the start rather than the steps so far.
        """
        self.planned_candidates = n_candidates
        self._announce(n_candidates)
        self._update_progress_total()

    def _check_policy_can_act(self, tasks_per_step):
        """Warn once per fit when the policy can cancel no fold of a step."""
        if self.policy is None or self._policy_checked:
            return
        self._policy_checked = True
        n_splits = self.record.n_splits
        is_due = getattr(self.policy, "_is_due", None)
        if callable(is_due) and not any(is_due(k) for k in range(1, n_splits)):
            # It judges a candidate only once no fold is left to cancel.
            _warn(
                f"early_stopping can stop no fold of this search but those of a "
                f"candidate with a failed fold: {self.policy!r} first judges a "
                f"candidate after {n_splits} or more of its {n_splits} folds, "
                "when none is left to cancel. Use more folds, or judge earlier "
                "(delay_evaluation, evaluation_interval, min_folds).",
                UserWarning,
            )
            return
        out_of_reach = self.evaluator.tasks_out_of_reach()
        if out_of_reach is None or tasks_per_step > out_of_reach:
            return
        if out_of_reach == math.inf:
            why = (
                "the active joblib backend hands back a step's results only "
                "once all its tasks have run"
            )
            remedy = "Use a backend that streams results (loky, threading, dask)"
        else:
            why = (
                f"each step hands joblib {tasks_per_step} tasks, and with "
                f"n_jobs={self.evaluator.n_jobs} and "
                f"pre_dispatch={self.evaluator.pre_dispatch!r} it takes up to "
                f"{out_of_reach} before the policy sees a score"
            )
            enough = out_of_reach // self.record.n_splits + 1
            remedy = (
                f"Give batch_size={enough} or more, or lower pre_dispatch"
                if hasattr(self.search, "batch_size")
                else "Lower pre_dispatch or n_jobs"
            )
        _warn(
            f"early_stopping can stop no fold of this search: {why}. {remedy} "
            "to let the policy act.",
            UserWarning,
        )

    def _announce(self, n_candidates):
        if self.search.verbose > 0:
            n_splits = self.record.n_splits
            print(
                f"Fitting {n_splits} folds for each of {n_candidates} candidates,"
                f" totalling {n_candidates * n_splits} fits"
            )

    def _update_progress_total(self):
        if self.progress is not None:
            n_candidates = max(self.planned_candidates, self.record.n_candidates)
            total = n_candidates * self.record.n_splits - self._n_skipped
            self.progress.update(self._n_fits, total=total)

    def _skip_fold(self):
        """A fold of a candidate the policy stopped: it will never run."""
        self._n_skipped += 1
        self._update_progress_total()

    def _consume(self, tasks, *, first, replay):
        """Replay the journal, run ``tasks``, handle each result as it comes.

        Everything happens in this thread, the journal's results and user
        callbacks included; joblib may draw ``tasks`` from another.
        """
        try:
            with self._lock:
                replay()
            for result in self.evaluator.run(tasks):
                with self._lock:
                    self._on_result(result)
        finally:
            # Whatever did not run (budget, stop, interruption) is cancelled:
            # the candidates added from ``first`` on that are still running.
            for c in range(first, self.record.n_candidates):
                self.record.set_status(c, CANCELLED)
        self.report_finished()

    def report_finished(self):
        """Report the finished candidates that wait behind cancelled ones.

        After a stop, candidates proposed after one it cancelled may have
        finished; they are kept, so callbacks and the best score see them.
        """
        with self._lock:
            self._report_in_order()

    @property
    def halted(self) -> bool:
        """Whether the search was asked to stop; searchers propose no more."""
        return self.stop_reason is not None

    def halt(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason

    def decline(self) -> None:
        """Note that the searcher had candidates left when it saw the stop."""
        self._declined = True

    @property
    def stopped_early(self) -> bool:
        """Whether a stop left candidates out: not one at the last candidate."""
        return self.halted and (self._declined or CANCELLED in self.record.status)

    # -- tasks ----------------------------------------------------------------

    def _tasks(self, indices, candidate_params, callback_ctx):
        """Tasks in the order they should run, produced when joblib asks."""
        n_splits = self.record.n_splits
        n_candidates = len(indices)
        pairs = product(range(n_candidates), range(n_splits))
        if self.policy is not None:
            # Fold-major: every candidate's first fold before anyone's second,
            # so the policy compares candidates on the same folds early.
            pairs = ((p, s) for s, p in product(range(n_splits), range(n_candidates)))
        for position, split in pairs:
            candidate = indices[position]
            # A replayed fold is no task: the budget is checked only for tasks.
            if self.record.is_finished(candidate, split):
                continue
            if not self._may_dispatch():
                return
            if self.record.is_running(candidate):
                yield self._task(
                    candidate,
                    split,
                    candidate_params[position],
                    (position, n_candidates),
                    callback_ctx,
                    task_id=position * n_splits + split,
                )
            else:
                self._skip_fold()

    def _stream_tasks(self, propose, n_candidates, callback_ctx):
        """Folds of one candidate after another, proposing each when needed.

        Candidates proposed while replaying the journal come first. A fold
        the journal holds for a candidate proposed here is replayed through
        the evaluator, so its result is handled in the consuming thread.
        """
        n_splits = self.record.n_splits
        candidate = 0
        while True:
            if candidate == self.record.n_candidates:
                if candidate >= n_candidates:
                    return
                if not self._may_dispatch():
                    self.decline()
                    return
                with self._lock:
                    # A stop may have come in since _may_dispatch.
                    if self.halted:
                        self.decline()
                        return
                    if self._propose(propose) is None:
                        return
            params = self.record.params[candidate]
            for split in range(n_splits):
                # A replayed fold is no task: the budget is checked only for tasks.
                if self.record.is_finished(candidate, split):
                    continue
                if not self._may_dispatch():
                    return
                if self.record.is_running(candidate):
                    yield self._task(
                        candidate,
                        split,
                        params,
                        (candidate, n_candidates),
                        callback_ctx,
                        task_id=candidate * n_splits + split,
                        replay=self._journaled_out(candidate, split),
                    )
                else:
                    self._skip_fold()
            candidate += 1

    def _propose(self, propose):
        """Add the candidate ``propose()`` returns; its index, or None at the end."""
        proposal = propose()
        if proposal is None:
            return None
        params, more_results = proposal
        self.search._check_settable([params])
        (candidate,) = self._add_candidates(
            [params], {k: [v] for k, v in more_results.items()}
        )
        return candidate

    def _add_candidates(self, candidate_params, more_results):
        indices = self.record.add_candidates(candidate_params, more_results)
        self._update_progress_total()
        if self.journal is not None and not self._replaying:
            for c in indices:
                self._journal_candidate(c)
        return indices

    def _journal_candidate(self, c):
        key = self._key(c)
        if self._journal_replays or (c, key) not in self._journaled_candidates:
            self.journal.append_candidate(c, key)

    # -- replay ---------------------------------------------------------------

    def _replay_stream(self, propose, n_candidates):
        """Propose and hand in the journaled folds in the history's order.

        Each proposal sees the same finished and pending candidates as in the
        journaled run, so it is the same proposal. Replay in order ends where
        the proposals part (the history ends, a proposal differs, or a file of
        format version 1 holds no proposals); the journaled folds of the
        candidates proposed so far are then handed in at once, and those of
        later candidates as their tasks (``_journaled_out``). From there on
        everything handled is journaled, after a Resumed line when the history
        was cut short, so the file again holds a history in order. A stop
        (patience, a callback) ends the replay without parting from it.
        """
        self._replaying = True
        consumed, diverged = 0, None
        for entry in self._replay_log:
            c = entry.candidate
            if entry.split is not None:
                if c >= self.record.n_candidates:
                    break
                self._replay_fold(entry)
            elif self.halted or c != self.record.n_candidates or c >= n_candidates:
                break
            else:
                added = self._propose(propose)
                if added is None:
                    break
                if self._key(added) != entry.params:
                    diverged = added
                    break
            consumed += 1
        self._replaying = False
        if not self.halted:
            self._journal_replays = True
            if self.journal is not None:
                if consumed < len(self._replay_log):
                    self.journal.append_resumed(consumed)
                if diverged is not None:
                    self._journal_candidate(diverged)
        # Outside the history, a stopped candidate's folds would not run.
        self._replay_folds_of(range(self.record.n_candidates), running_only=True)

    def _replay_folds_of(self, candidates, running_only=False):
        """Hand in the journaled folds of ``candidates``, in file order."""
        entries = sorted(
            (item for c in candidates for item in self._replay_folds.get(c, ())),
            key=lambda item: item[0],
        )
        for _, entry in entries:
            if not running_only or self.record.is_running(entry.candidate):
                self._replay_fold(entry)

    def _journaled_out(self, candidate, split):
        """The journaled output of this fold under the candidate's parameters."""
        key = self._key(candidate)
        for _, entry in self._replay_folds.get(candidate, ()):
            if entry.split == split and entry.params == key:
                return entry.out
        return None

    def _replay_fold(self, entry):
        c, split = entry.candidate, entry.split
        if split >= self.record.n_splits:
            return  # an edited file: the splits are fingerprinted
        if entry.params == self._key(c) and not self.record.is_finished(c, split):
            self._on_result(FoldResult(c, entry.split, entry.out, replayed=True))

    def _may_dispatch(self):
        """False once the search is asked to stop or its time budget is spent."""
        if self.stop_reason is None and self.deadline is not None:
            if time.monotonic() > self.deadline:
                self.halt("max_time")
        return self.stop_reason is None

    def _task(
        self, candidate, split, params, progress, callback_ctx, *, task_id, replay=None
    ):
        return FoldTask(
            candidate=candidate,
            split=split,
            params=params,
            progress=progress,
            callback_ctx=None
            if callback_ctx is None
            else callback_ctx.subcontext(
                task_name="candidate-split-evaluation", task_id=task_id
            ),
            replay=replay,
        )

    def _key(self, candidate):
        """The candidate's ``params_key``, computed once."""
        if candidate not in self._keys:
            self._keys[candidate] = params_key(self.record.params[candidate])
        return self._keys[candidate]

    # -- results --------------------------------------------------------------

    def _on_result(self, result):
        c = result.candidate
        self.record.add(result)
        self._n_fits += 1
        if self.journal is not None and (self._journal_replays or not result.replayed):
            self.journal.append(c, result.split, self._key(c), result.out)
        for done in [c, *self._apply_policy()]:
            if self.record.status[done] in (COMPLETE, STOPPED) and (
                done not in self._notified
            ):
                self._candidate_done(done)
        if self.progress is not None:
            best = self._best[0] if self._best[1] is not None else None
            self.progress.update(self._n_fits, best_score=best)

    def _apply_policy(self):
        """Ask the policy about every running candidate; return those it stops.

        Not only the candidate that just finished a fold: its new score can
        make an earlier candidate hopeless too (with folds run across
        candidates, the first ones have nobody to be compared with yet).
        """
        if self.policy is None:
            return []
        scores, finished = self.record.score_table()
        stopped = []
        for candidate in np.flatnonzero(finished.any(axis=1)):
            candidate = int(candidate)
            if self.record.is_running(candidate) and self.policy.should_stop(
                scores, finished, candidate
            ):
                self.record.set_status(candidate, STOPPED)
                stopped.append(candidate)
        return stopped

    def _candidate_done(self, c):
        self._notified.add(c)
        if self._on_done is not None:
            self._on_done(c)
        self._report_in_order()

    def _report_in_order(self):
        """Report finished candidates in order of proposal.

        The best score, the callbacks and the patience see them in that
        order: in the order they finish, fit times would decide what a
        callback sees and where it or the patience stops the search. Such a
        stop at candidate k drops those proposed after it, finished or not,
        as one worker would never have fitted them.
        """
        record = self.record
        while self._next_report < record.n_candidates:
            c = self._next_report
            if record.is_running(c):
                return
            self._next_report += 1
            if record.status[c] not in (COMPLETE, STOPPED):
                continue  # cancelled
            self._n_done += 1
            folds = record.fold_scores(c)
            score = float(np.mean(folds)) if len(folds) else math.nan
            if record.status[c] == COMPLETE and score > self._best[0]:
                self._best = (score, c)
                self._since_best = 0
            elif self._best[1] is not None:
                # From a best only: before one, stopped candidates would end
                # the search with nothing to select.
                self._since_best += 1
            best_score, best = self._best
            info = CandidateResult(
                index=c,
                params=record.params[c],
                status=record.status[c],
                score=score,
                fold_scores=folds.copy(),
                n_done=self._n_done,
                best_score=best_score if best is not None else math.nan,
                best_params=None if best is None else record.params[best],
                elapsed=time.monotonic() - self.start,
            )
            stop = None
            for callback in self.callbacks:
                if callback(info):
                    stop = "callback"
            if stop is None and self.patience is not None:
                if self._since_best >= self.patience:
                    stop = "n_iter_no_change"
            if stop is not None and not self.halted:
                self.halt(stop)
                for later in range(c + 1, record.n_candidates):
                    record.status[later] = CANCELLED

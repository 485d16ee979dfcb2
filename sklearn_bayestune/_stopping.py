"""Fold racing: cancel the remaining folds of candidates that cannot win.

A cross-validated search fits every candidate on every fold, although after a
fold or two most candidates are plainly worse than the best ones. Fold racing
asks a *stopping policy* each time a candidate finishes a fold whether the
candidate's remaining folds are worth fitting; when the answer is yes
(``should_stop`` returns True) the search cancels them. The policies are named
after the early-termination policies of Azure ML HyperDrive, with one interval
being one finished fold, plus one of our own that tests for a difference
instead of comparing with a threshold:

=============================================  ===============================
HyperDrive (``azureml.train.hyperdrive``)      here (interval = finished fold)
=============================================  ===============================
``BanditPolicy``                               :class:`BanditPolicy`
``MedianStoppingPolicy``                       :class:`MedianStoppingPolicy`
``TruncationSelectionPolicy``                  :class:`TruncationSelectionPolicy`
``NoTerminationPolicy``                        no policy (``None``)
(none)                                         :class:`PairedTestPolicy`
=============================================  ===============================

Scores are scikit-learn scores: greater is better, and they may be negative
(``neg_log_loss``, ``neg_mean_squared_error``).

**Paired comparisons.** Workers finish folds out of order, and folds differ in
difficulty far more than good candidates differ from each other, so a policy
compares like with like. Let ``S`` be the set of folds the candidate has
finished. Its *running score* is its mean test score over ``S``. Another
candidate is *comparable* when it has finished every fold in ``S`` (and none of
them failed); its running score is its mean over the same folds ``S``, never
over the folds it happens to have. A fold's difficulty then shifts every
running score alike and drops out of every comparison.

Rules that every policy shares (:meth:`StoppingPolicy.should_stop`):

- a candidate whose folds are all finished is never stopped (nothing is left
  to cancel), and neither is one without a finished fold;
- a candidate with a failed fold (a NaN score in a finished cell, scikit-learn's
  default ``error_score``) is stopped at once: its mean test score is NaN, so it
  can never be the best. A numeric ``error_score`` is a score like any other;
- a candidate without comparable candidates is never stopped;
- otherwise the policy decides, when its schedule says so
  (``evaluation_interval`` and ``delay_evaluation``, or ``min_folds``).

Use :class:`PairedTestPolicy` when a wrongly cancelled candidate is expensive:
it stops only on statistical evidence. The three HyperDrive policies are
heuristics with a tunable aggressiveness, and :class:`MedianStoppingPolicy` is
the usual default (it saves the most with the least tuning).

Notation
--------
S : ndarray of bool of shape (n_splits,)
    The folds the candidate has finished; ``k = S.sum()`` of them.
y_S : ndarray of shape (k,)
    The candidate's test scores on ``S``; its running score is their mean.
Y_S : ndarray of shape (n_comparable, k)
    The comparable candidates' test scores on the same folds, in the same order.
mean_full : ndarray of shape (n_comparable,)
    Each comparable candidate's mean test score over all ``n_splits`` folds;
    NaN unless it has finished all of them without a failure.
"""

from __future__ import annotations

import inspect
import math
import numbers

import numpy as np
from scipy import stats

__all__ = [
    "BanditPolicy",
    "MedianStoppingPolicy",
    "PairedTestPolicy",
    "StoppingPolicy",
    "TruncationSelectionPolicy",
]


class StoppingPolicy:
    """Base class of the fold-racing policies.

    The search calls :meth:`should_stop` every time a candidate finishes a fold
    and cancels the candidate's remaining folds when it returns True. The base
    class applies the rules that every policy shares (see the module
    docstring), finds the comparable candidates on the same folds, and then
    calls the two hooks of a subclass:

    - ``_is_due(k) -> bool``: whether the policy judges a candidate that has
      finished ``k`` folds (always, by default);
    - ``_stop(y_S, Y_S, mean_full) -> bool``: the decision, from the
      candidate's scores on its finished folds ``S``, the comparable
      candidates' scores on the same folds, and their means over all folds
      (NaN unless complete). ``Y_S`` has at least one row.

    A policy is a small parameter object in the manner of scikit-learn: the
    constructor only stores its keyword arguments under their own names, the
    search calls ``_validate()`` at fit, and ``get_params``, ``set_params``,
    ``__repr__`` and ``__eq__`` are derived from the constructor's signature,
    so :func:`sklearn.base.clone` copies a search that holds one.

    Notes
    -----
    **Subclassing.** Write ``__init__`` (storing the arguments), ``_validate``
    and ``_stop``; ``_is_due`` only if the policy has a schedule. The example
    below is such a subclass.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bayestune._stopping import StoppingPolicy
    >>> class FloorPolicy(StoppingPolicy):
    ...     '''Stop a candidate whose running score is below a fixed floor.'''
    ...     def __init__(self, *, floor=0.5):
    ...         self.floor = floor
    ...     def _validate(self):
    ...         pass
    ...     def _stop(self, y_S, Y_S, mean_full):
    ...         return y_S.mean() < self.floor
    >>> scores = np.array([[0.6, 0.7, 0.8],
    ...                    [0.4, np.nan, np.nan]])
    >>> finished = ~np.isnan(scores)
    >>> FloorPolicy(floor=0.5).should_stop(scores, finished, candidate=1)
    True
    >>> FloorPolicy(floor=0.3)
    FloorPolicy(floor=0.3)
    """

    def should_stop(
        self, scores: np.ndarray, finished: np.ndarray, candidate: int
    ) -> bool:
        """Whether to cancel the remaining folds of ``candidate``.

        Parameters
        ----------
        scores : ndarray of shape (n_candidates, n_splits)
            The test score of every finished fold (the search's
            ``error_score``, NaN by default, for a failed fit); the cells of
            unfinished folds are ignored (NaN by convention).
        finished : ndarray of bool of shape (n_candidates, n_splits)
            Which folds have finished, in any order.
        candidate : int
            The row of the candidate that has just finished a fold.

        Returns
        -------
        stop : bool
            True to cancel the candidate's remaining folds.
        """
        scores = np.asarray(scores, dtype=float)
        finished = np.asarray(finished, dtype=bool)
        if scores.ndim != 2 or scores.shape != finished.shape:
            raise ValueError(
                f"{type(self).__name__}.should_stop needs scores and finished "
                "of the same shape (n_candidates, n_splits); got shapes "
                f"{scores.shape} and {finished.shape}."
            )
        n_candidates, n_splits = scores.shape
        if (
            isinstance(candidate, bool)
            or not isinstance(candidate, numbers.Integral)
            or not 0 <= candidate < n_candidates
        ):
            raise ValueError(
                f"{type(self).__name__}.should_stop needs candidate to be a row "
                f"index in [0, {n_candidates}); got {candidate!r}."
            )
        S = finished[candidate]
        k = int(S.sum())
        if k == 0 or k == n_splits:
            return False
        y_S = scores[candidate, S]
        if np.isnan(y_S).any():
            return True
        if not self._is_due(k):
            return False
        comparable = finished[:, S].all(axis=1)
        comparable[candidate] = False
        comparable &= ~np.isnan(scores[:, S]).any(axis=1)
        if not comparable.any():
            return False
        Y_S = scores[np.ix_(comparable, S)]
        complete = finished[comparable].all(axis=1)
        mean_full = np.full(Y_S.shape[0], np.nan)
        mean_full[complete] = scores[comparable][complete].mean(axis=1)
        return bool(self._stop(y_S, Y_S, mean_full))

    def _validate(self) -> None:
        """Raise ValueError or TypeError if a parameter is invalid."""

    def _is_due(self, k: int) -> bool:
        """Whether the policy judges a candidate that has finished ``k`` folds."""
        return True

    def _stop(self, y_S: np.ndarray, Y_S: np.ndarray, mean_full: np.ndarray) -> bool:
        raise NotImplementedError(
            f"{type(self).__name__} must implement _stop(y_S, Y_S, mean_full)."
        )

    # -- scikit-learn parameter protocol -------------------------------------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        # As sklearn.base.BaseEstimator._get_param_names: the keyword
        # arguments of __init__ are the parameters.
        if cls.__init__ is object.__init__:
            return []
        parameters = inspect.signature(cls.__init__).parameters.values()
        return [
            p.name
            for p in parameters
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self, deep: bool = True) -> dict:
        """Get the parameters of this policy.

        Parameters
        ----------
        deep : bool, default=True
            Ignored: a policy holds no nested objects. Present for
            scikit-learn's ``get_params`` protocol.

        Returns
        -------
        params : dict
            The constructor arguments by name.
        """
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params) -> StoppingPolicy:
        """Set the parameters of this policy.

        Parameters
        ----------
        **params : dict
            New values of constructor arguments.

        Returns
        -------
        self : StoppingPolicy
            This policy.
        """
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        # Only the arguments that differ from their defaults, as scikit-learn
        # prints estimators, so that eval(repr(policy)) == policy.
        signature = inspect.signature(type(self).__init__).parameters
        changed = []
        for name, value in self.get_params().items():
            default = signature[name].default
            if value is default or (type(value) is type(default) and value == default):
                continue
            changed.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(changed)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.get_params() == other.get_params()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self.get_params().items())))


def _check_int(owner: StoppingPolicy, name: str, low: int, fix: str) -> None:
    """Raise unless ``owner.<name>`` is an int in [low, inf)."""
    value = getattr(owner, name)
    message = (
        f"The {name!r} parameter of {type(owner).__name__} must be an int in the "
        f"range [{low}, inf). Got {value!r} instead. {fix}"
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(message)
    if value < low:
        raise ValueError(message)


def _check_real(
    owner: StoppingPolicy, name: str, low: float, high: float, closed: str, fix: str
) -> None:
    """Raise unless ``owner.<name>`` is a real number in the given interval.

    ``closed`` is "left" for [low, high) and "neither" for (low, high); the
    comparisons are written so that NaN fails them.
    """
    value = getattr(owner, name)
    interval = ("[" if closed == "left" else "(") + f"{low}, {high})"
    message = (
        f"The {name!r} parameter of {type(owner).__name__} must be a float in the "
        f"range {interval}. Got {value!r} instead. {fix}"
    )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(message)
    above_low = value >= low if closed == "left" else value > low
    if not (above_low and value < high):
        raise ValueError(message)


def _running_scores(y_S: np.ndarray, Y_S: np.ndarray) -> tuple[float, np.ndarray]:
    """The candidate's and the comparables' means over the same folds.

    Computed in one reduction over one array so that equal rows give
    bit-identical means (ties are then exact).
    """
    means = np.vstack([y_S, Y_S]).mean(axis=1)
    return float(means[0]), means[1:]


class _IntervalPolicy(StoppingPolicy):
    """A policy on HyperDrive's schedule: ``evaluation_interval``, ``delay_evaluation``.

    As HyperDrive documents it, the policy applies "every multiple of
    evaluation_interval that is greater than or equal to delay_evaluation":
    it judges a candidate that has finished ``k`` folds when
    ``k % evaluation_interval == 0 and k >= delay_evaluation``.
    """

    def _validate_schedule(self) -> None:
        _check_int(
            self,
            "evaluation_interval",
            1,
            "Use 1 to apply the policy after every fold.",
        )
        _check_int(
            self,
            "delay_evaluation",
            0,
            "Use 0 to apply the policy from the first fold on.",
        )

    def _is_due(self, k: int) -> bool:
        return k % self.evaluation_interval == 0 and k >= self.delay_evaluation


class BanditPolicy(_IntervalPolicy):
    """Stop a candidate that trails the best comparable candidate by a slack.

    HyperDrive's bandit policy on folds: a candidate is stopped when its
    running score (its mean over the folds ``S`` it has finished) is below the
    best running score among the comparable candidates (those that have
    finished every fold in ``S``, scored on the same folds) minus an allowed
    gap: ``running < best - gap``. A candidate exactly at the gap goes on.

    Parameters
    ----------
    slack_factor : float, default=None
        The gap relative to the best running score:
        ``gap = slack_factor * abs(best)``. Exactly one of ``slack_factor``
        and ``slack_amount`` must be given.
    slack_amount : float, default=None
        The gap in score units: ``gap = slack_amount``.
    evaluation_interval : int, default=1
        Apply the policy after every ``evaluation_interval``-th finished fold
        of a candidate.
    delay_evaluation : int, default=0
        Apply the policy only once a candidate has finished at least
        ``delay_evaluation`` folds. With ``evaluation_interval``, a candidate
        that has finished ``k`` folds is judged when
        ``k % evaluation_interval == 0 and k >= delay_evaluation`` (HyperDrive:
        "every multiple of evaluation_interval that is greater than or equal
        to delay_evaluation"); 0 and 1 both judge from the first fold on.

    See Also
    --------
    MedianStoppingPolicy : Stop below the median, with nothing to tune.
    PairedTestPolicy : Stop only when a paired t-test says worse.

    Notes
    -----
    HyperDrive stops a run whose metric is below ``best / (1 + slack_factor)``,
    which is a distance below ``best`` only when ``best`` is positive. For a
    negative ``best``, as scikit-learn's ``neg_log_loss`` or
    ``neg_mean_squared_error`` give, dividing moves the threshold *above* the
    best score and would stop the leaders themselves. We measure the gap from
    the magnitude instead, ``best - slack_factor * abs(best)``, which is
    always at or below ``best``: with ``slack_factor=0.1`` a best
    ``neg_log_loss`` of -0.50 stops candidates below -0.55. For a positive
    ``best`` this is ``best * (1 - slack_factor)``, slightly below
    HyperDrive's ``best / (1 + slack_factor)`` (0.72 instead of 0.727 for a
    best of 0.8 and a factor of 0.1). A best of exactly 0 allows no gap; use
    ``slack_amount`` for metrics near zero.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bayestune._stopping import BanditPolicy
    >>> scores = np.array([[0.80, 0.84, 0.82],
    ...                    [0.74, np.nan, np.nan],
    ...                    [0.70, np.nan, np.nan]])
    >>> finished = ~np.isnan(scores)
    >>> policy = BanditPolicy(slack_amount=0.08)
    >>> policy.should_stop(scores, finished, candidate=1)  # 0.74 >= 0.80 - 0.08
    False
    >>> policy.should_stop(scores, finished, candidate=2)  # 0.70 < 0.72
    True
    >>> BanditPolicy(slack_factor=0.1)
    BanditPolicy(slack_factor=0.1)
    """

    def __init__(
        self,
        *,
        slack_factor=None,
        slack_amount=None,
        evaluation_interval=1,
        delay_evaluation=0,
    ):
        self.slack_factor = slack_factor
        self.slack_amount = slack_amount
        self.evaluation_interval = evaluation_interval
        self.delay_evaluation = delay_evaluation

    def _validate(self) -> None:
        given = [
            name
            for name in ("slack_factor", "slack_amount")
            if getattr(self, name) is not None
        ]
        if not given:
            raise ValueError(
                "BanditPolicy needs exactly one of slack_factor and slack_amount; "
                "got neither. Pass e.g. slack_factor=0.1 or slack_amount=0.02."
            )
        if len(given) == 2:
            raise ValueError(
                "BanditPolicy needs exactly one of slack_factor and slack_amount; "
                f"got slack_factor={self.slack_factor!r} and "
                f"slack_amount={self.slack_amount!r}. Set the other to None."
            )
        _check_real(
            self,
            given[0],
            0,
            math.inf,
            "left",
            "A slack is a distance below the best score; 0 stops every "
            "candidate below the best.",
        )
        self._validate_schedule()

    def _stop(self, y_S: np.ndarray, Y_S: np.ndarray, mean_full: np.ndarray) -> bool:
        running, others = _running_scores(y_S, Y_S)
        best = float(others.max())
        if self.slack_amount is not None:
            gap = float(self.slack_amount)
        else:
            gap = float(self.slack_factor) * abs(best)
        # Python floats: an infinite error_score gives inf - inf = nan (no
        # stop) without a RuntimeWarning.
        return running < best - gap


class MedianStoppingPolicy(_IntervalPolicy):
    """Stop a candidate whose running score is below the comparables' median.

    HyperDrive's median stopping policy on folds: a candidate is stopped when
    its running score (its mean over the folds ``S`` it has finished) is below
    the median of the running scores of the comparable candidates (those that
    have finished every fold in ``S``, scored on the same folds). A candidate
    at the median goes on. One comparable candidate is enough.

    Parameters
    ----------
    evaluation_interval : int, default=1
        Apply the policy after every ``evaluation_interval``-th finished fold
        of a candidate.
    delay_evaluation : int, default=0
        Apply the policy only once a candidate has finished at least
        ``delay_evaluation`` folds: a candidate that has finished ``k`` folds
        is judged when ``k % evaluation_interval == 0 and
        k >= delay_evaluation``, as in HyperDrive.

    See Also
    --------
    BanditPolicy : Stop only far behind the best.
    TruncationSelectionPolicy : Stop a fixed share of the worst.

    Notes
    -----
    HyperDrive compares a run's best metric so far with the median of the
    runs' running averages; folds are not epochs, so here both sides are
    running means. A stopped candidate never finishes more folds, so at later
    folds the comparables are the survivors and the median rises with the
    fold count: the policy grows stricter as the race goes on. Set
    ``delay_evaluation`` to give every candidate a few folds first, or use
    :class:`PairedTestPolicy` where a close second must survive.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bayestune._stopping import MedianStoppingPolicy
    >>> scores = np.array([[0.80, 0.84, 0.82],
    ...                    [0.70, 0.72, 0.71],
    ...                    [0.75, np.nan, np.nan],
    ...                    [0.74, np.nan, np.nan]])
    >>> finished = ~np.isnan(scores)
    >>> policy = MedianStoppingPolicy()
    >>> policy.should_stop(scores, finished, candidate=2)  # median 0.74
    False
    >>> policy.should_stop(scores, finished, candidate=3)  # median 0.75
    True
    """

    def __init__(self, *, evaluation_interval=1, delay_evaluation=0):
        self.evaluation_interval = evaluation_interval
        self.delay_evaluation = delay_evaluation

    def _validate(self) -> None:
        self._validate_schedule()

    def _stop(self, y_S: np.ndarray, Y_S: np.ndarray, mean_full: np.ndarray) -> bool:
        running, others = _running_scores(y_S, Y_S)
        return running < float(np.median(others))


class TruncationSelectionPolicy(_IntervalPolicy):
    """Stop a candidate in the lowest share of the running scores.

    HyperDrive's truncation selection policy on folds. Pool the candidate with
    its comparable candidates (those that have finished every fold in ``S``,
    the folds the candidate has finished) and rank their running scores (means
    over ``S``). With ``n`` candidates in the pool, the lowest
    ``n_cut = floor(n * truncation_percentage / 100)`` are cut, and the
    candidate is stopped when it is among them even if every tie is broken in
    its favour: when at most ``n_cut`` pool members, itself included, score
    at or below it. The policy waits for at least four comparable candidates
    (a pool of five), since a percentile of fewer running scores is mostly
    noise; with the default 10 % nothing is cut before a pool of ten.

    Parameters
    ----------
    truncation_percentage : float, default=10
        The percentage of the pool to cut, in (0, 100).
    evaluation_interval : int, default=1
        Apply the policy after every ``evaluation_interval``-th finished fold
        of a candidate.
    delay_evaluation : int, default=0
        Apply the policy only once a candidate has finished at least
        ``delay_evaluation`` folds: a candidate that has finished ``k`` folds
        is judged when ``k % evaluation_interval == 0 and
        k >= delay_evaluation``, as in HyperDrive.

    See Also
    --------
    MedianStoppingPolicy : Cut everything below the median.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bayestune._stopping import TruncationSelectionPolicy
    >>> scores = np.full((5, 3), np.nan)
    >>> scores[:, 0] = [0.9, 0.8, 0.7, 0.6, 0.5]
    >>> finished = ~np.isnan(scores)
    >>> policy = TruncationSelectionPolicy(truncation_percentage=20)
    >>> policy.should_stop(scores, finished, candidate=4)  # the lowest of 5
    True
    >>> policy.should_stop(scores, finished, candidate=3)
    False
    """

    # Comparable candidates needed before anything is cut (a pool of five).
    _MIN_COMPARABLE = 4

    def __init__(
        self, *, truncation_percentage=10, evaluation_interval=1, delay_evaluation=0
    ):
        self.truncation_percentage = truncation_percentage
        self.evaluation_interval = evaluation_interval
        self.delay_evaluation = delay_evaluation

    def _validate(self) -> None:
        _check_real(
            self,
            "truncation_percentage",
            0,
            100,
            "neither",
            "Use e.g. 10 to stop candidates in the lowest 10 %.",
        )
        self._validate_schedule()

    def _stop(self, y_S: np.ndarray, Y_S: np.ndarray, mean_full: np.ndarray) -> bool:
        if Y_S.shape[0] < self._MIN_COMPARABLE:
            return False
        running, others = _running_scores(y_S, Y_S)
        n = others.size + 1
        # The relative nudge keeps exact products such as 10 * 10 / 100 from
        # flooring to 0 through a rounding error.
        n_cut = math.floor(n * float(self.truncation_percentage) / 100 * (1 + 1e-12))
        n_at_or_below = 1 + int(np.sum(others <= running))
        return n_at_or_below <= n_cut


class PairedTestPolicy(StoppingPolicy):
    """Stop a candidate that a paired t-test finds worse than the incumbent.

    The incumbent is the comparable candidate with the best mean over all
    folds among those that have finished all of them; while none has, it is
    the comparable candidate with the best running score (mean over the folds
    ``S`` the candidate has finished). Let ``d`` be the candidate's fold
    scores minus the incumbent's on ``S``. The candidate is stopped when a
    one-sided paired t-test of ``H0: E[d] = 0`` against ``H1: E[d] < 0`` gives
    a p-value below ``alpha``, that is, when it is significantly worse on the
    same folds. It is judged once it has finished ``min_folds`` folds.

    Parameters
    ----------
    alpha : float, default=0.05
        The significance level, in (0, 1). Smaller stops less and later.
    min_folds : int, default=2
        Judge a candidate only once it has finished at least this many folds;
        a t-test needs two paired scores.

    See Also
    --------
    BanditPolicy : Stop far behind the best, without a test.

    Notes
    -----
    ``t = mean(d) / (std(d, ddof=1) / sqrt(k))`` with ``k - 1`` degrees of
    freedom, and the p-value is ``scipy.stats.t.cdf(t, k - 1)``; this equals
    ``scipy.stats.ttest_rel(y_S, y_incumbent, alternative="less")``. When the
    differences have no spread the t statistic is undefined and we decide
    without warnings: all differences equal and negative is worse (p = 0),
    and equal to zero or positive is not (p = 1).

    Cross-validation folds share most of their training data, so fold scores
    are positively correlated and the paired t-test underestimates the
    variance of ``mean(d)`` (Nadeau and Bengio, 2003, "Inference for the
    generalization error", Machine Learning 52). ``alpha`` is therefore a
    nominal level: the test stops somewhat more often than ``alpha`` says.
    Each candidate is also tested after several folds, which adds to that.
    Lower ``alpha`` (e.g. 0.01) when a wrongly stopped candidate is costly.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_bayestune._stopping import PairedTestPolicy
    >>> scores = np.array([[0.80, 0.90, 0.70, 0.85, 0.75],
    ...                    [0.78, 0.87, 0.69, np.nan, np.nan],
    ...                    [0.81, 0.86, 0.72, np.nan, np.nan]])
    >>> finished = ~np.isnan(scores)
    >>> policy = PairedTestPolicy(alpha=0.05)
    >>> policy.should_stop(scores, finished, candidate=1)  # -0.02, -0.03, -0.01
    True
    >>> policy.should_stop(scores, finished, candidate=2)  # +0.01, -0.04, +0.02
    False
    """

    def __init__(self, *, alpha=0.05, min_folds=2):
        self.alpha = alpha
        self.min_folds = min_folds

    def _validate(self) -> None:
        _check_real(
            self,
            "alpha",
            0,
            1,
            "neither",
            "Use e.g. 0.05; smaller values stop fewer candidates.",
        )
        _check_int(
            self,
            "min_folds",
            2,
            "A paired t-test needs at least two fold scores per candidate.",
        )

    def _is_due(self, k: int) -> bool:
        return k >= self.min_folds

    def _stop(self, y_S: np.ndarray, Y_S: np.ndarray, mean_full: np.ndarray) -> bool:
        complete = ~np.isnan(mean_full)
        if complete.any():
            incumbent = np.flatnonzero(complete)[np.argmax(mean_full[complete])]
        else:
            incumbent = int(np.argmax(_running_scores(y_S, Y_S)[1]))
        d = y_S - Y_S[incumbent]
        return _paired_t_pvalue_less(d) < self.alpha


def _paired_t_pvalue_less(d: np.ndarray) -> float:
    """One-sided p-value of the paired t-test, ``H1: E[d] < 0``.

    ``d`` holds at least two differences. Without spread the statistic is
    -inf, +inf or 0/0; decide those directly instead of letting NumPy and
    SciPy warn.
    """
    if not np.isfinite(d).all():
        # Only reachable with an infinite numeric error_score.
        return 0.0 if np.isneginf(d).any() and not np.isposinf(d).any() else 1.0
    mean = float(d.mean())
    std = float(d.std(ddof=1))
    if std == 0.0:
        return 0.0 if mean < 0.0 else 1.0
    t = mean / (std / math.sqrt(d.size))
    return float(stats.t.cdf(t, d.size - 1))

"""Tests of the fold-racing policies: hand-made tables, schedules, validation."""

import ast
import doctest
import math
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, clone

from sklearn_bayestune import _stopping
from sklearn_bayestune._stopping import (
    BanditPolicy,
    MedianStoppingPolicy,
    PairedTestPolicy,
    StoppingPolicy,
    TruncationSelectionPolicy,
    _paired_t_pvalue_less,
)

nan = np.nan

# One valid instance of every policy, set so that a clearly bad candidate with
# enough comparables is stopped.
POLICIES = [
    BanditPolicy(slack_amount=0.1),
    BanditPolicy(slack_factor=0.1),
    MedianStoppingPolicy(),
    TruncationSelectionPolicy(),
    PairedTestPolicy(),
]
POLICY_IDS = [repr(policy) for policy in POLICIES]


def table(rows):
    """Scores from rows with NaN for unfinished folds; finished = not NaN."""
    scores = np.array(rows, dtype=float)
    return scores, ~np.isnan(scores)


def good_field(n_good=10, n_splits=5):
    """``n_good`` complete candidates scoring about 0.9 on every fold."""
    offsets = np.linspace(-0.01, 0.01, n_good)[:, None]
    fold = np.array([0.0, 0.02, -0.02, 0.01, -0.01])[:n_splits]
    return (0.9 + offsets + fold).tolist()


def with_candidate(rows, candidate_row):
    scores, finished = table([*rows, candidate_row])
    return scores, finished, len(rows)


# -- rules every policy shares -----------------------------------------------


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_bad_candidate_with_many_comparables_is_stopped(policy):
    scores, finished, c = with_candidate(good_field(), [0.1, 0.1, 0.1, nan, nan])
    assert policy.should_stop(scores, finished, c) is True


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_complete_candidate_is_never_stopped(policy):
    scores, finished, c = with_candidate(good_field(), [0.1] * 5)
    assert policy.should_stop(scores, finished, c) is False


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_complete_candidate_with_failed_fold_is_not_stopped(policy):
    # Nothing is left to cancel, so "stop" would mean nothing.
    scores, finished, c = with_candidate(good_field(), [0.1, nan, 0.1, 0.1, 0.1])
    finished[c] = True
    assert policy.should_stop(scores, finished, c) is False


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_candidate_without_finished_fold_is_not_stopped(policy):
    scores, finished, c = with_candidate(good_field(), [nan] * 5)
    assert policy.should_stop(scores, finished, c) is False


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_failed_fold_stops_at_once(policy):
    # No comparable candidate, first fold, and a schedule that has not begun:
    # a NaN mean can never be the best, so every policy stops it anyway.
    policy = clone(policy)
    if "delay_evaluation" in policy.get_params():
        policy.set_params(delay_evaluation=3)
    scores, finished = table([[nan, nan, nan], [nan, nan, nan]])
    finished[1, 0] = True
    assert policy.should_stop(scores, finished, 1) is True


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_no_comparable_candidate_no_stop(policy):
    # The others have not finished fold 2, the only fold the candidate has.
    rows = [[0.9, 0.9, nan, nan, nan] for _ in range(10)]
    scores, finished, c = with_candidate(rows, [nan, nan, 0.1, nan, nan])
    assert policy.should_stop(scores, finished, c) is False


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_comparable_with_failed_fold_is_ignored(policy):
    rows = [[nan, 0.9, 0.9, 0.9, 0.9] for _ in range(10)]
    scores, finished, c = with_candidate(rows, [0.1, 0.1, nan, nan, nan])
    finished[:c, 0] = True  # every comparable failed fold 0
    assert policy.should_stop(scores, finished, c) is False


@pytest.mark.parametrize(
    "policy",
    [BanditPolicy(slack_amount=0.05), MedianStoppingPolicy(), PairedTestPolicy()],
    ids=repr,
)
def test_out_of_order_folds_compare_the_same_folds(policy):
    # The candidate finished folds 2 and 3 first. Fold 2 and 3 are hard: the
    # others score 0.5 there and 0.9 elsewhere. On the same folds the candidate
    # leads; against the others' means over all their folds (0.74) it would
    # trail by far.
    rows = [
        [0.90, 0.90, 0.50, 0.51, 0.90],
        [0.91, 0.91, 0.49, 0.50, 0.91],
        [0.92, 0.92, 0.51, 0.49, nan],
    ]
    scores, finished, c = with_candidate(rows, [nan, nan, 0.60, 0.62, nan])
    assert policy.should_stop(scores, finished, c) is False
    # A candidate that trails on those folds is stopped by the same rule.
    scores[c, 2:4] = [0.20, 0.21]
    assert policy.should_stop(scores, finished, c) is True


def test_only_candidates_with_every_fold_of_s_are_comparable():
    # Row 0 would make the candidate look bad, but it lacks fold 1.
    scores, finished = table(
        [
            [0.99, nan, 0.99],
            [0.50, 0.50, nan],
            [0.60, 0.60, nan],
        ]
    )
    policy = BanditPolicy(slack_amount=0.0)
    assert policy.should_stop(scores, finished, 2) is False
    assert policy.should_stop(scores, finished, 1) is True
    # What an unfinished cell holds is ignored: finished decides.
    scores[0, 1] = 0.99
    assert policy.should_stop(scores, finished, 2) is False
    scores[~finished] = -1.0
    assert policy.should_stop(scores, finished, 2) is False
    assert policy.should_stop(scores, finished, 1) is True


def test_should_stop_returns_python_bool_and_leaves_inputs_alone():
    scores, finished, c = with_candidate(good_field(), [0.1, 0.1, nan, nan, nan])
    before = scores.copy(), finished.copy()
    result = MedianStoppingPolicy().should_stop(scores, finished, c)
    assert type(result) is bool
    np.testing.assert_array_equal(scores, before[0])
    np.testing.assert_array_equal(finished, before[1])


def test_should_stop_accepts_lists_and_numpy_integer_row():
    scores, finished = table([[0.9, 0.9], [0.1, nan]])
    policy = MedianStoppingPolicy()
    assert policy.should_stop(scores.tolist(), finished.tolist(), np.int64(1))


def test_should_stop_rejects_mismatched_shapes():
    scores, finished = table([[0.9, 0.9], [0.1, nan]])
    msg = re.escape(
        "MedianStoppingPolicy.should_stop needs scores and finished of the same "
        "shape (n_candidates, n_splits); got shapes (2, 2) and (2, 1)."
    )
    with pytest.raises(ValueError, match=msg):
        MedianStoppingPolicy().should_stop(scores, finished[:, :1], 1)
    with pytest.raises(ValueError, match=r"got shapes \(2,\) and \(2,\)"):
        MedianStoppingPolicy().should_stop(scores[0], finished[0], 0)


@pytest.mark.parametrize("candidate", [2, -1, 1.0, True])
def test_should_stop_rejects_bad_candidate(candidate):
    scores, finished = table([[0.9, 0.9], [0.1, nan]])
    msg = re.escape(
        "BanditPolicy.should_stop needs candidate to be a row index in [0, 2); "
        f"got {candidate!r}."
    )
    with pytest.raises(ValueError, match=msg):
        BanditPolicy(slack_amount=0.1).should_stop(scores, finished, candidate)


def test_subclass_without_stop_raises():
    class Incomplete(StoppingPolicy):
        pass

    scores, finished = table([[0.9, 0.9], [0.1, nan]])
    with pytest.raises(NotImplementedError, match="Incomplete must implement _stop"):
        Incomplete().should_stop(scores, finished, 1)


# -- BanditPolicy --------------------------------------------------------------

# Binary fractions keep the boundaries exact in floating point.


@pytest.mark.parametrize(
    "running, stop",
    [(0.5, False), (0.5 - 2**-20, True), (0.625, False), (0.75, False), (1.0, False)],
)
def test_bandit_slack_amount_boundary(running, stop):
    scores, finished = table(
        [[0.75, 0.75, 0.75], [0.5, 0.5, 0.5], [running, running, nan]]
    )
    policy = BanditPolicy(slack_amount=0.25)
    assert policy.should_stop(scores, finished, 2) is stop


@pytest.mark.parametrize("running, stop", [(0.375, False), (0.375 - 2**-20, True)])
def test_bandit_slack_factor_boundary(running, stop):
    # gap = 0.5 * |0.75| = 0.375, threshold 0.375.
    scores, finished = table([[0.75, 0.75, 0.75], [running, nan, nan]])
    assert BanditPolicy(slack_factor=0.5).should_stop(scores, finished, 1) is stop


@pytest.mark.parametrize(
    "running, stop", [(-0.75, False), (-0.75 - 2**-20, True), (-0.625, False)]
)
def test_bandit_slack_factor_negative_scores(running, stop):
    # neg_log_loss-like scores: best -0.5, gap 0.5 * |-0.5| = 0.25, so the
    # threshold -0.75 lies below the best.
    scores, finished = table([[-0.5, -0.5, -0.5], [running, nan, nan]])
    assert BanditPolicy(slack_factor=0.5).should_stop(scores, finished, 1) is stop


def test_bandit_slack_factor_negative_close_second_survives():
    # HyperDrive's best / (1 + slack_factor) would put the threshold at
    # -0.4545, above the best itself, and stop this close second.
    best, slack_factor = -0.5, 0.1
    assert best / (1 + slack_factor) > best
    scores, finished = table([[best, best, best], [-0.52, nan, nan]])
    policy = BanditPolicy(slack_factor=slack_factor)
    assert policy.should_stop(scores, finished, 1) is False


def test_bandit_slack_factor_zero_best_allows_no_gap():
    scores, finished = table([[0.0, 0.0], [-(2**-20), nan], [0.0, nan]])
    policy = BanditPolicy(slack_factor=0.5)
    assert policy.should_stop(scores, finished, 1) is True
    assert policy.should_stop(scores, finished, 2) is False


def test_bandit_compares_with_the_best_comparable():
    scores, finished = table(
        [[0.5, 0.5, 0.5], [0.75, 0.75, nan], [0.625, nan, nan], [0.5, 0.5, nan]]
    )
    policy = BanditPolicy(slack_amount=0.125)
    # Candidate 3 over folds {0, 1}: the best comparable is row 1 (0.75).
    assert policy.should_stop(scores, finished, 3) is True
    # Candidate 2 over fold {0}: also 0.75 from row 1, and 0.625 is at the gap.
    assert policy.should_stop(scores, finished, 2) is False


def test_bandit_infinite_error_score_does_not_warn():
    scores, finished = table([[np.inf, 0.5], [0.5, nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert BanditPolicy(slack_factor=0.1).should_stop(scores, finished, 1) is False
        assert BanditPolicy(slack_amount=0.1).should_stop(scores, finished, 1) is True


# -- MedianStoppingPolicy ------------------------------------------------------


@pytest.mark.parametrize(
    "running, stop", [(0.625, False), (0.625 - 2**-20, True), (0.75, False)]
)
def test_median_even_number_of_comparables(running, stop):
    # Median of {0.5, 0.75} is 0.625; at the median goes on.
    scores, finished = table([[0.5, 0.5, 0.5], [0.75, 0.75, 0.75], [running, nan, nan]])
    assert MedianStoppingPolicy().should_stop(scores, finished, 2) is stop


def test_median_tie_with_the_median_goes_on():
    scores, finished = table(
        [[0.5, nan], [0.625, nan], [0.625, nan], [0.75, nan], [0.625, nan]]
    )
    policy = MedianStoppingPolicy()
    assert policy.should_stop(scores, finished, 4) is False
    assert policy.should_stop(scores, finished, 0) is True
    assert policy.should_stop(scores, finished, 3) is False


def test_median_one_comparable_is_enough():
    scores, finished = table([[0.75, nan], [0.5, nan]])
    assert MedianStoppingPolicy().should_stop(scores, finished, 1) is True
    assert MedianStoppingPolicy().should_stop(scores, finished, 0) is False


# -- TruncationSelectionPolicy -------------------------------------------------


def truncation_table(values):
    """One finished fold per candidate, out of three."""
    return table([[v, nan, nan] for v in values])


def test_truncation_ten_percent_of_ten_cuts_only_the_lowest():
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    scores, finished = truncation_table(values)
    policy = TruncationSelectionPolicy(truncation_percentage=10)
    decisions = [policy.should_stop(scores, finished, i) for i in range(10)]
    assert decisions == [True] + [False] * 9


def test_truncation_ten_percent_tie_at_the_bottom_goes_on():
    scores, finished = truncation_table(
        [0.1, 0.1, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
    )
    policy = TruncationSelectionPolicy(truncation_percentage=10)
    assert policy.should_stop(scores, finished, 0) is False
    assert policy.should_stop(scores, finished, 1) is False


def test_truncation_ten_percent_of_nine_cuts_nothing():
    scores, finished = truncation_table([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    policy = TruncationSelectionPolicy(truncation_percentage=10)
    assert policy.should_stop(scores, finished, 0) is False


def test_truncation_thirty_percent_of_ten_cuts_three():
    scores, finished = truncation_table(np.arange(10) / 10)
    policy = TruncationSelectionPolicy(truncation_percentage=30)
    decisions = [policy.should_stop(scores, finished, i) for i in range(10)]
    assert decisions == [True] * 3 + [False] * 7


def test_truncation_needs_four_comparables():
    policy = TruncationSelectionPolicy(truncation_percentage=50)
    scores, finished = truncation_table([0.1, 0.2, 0.3, 0.4])
    assert [policy.should_stop(scores, finished, i) for i in range(4)] == [False] * 4
    # A pool of five: floor(2.5) = 2 are cut.
    scores, finished = truncation_table([0.1, 0.2, 0.3, 0.4, 0.5])
    decisions = [policy.should_stop(scores, finished, i) for i in range(5)]
    assert decisions == [True, True, False, False, False]


# -- evaluation_interval and delay_evaluation ----------------------------------


@pytest.mark.parametrize(
    "evaluation_interval, delay_evaluation, due",
    [
        (1, 0, {1, 2, 3, 4, 5}),
        (1, 1, {1, 2, 3, 4, 5}),
        (1, 3, {3, 4, 5}),
        (2, 0, {2, 4}),
        (2, 3, {4}),
        (3, 1, {3}),
        (2, 6, set()),
    ],
)
@pytest.mark.parametrize(
    "policy_class, extra",
    [
        (BanditPolicy, {"slack_amount": 0.1}),
        (MedianStoppingPolicy, {}),
        (TruncationSelectionPolicy, {}),
    ],
)
def test_schedule(policy_class, extra, evaluation_interval, delay_evaluation, due):
    # HyperDrive: the policy applies at every multiple of evaluation_interval
    # that is >= delay_evaluation; k counts the candidate's finished folds.
    policy = policy_class(
        evaluation_interval=evaluation_interval,
        delay_evaluation=delay_evaluation,
        **extra,
    )
    policy._validate()
    stopped_at = set()
    for k in range(1, 6):
        row = [0.1] * k + [nan] * (6 - k)
        scores, finished, c = with_candidate([[*r, 0.9] for r in good_field()], row)
        if policy.should_stop(scores, finished, c):
            stopped_at.add(k)
    assert stopped_at == due


@pytest.mark.parametrize("min_folds, due", [(2, {2, 3, 4}), (4, {4})])
def test_paired_test_min_folds(min_folds, due):
    policy = PairedTestPolicy(min_folds=min_folds)
    stopped_at = set()
    for k in range(1, 6):
        scores, finished, c = with_candidate(
            good_field(), [0.1 + 0.01 * i for i in range(k)] + [nan] * (5 - k)
        )
        if policy.should_stop(scores, finished, c):
            stopped_at.add(k)
    assert stopped_at == due


# -- PairedTestPolicy ----------------------------------------------------------


def test_paired_test_significant_and_not():
    incumbent = [0.80, 0.90, 0.70, 0.85, 0.75]
    scores, finished = table(
        [
            incumbent,
            [0.78, 0.87, 0.69, nan, nan],  # d = -0.02, -0.03, -0.01
            [0.81, 0.86, 0.72, nan, nan],  # d = +0.01, -0.04, +0.02
        ]
    )
    policy = PairedTestPolicy(alpha=0.05)
    assert policy.should_stop(scores, finished, 1) is True
    assert policy.should_stop(scores, finished, 2) is False
    # p = 0.037 for candidate 1: alpha = 0.01 lets it go on.
    assert PairedTestPolicy(alpha=0.01).should_stop(scores, finished, 1) is False


def test_paired_test_ignores_fold_difficulty():
    # Fold difficulty varies by 0.4 but the candidate trails by 0.01 to 0.03
    # on every fold: paired, that is significant.
    fold = np.array([0.0, 0.4, -0.3, 0.2])
    incumbent = 0.5 + fold
    candidate = incumbent - np.array([0.01, 0.03, 0.02, 0.02])
    scores = np.vstack([incumbent, candidate])
    finished = np.ones_like(scores, dtype=bool)
    finished[1, 3] = False
    assert PairedTestPolicy().should_stop(scores, finished, 1) is True
    unpaired = stats.ttest_ind(candidate[:3], incumbent[:3], alternative="less")
    assert unpaired.pvalue > 0.4


def test_paired_test_incumbent_is_best_complete_candidate():
    # Row 0 is complete with the best mean over all folds, but on folds
    # {0, 1, 2} it is worse than row 1, which is incomplete.
    rows = [
        [0.70, 0.71, 0.72, 0.99, 0.99],
        [0.90, 0.91, 0.92, 0.90, nan],
        [0.80, 0.81, 0.83, nan, nan],
    ]
    scores, finished = table(rows)
    policy = PairedTestPolicy()
    assert policy.should_stop(scores, finished, 2) is False  # better than row 0
    # With no complete candidate, the incumbent is the best on the same folds.
    finished[0, 4] = False
    scores[0, 4] = nan
    assert policy.should_stop(scores, finished, 2) is True  # worse than row 1


def test_paired_test_pvalue_matches_scipy_ttest_rel():
    rng = np.random.default_rng(0)
    for k in (2, 3, 5, 10):
        for _ in range(5):
            a = rng.normal(0.8, 0.05, size=k)
            b = a + rng.normal(0.01, 0.02, size=k)
            expected = stats.ttest_rel(a, b, alternative="less").pvalue
            assert math.isclose(_paired_t_pvalue_less(a - b), expected, rel_tol=1e-9)


@pytest.mark.parametrize(
    "candidate_row, stop",
    [
        ([0.75, 0.5, 0.25, nan], False),  # identical folds: not worse
        ([0.5, 0.25, 0.0, nan], True),  # -0.25 on every fold: worse
        ([1.0, 0.75, 0.5, nan], False),  # +0.25 on every fold: not worse
    ],
)
def test_paired_test_zero_variance_without_warnings(candidate_row, stop):
    scores, finished = table([[0.75, 0.5, 0.25, 0.5], candidate_row])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Even alpha close to 1 must not stop identical candidates.
        for alpha in (0.05, 0.99):
            policy = PairedTestPolicy(alpha=alpha)
            assert policy.should_stop(scores, finished, 1) is stop


def test_paired_test_infinite_scores_without_warnings():
    scores, finished = table([[0.5, 0.5, 0.5], [-np.inf, 0.4, nan], [np.inf, 0.4, nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert PairedTestPolicy().should_stop(scores, finished, 1) is True
        assert PairedTestPolicy().should_stop(scores, finished, 2) is False


# -- validation ----------------------------------------------------------------


def _interval_cases(cls, extra):
    name = cls.__name__
    return [
        (cls, {**extra, "evaluation_interval": 0}, ValueError,
         f"The 'evaluation_interval' parameter of {name} must be an int in the "
         "range [1, inf). Got 0 instead. Use 1 to apply the policy after every "
         "fold."),
        (cls, {**extra, "evaluation_interval": 1.5}, TypeError,
         f"The 'evaluation_interval' parameter of {name} must be an int in the "
         "range [1, inf). Got 1.5 instead."),
        (cls, {**extra, "evaluation_interval": "2"}, TypeError,
         "Got '2' instead."),
        (cls, {**extra, "evaluation_interval": True}, TypeError,
         "Got True instead."),
        (cls, {**extra, "delay_evaluation": -1}, ValueError,
         f"The 'delay_evaluation' parameter of {name} must be an int in the "
         "range [0, inf). Got -1 instead. Use 0 to apply the policy from the "
         "first fold on."),
        (cls, {**extra, "delay_evaluation": 1.0}, TypeError,
         f"The 'delay_evaluation' parameter of {name} must be an int in the "
         "range [0, inf). Got 1.0 instead."),
    ]  # fmt: skip


BAD_PARAMS = [
    (BanditPolicy, {}, ValueError,
     "BanditPolicy needs exactly one of slack_factor and slack_amount; got "
     "neither. Pass e.g. slack_factor=0.1 or slack_amount=0.02."),
    (BanditPolicy, {"slack_factor": 0.1, "slack_amount": 0.2}, ValueError,
     "BanditPolicy needs exactly one of slack_factor and slack_amount; got "
     "slack_factor=0.1 and slack_amount=0.2. Set the other to None."),
    (BanditPolicy, {"slack_factor": -0.1}, ValueError,
     "The 'slack_factor' parameter of BanditPolicy must be a float in the "
     "range [0, inf). Got -0.1 instead. A slack is a distance below the best "
     "score; 0 stops every candidate below the best."),
    (BanditPolicy, {"slack_amount": -1}, ValueError,
     "The 'slack_amount' parameter of BanditPolicy must be a float in the "
     "range [0, inf). Got -1 instead."),
    (BanditPolicy, {"slack_amount": nan}, ValueError,
     "The 'slack_amount' parameter of BanditPolicy must be a float in the "
     "range [0, inf). Got nan instead."),
    (BanditPolicy, {"slack_factor": math.inf}, ValueError,
     "The 'slack_factor' parameter of BanditPolicy must be a float in the "
     "range [0, inf). Got inf instead."),
    (BanditPolicy, {"slack_factor": "0.1"}, TypeError,
     "The 'slack_factor' parameter of BanditPolicy must be a float in the "
     "range [0, inf). Got '0.1' instead."),
    (BanditPolicy, {"slack_amount": True}, TypeError,
     "The 'slack_amount' parameter of BanditPolicy must be a float in the "
     "range [0, inf). Got True instead."),
    *_interval_cases(BanditPolicy, {"slack_factor": 0.1}),
    *_interval_cases(MedianStoppingPolicy, {}),
    *_interval_cases(TruncationSelectionPolicy, {}),
    *[
        (TruncationSelectionPolicy, {"truncation_percentage": value}, ValueError,
         "The 'truncation_percentage' parameter of TruncationSelectionPolicy "
         f"must be a float in the range (0, 100). Got {value!r} instead. Use "
         "e.g. 10 to stop candidates in the lowest 10 %.")
        for value in (0, 100, -5, 150.0, nan)
    ],
    (TruncationSelectionPolicy, {"truncation_percentage": "10"}, TypeError,
     "The 'truncation_percentage' parameter of TruncationSelectionPolicy must "
     "be a float in the range (0, 100). Got '10' instead."),
    *[
        (PairedTestPolicy, {"alpha": value}, ValueError,
         "The 'alpha' parameter of PairedTestPolicy must be a float in the range "
         f"(0, 1). Got {value!r} instead. Use e.g. 0.05; smaller values stop "
         "fewer candidates.")
        for value in (0, 1, 1.5, -0.1)
    ],
    (PairedTestPolicy, {"alpha": None}, TypeError,
     "The 'alpha' parameter of PairedTestPolicy must be a float in the range "
     "(0, 1). Got None instead."),
    (PairedTestPolicy, {"min_folds": 1}, ValueError,
     "The 'min_folds' parameter of PairedTestPolicy must be an int in the range "
     "[2, inf). Got 1 instead. A paired t-test needs at least two fold scores "
     "per candidate."),
    (PairedTestPolicy, {"min_folds": 2.0}, TypeError,
     "The 'min_folds' parameter of PairedTestPolicy must be an int in the range "
     "[2, inf). Got 2.0 instead."),
]  # fmt: skip


@pytest.mark.parametrize(
    "cls, params, error, message",
    BAD_PARAMS,
    ids=[f"{case[0].__name__}-{case[1]}" for case in BAD_PARAMS],
)
def test_validate_rejects_bad_parameters(cls, params, error, message):
    policy = cls(**params)  # the constructor only stores
    with pytest.raises(error, match=re.escape(message)):
        policy._validate()


@pytest.mark.parametrize(
    "policy",
    [
        *POLICIES,
        BanditPolicy(slack_factor=0),
        BanditPolicy(slack_amount=np.float64(0.5), evaluation_interval=np.int64(2)),
        MedianStoppingPolicy(evaluation_interval=3, delay_evaluation=10),
        TruncationSelectionPolicy(truncation_percentage=99.5),
        TruncationSelectionPolicy(truncation_percentage=np.int64(1)),
        PairedTestPolicy(alpha=0.999, min_folds=np.int32(5)),
    ],
    ids=repr,
)
def test_validate_accepts_good_parameters(policy):
    assert policy._validate() is None


# -- scikit-learn parameter protocol -------------------------------------------


@pytest.mark.parametrize(
    "policy, text",
    [
        (BanditPolicy(slack_factor=0.1), "BanditPolicy(slack_factor=0.1)"),
        (
            BanditPolicy(slack_amount=0.02, delay_evaluation=2),
            "BanditPolicy(slack_amount=0.02, delay_evaluation=2)",
        ),
        (MedianStoppingPolicy(), "MedianStoppingPolicy()"),
        (
            TruncationSelectionPolicy(truncation_percentage=20.0),
            "TruncationSelectionPolicy(truncation_percentage=20.0)",
        ),
        (PairedTestPolicy(min_folds=3), "PairedTestPolicy(min_folds=3)"),
        (PairedTestPolicy(alpha=0.05), "PairedTestPolicy()"),
    ],
)
def test_repr_round_trips(policy, text):
    assert repr(policy) == text
    namespace = {name: getattr(_stopping, name) for name in _stopping.__all__}
    assert eval(text, namespace) == policy


@pytest.mark.parametrize("policy", POLICIES, ids=POLICY_IDS)
def test_clone_pickle_and_equality(policy):
    copy = clone(policy)
    assert copy is not policy
    assert type(copy) is type(policy)
    assert copy == policy and hash(copy) == hash(policy)
    assert copy.get_params() == policy.get_params()
    assert pickle.loads(pickle.dumps(policy)) == policy


def test_equality_needs_same_type_and_parameters():
    assert BanditPolicy(slack_factor=0.1) != BanditPolicy(slack_factor=0.2)
    assert BanditPolicy(slack_factor=0.1) != BanditPolicy(slack_amount=0.1)
    assert MedianStoppingPolicy() != TruncationSelectionPolicy()
    assert MedianStoppingPolicy() != "MedianStoppingPolicy()"
    assert MedianStoppingPolicy() == MedianStoppingPolicy(evaluation_interval=1)


def test_get_params_and_set_params():
    policy = BanditPolicy(slack_factor=0.1)
    assert policy.get_params() == {
        "slack_factor": 0.1,
        "slack_amount": None,
        "evaluation_interval": 1,
        "delay_evaluation": 0,
    }
    assert policy.get_params(deep=False) == policy.get_params()
    assert policy.set_params(slack_factor=None, slack_amount=0.2) is policy
    assert policy == BanditPolicy(slack_amount=0.2)
    msg = re.escape(
        "Invalid parameter 'alpha' for BanditPolicy. Valid parameters are: "
        "['slack_factor', 'slack_amount', 'evaluation_interval', "
        "'delay_evaluation']."
    )
    with pytest.raises(ValueError, match=msg):
        policy.set_params(alpha=0.1)
    assert StoppingPolicy().get_params() == {}
    assert repr(StoppingPolicy()) == "StoppingPolicy()"


class _Search(BaseEstimator):
    """Stands in for a search estimator that holds a policy."""

    def __init__(self, stopping=None, cv=5):
        self.stopping = stopping
        self.cv = cv


def test_clone_of_an_estimator_holding_a_policy():
    search = _Search(stopping=TruncationSelectionPolicy(truncation_percentage=20))
    copy = clone(search)
    assert copy.stopping is not search.stopping
    assert copy.stopping == search.stopping
    params = search.get_params(deep=True)
    assert params["stopping__truncation_percentage"] == 20
    search.set_params(stopping__delay_evaluation=2)
    assert search.stopping.delay_evaluation == 2
    assert "TruncationSelectionPolicy(truncation_percentage=20" in repr(search)


# -- a race --------------------------------------------------------------------


def test_median_race_keeps_the_best_and_saves_folds():
    # 30 candidates, 5 folds, evaluated fold-major (every candidate's fold 0,
    # then fold 1, ...) as parallel workers would. A fold effect shared by all
    # candidates (sd 0.05) is five times the candidate noise (sd 0.01); the
    # paired comparison removes it. Over seeds 0-499 of this set-up the best
    # was never stopped and 54 % of the fold fits were saved on average.
    rng = np.random.default_rng(0)
    n_candidates, n_splits = 30, 5
    means = rng.uniform(0.60, 0.85, size=n_candidates)
    best = rng.integers(n_candidates)
    means[best] = 0.90
    fold_effect = rng.normal(0.0, 0.05, size=n_splits)
    noise = rng.normal(0.0, 0.01, size=(n_candidates, n_splits))
    truth = means[:, None] + fold_effect + noise

    policy = MedianStoppingPolicy()
    policy._validate()
    scores = np.full((n_candidates, n_splits), nan)
    finished = np.zeros((n_candidates, n_splits), dtype=bool)
    stopped = np.zeros(n_candidates, dtype=bool)
    for fold in range(n_splits):
        for candidate in range(n_candidates):
            if stopped[candidate]:
                continue
            scores[candidate, fold] = truth[candidate, fold]
            finished[candidate, fold] = True
            stopped[candidate] = policy.should_stop(scores, finished, candidate)

    assert not stopped[best]
    assert finished[best].all()
    saved = 1 - finished.sum() / finished.size
    assert saved >= 0.30
    complete_means = np.where(finished.all(axis=1), scores.mean(axis=1), -np.inf)
    assert np.argmax(complete_means) == best


# -- the module itself ---------------------------------------------------------


def test_docstring_examples():
    result = doctest.testmod(
        _stopping, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_module_imports_only_numpy_scipy_and_the_standard_library():
    tree = ast.parse(Path(_stopping.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no imports from sklearn_bayestune"
            roots.add(node.module.split(".")[0])
    assert roots <= {"__future__", "inspect", "math", "numbers", "numpy", "scipy"}

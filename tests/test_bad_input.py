"""Bad input across the public API: a clear error, at fit, and nothing broken.

Four tables, one row per bad input (id, the call that triggers it, the
exception type, a ``match`` regex naming the parameter and what it accepts):

- ``SPACE_CASES``: malformed search spaces, in every form a space takes
  (dimensions, HyperDrive constructors, ``scipy.stats`` distributions, lists,
  lists of dicts), through the three searchers and ``BayesOptimizer``;
- ``CONSTRUCTOR_CASES``: bad constructor values of the searchers and of the
  stopping policies they hold. Each is also checked to construct without
  raising (scikit-learn validates in ``fit``), to raise at ``fit``, and to
  leave the search usable: ``set_params`` to a good value and ``fit`` works;
- ``DATA_CASES``: bad ``X`` / ``y`` / ``fit`` arguments;
- ``ASK_TELL_CASES``: misuse of ``BayesOptimizer`` and ``minimize``.
"""

import math
import os
import re
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.stats import loguniform as scipy_loguniform
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.svm import SVC

from sklearn_bayestune import (
    BanditPolicy,
    BayesOptimizer,
    BayesTuneCV,
    Categorical,
    GridTuneCV,
    Integer,
    MedianStoppingPolicy,
    PairedTestPolicy,
    RandomTuneCV,
    Real,
    TruncationSelectionPolicy,
    choice,
    lognormal,
    loguniform,
    minimize,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
# Every other iris sample: fits stay in the millisecond range.
X, Y = X_IRIS[::2], Y_IRIS[::2]
N_SAMPLES = len(Y)


# --------------------------------------------------------------------------
# Searchers with shared, cheap defaults
# --------------------------------------------------------------------------


def grid(space=None, **kwargs):
    kwargs.setdefault("cv", 2)
    return GridTuneCV(SVC(), {"C": [0.1, 1.0]} if space is None else space, **kwargs)


def random(space=None, **kwargs):
    kwargs = {"n_iter": 2, "cv": 2, "random_state": 0, **kwargs}
    space = {"C": scipy_loguniform(0.1, 10.0)} if space is None else space
    return RandomTuneCV(SVC(), space, **kwargs)


def bayes(space=None, **kwargs):
    kwargs = {"n_iter": 2, "cv": 2, "random_state": 0, **kwargs}
    space = {"C": scipy_loguniform(0.1, 10.0)} if space is None else space
    return BayesTuneCV(SVC(), space, **kwargs)


SEARCHERS = {"grid": grid, "random": random, "bayes": bayes}


def fit_bayes(space):
    return lambda: bayes(space).fit(X, Y)


def fit_random(space):
    return lambda: random(space).fit(X, Y)


def fit_grid(space):
    return lambda: grid(space).fit(X, Y)


def bayes_optimizer(space):
    return lambda: BayesOptimizer(space, random_state=0)


IN_C = r"^Parameter 'C' in param_distributions: "
ACCEPTED = (
    r"must be a list of values, a scipy\.stats distribution, or a "
    r"Real/Integer/Categorical dimension"
)


class RvsOnly:
    """Something RandomizedSearchCV samples but a Bayesian search cannot encode."""

    def rvs(self, random_state=None):
        return 1.0


class SkoptReal:
    """Stands for scikit-optimize's Real (not installed with the tests)."""

    __module__ = "skopt.space.space"

    def rvs(self, n_samples=1, random_state=None):
        return [1.0] * n_samples  # a list even for one sample, as skopt's

    def __repr__(self):
        return "Real(low=0.01, high=100.0, prior='log-uniform')"


# --------------------------------------------------------------------------
# Search spaces
# --------------------------------------------------------------------------

SPACE_CASES = [
    # The container.
    pytest.param(
        fit_bayes([]),
        ValueError,
        "param_distributions must be a dict or a non-empty",
        id="space-bayes-empty-list",
    ),
    pytest.param(
        fit_random([]),
        ValueError,
        "param_distributions must be a dict or a non-empty",
        id="space-random-empty-list",
    ),
    pytest.param(
        fit_grid([]),
        ValueError,
        "param_grid must be a dict or a non-empty list",
        id="space-grid-empty-list",
    ),
    pytest.param(
        fit_bayes("C"),
        ValueError,
        r"The 'param_distributions' parameter of BayesTuneCV must be an instance "
        r"of 'dict' or an instance of 'list'",
        id="space-bayes-str",
    ),
    pytest.param(
        fit_grid("C"),
        ValueError,
        r"The 'param_grid' parameter of GridTuneCV must be an instance of 'dict'",
        id="space-grid-str",
    ),
    pytest.param(
        fit_bayes([{"C": [1.0]}, 3]),
        TypeError,
        r"param_distributions must be a dict or a list of dicts; element 1 is 3",
        id="space-bayes-list-with-non-dict",
    ),
    pytest.param(
        fit_grid([5]),
        TypeError,
        r"Parameter grid is not a dict \(5\)",
        id="space-grid-list-with-non-dict",
    ),
    pytest.param(
        fit_bayes({1: [1.0]}),
        TypeError,
        r"param_distributions keys must be parameter names \(str\); got 1 \(int\)",
        id="space-bayes-int-key",
    ),
    pytest.param(
        fit_bayes({"CC": [1.0, 2.0]}),
        ValueError,
        r"Invalid parameter 'CC' for estimator SVC\(\)",
        id="space-bayes-unknown-name",
    ),
    pytest.param(
        fit_grid({"CC": [1.0, 2.0]}),
        ValueError,
        r"Invalid parameter 'CC' for estimator SVC\(\)",
        id="space-grid-unknown-name",
    ),
    # A value of the dict that is none of the accepted forms.
    pytest.param(
        fit_bayes({"C": "abc"}),
        TypeError,
        r"^Parameter 'C' in param_distributions " + ACCEPTED + r".*Did you mean",
        id="space-bayes-str-value",
    ),
    pytest.param(
        fit_bayes({"C": 1.0}),
        TypeError,
        r"^Parameter 'C' in param_distributions " + ACCEPTED + r"; got 1\.0",
        id="space-bayes-scalar-value",
    ),
    pytest.param(
        fit_bayes({"C": {1.0, 2.0}}),
        TypeError,
        r"Use a list: a set has no order",
        id="space-bayes-set-value",
    ),
    pytest.param(
        fit_random({"C": "abc"}),
        TypeError,
        r"^Parameter 'C' in param_distributions " + ACCEPTED,
        id="space-random-str-value",
    ),
    pytest.param(
        fit_grid({"C": 1.0}),
        TypeError,
        r"Parameter grid for parameter 'C' needs to be a list or a numpy array",
        id="space-grid-scalar-value",
    ),
    pytest.param(
        fit_bayes({"C": []}),
        ValueError,
        IN_C + "Categorical needs at least one",
        id="space-bayes-empty-list-value",
    ),
    pytest.param(
        fit_grid({"C": []}),
        ValueError,
        r"Parameter grid for parameter 'C' need to be a non-empty sequence",
        id="space-grid-empty-list-value",
    ),
    pytest.param(
        fit_grid({"C": np.ones((2, 2))}),
        ValueError,
        r"Parameter array for 'C' should be one-dimensional",
        id="space-grid-2d-array-value",
    ),
    pytest.param(
        fit_bayes({"C": RvsOnly()}),
        TypeError,
        r"Parameter 'C' in param_distributions is .*RvsOnly.* needs a cdf and ppf "
        r"to be searched by BayesTuneCV",
        id="space-bayes-rvs-only-object",
    ),
    pytest.param(
        fit_grid({"C": Real(0.1, 1.0)}),
        ValueError,
        r"Parameter 'C' in param_grid: Real\(0\.1, 1\.0\) has infinitely many values",
        id="space-grid-continuous-real",
    ),
    pytest.param(
        fit_grid({"C": Real(10.0, 1.0, step=1.0)}),
        ValueError,
        r"^Parameter 'C' in param_grid: Real needs low < high; got low=10",
        id="space-grid-real-low-above-high",
    ),
    pytest.param(
        fit_grid([{"C": [1.0]}, {"C": Categorical("rbf")}]),
        TypeError,
        r"^Parameter 'C' in param_grid: categories must be a list",
        id="space-grid-list-of-dicts-categorical-str",
    ),
    *[
        pytest.param(
            fit({"C": SkoptReal()}),
            TypeError,
            IN_C[:-2] + r" is scikit-optimize's Real\(low=0\.01, .*\); use "
            r"sklearn_bayestune's Real, Integer or Categorical",
            id=f"space-{name}-skopt-dimension",
        )
        for name, fit in [("random", fit_random), ("bayes", fit_bayes)]
    ],
    pytest.param(
        fit_grid({"C": stats.uniform(0, 1)}),
        TypeError,
        r"Parameter grid for parameter 'C' needs to be a list or a numpy array",
        id="space-grid-scipy-distribution",
    ),
    # Real.
    pytest.param(
        fit_bayes({"C": Real(np.nan, 1.0)}),
        ValueError,
        IN_C + "Real bounds must not be NaN; got low=nan",
        id="space-real-nan-bound",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.1, np.inf)}),
        ValueError,
        IN_C + r"Real bounds must be finite with prior='uniform'; got high=np\.inf",
        id="space-real-inf-bound",
    ),
    pytest.param(
        fit_bayes({"C": Real(2.0, 1.0)}),
        ValueError,
        IN_C + r"Real needs low < high; got low=2\.0, high=1\.0",
        id="space-real-reversed-bounds",
    ),
    pytest.param(
        fit_bayes({"C": Real(1.0, 1.0)}),
        ValueError,
        IN_C + r"Real needs low < high.*For a single value use a list",
        id="space-real-equal-bounds",
    ),
    pytest.param(
        fit_bayes({"C": Real("a", 1.0)}),
        TypeError,
        IN_C + r"Real bounds must be real numbers; got low='a' \(str\)",
        id="space-real-str-bound",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.1, 1.0, prior="loguniform")}),
        ValueError,
        IN_C + r"unknown prior 'loguniform'.*Did you mean 'log-uniform'\?",
        id="space-real-misspelt-prior",
    ),
    pytest.param(
        fit_bayes({"C": Real(-1.0, 1.0, prior="log-uniform")}),
        ValueError,
        IN_C + r"the 'log-uniform' prior needs low > 0; got low=-1\.0",
        id="space-real-log-nonpositive",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.1, 1.0, step=0)}),
        ValueError,
        IN_C + r"step must be a positive finite number or None; got step=0",
        id="space-real-zero-step",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.1, 1.0, step=np.nan)}),
        ValueError,
        IN_C + r"step must be a positive finite number or None; got step=nan",
        id="space-real-nan-step",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.1, 0.2, step=1.0)}),
        ValueError,
        IN_C + r"Real\(0\.1, 0\.2, step=1\.0\) holds no multiple of step=1\.0",
        id="space-real-step-wider-than-range",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.1, 1.0, prior=stats.poisson(3))}),
        TypeError,
        IN_C + r"prior must be .*Use Integer for a discrete distribution",
        id="space-real-discrete-prior",
    ),
    pytest.param(
        fit_bayes({"C": Real(100.0, 101.0, prior=stats.norm(0, 1e-3))}),
        ValueError,
        IN_C + r"the prior stats\.norm\(loc=0\.0, scale=0\.001\) has no probability "
        r"mass between low=100\.0 and high=101\.0",
        id="space-real-prior-without-mass",
    ),
    # Integer.
    pytest.param(
        fit_bayes({"C": Integer(1.5, 3)}),
        ValueError,
        IN_C + r"Integer bounds must be integers; got low=1\.5",
        id="space-integer-float-bound",
    ),
    pytest.param(
        fit_bayes({"C": Integer(3, 1)}),
        ValueError,
        IN_C + r"Integer needs low <= high; got low=3, high=1",
        id="space-integer-reversed-bounds",
    ),
    pytest.param(
        fit_bayes({"C": Integer(np.nan, 3)}),
        ValueError,
        IN_C + r"Integer bounds must not be NaN; got low=nan",
        id="space-integer-nan-bound",
    ),
    pytest.param(
        fit_bayes({"C": Integer(1, np.inf)}),
        ValueError,
        IN_C + r"Integer bounds must be finite with prior='uniform'",
        id="space-integer-inf-bound",
    ),
    pytest.param(
        fit_bayes({"C": Integer(0, 3, prior="log-uniform")}),
        ValueError,
        IN_C + r"the 'log-uniform' prior needs low >= 1; got low=0",
        id="space-integer-log-zero",
    ),
    # Categorical.
    pytest.param(
        fit_bayes({"C": Categorical("abc")}),
        TypeError,
        IN_C + r"categories must be a list, tuple or 1-D array.*Did you mean \['abc'\]",
        id="space-categorical-str",
    ),
    pytest.param(
        fit_bayes({"C": Categorical([])}),
        ValueError,
        IN_C + r"Categorical needs at least one category; got \[\]",
        id="space-categorical-empty",
    ),
    pytest.param(
        fit_bayes({"C": Categorical(np.ones((2, 2)))}),
        ValueError,
        IN_C + r"categories must be a 1-D array; got an array of shape \(2, 2\)",
        id="space-categorical-2d",
    ),
    pytest.param(
        fit_bayes({"C": Categorical(5)}),
        TypeError,
        IN_C + r"categories must be a list, tuple or 1-D array of values; got 5",
        id="space-categorical-scalar",
    ),
    # HyperDrive-style constructors: the function validates its own arguments
    # (randint) or builds a dimension that the search checks at fit.
    pytest.param(
        lambda: randint(1.5, 3),
        TypeError,
        r"randint bounds must be integers; got 1\.5 \(float\)",
        id="space-randint-float",
    ),
    pytest.param(
        lambda: randint(3, 3),
        ValueError,
        r"randint\(low, high\) draws from \[low, high\) and needs high > low",
        id="space-randint-empty",
    ),
    pytest.param(
        fit_bayes({"C": choice()}),
        ValueError,
        IN_C + "Categorical needs at least one",
        id="space-choice-empty",
    ),
    pytest.param(
        fit_bayes({"C": uniform(2.0, 1.0)}),
        ValueError,
        IN_C + "Real needs low < high",
        id="space-uniform-reversed",
    ),
    pytest.param(
        fit_bayes({"C": loguniform(0.0, 1.0)}),
        ValueError,
        IN_C + r"the 'log-uniform' prior needs low > 0; got low=0\.0",
        id="space-loguniform-zero",
    ),
    pytest.param(
        fit_bayes({"C": quniform(0.0, 1.0, -1)}),
        ValueError,
        IN_C + r"step must be a positive finite number or None; got step=-1",
        id="space-quniform-negative-q",
    ),
    pytest.param(
        fit_bayes({"C": qloguniform(-1, 10, 1)}),
        ValueError,
        IN_C + r"the 'log-uniform' prior needs low > 0",
        id="space-qloguniform-negative",
    ),
    pytest.param(
        fit_bayes({"C": normal(0.0, -1.0)}),
        ValueError,
        IN_C + r"the prior stats\.norm\(loc=0\.0, scale=-1\.0\) gives a NaN CDF",
        id="space-normal-negative-sigma",
    ),
    pytest.param(
        fit_bayes({"C": qnormal(0.0, 1.0, 0)}),
        ValueError,
        IN_C + r"step must be a positive finite number or None; got step=0",
        id="space-qnormal-zero-q",
    ),
    pytest.param(
        fit_bayes({"C": lognormal(0.0, -1.0)}),
        ValueError,
        IN_C + r"the prior stats\.lognorm\(s=-1\.0.*\) gives a NaN CDF",
        id="space-lognormal-negative-sigma",
    ),
    pytest.param(
        fit_bayes({"C": qlognormal(0.0, 1.0, np.inf)}),
        ValueError,
        IN_C + r"step must be a positive finite number or None; got step=inf",
        id="space-qlognormal-inf-q",
    ),
    # scipy.stats distributions whose parameters scipy itself rejects: scipy
    # gives them a NaN support, which reads as NaN bounds the user never wrote.
    pytest.param(
        fit_bayes({"C": stats.norm(0, -1)}),
        ValueError,
        IN_C + r"the distribution stats\.norm\(loc=0\.0, scale=-1\.0\) has invalid "
        r"parameters",
        id="space-scipy-norm-negative-scale",
    ),
    # Array parameters freeze several distributions at once.
    pytest.param(
        fit_random({"C": stats.norm([0, 1])}),
        ValueError,
        IN_C + r"a scipy\.stats distribution must have scalar parameters",
        id="space-scipy-norm-array-loc",
    ),
    pytest.param(
        fit_bayes({"C": Real(0.0, 1.0, prior=stats.uniform([0, 1]))}),
        ValueError,
        IN_C + r"a scipy\.stats distribution must have scalar parameters",
        id="space-real-prior-array-loc",
    ),
    pytest.param(
        fit_random({"C": stats.loguniform(1.0, 0.1)}),
        ValueError,
        IN_C + r"the distribution stats\.loguniform\(.*\) has invalid parameters",
        id="space-scipy-loguniform-reversed",
    ),
    pytest.param(
        fit_bayes({"C": stats.randint(3, 3)}),
        ValueError,
        IN_C + r"the distribution stats\.randint\(.*\) has invalid parameters",
        id="space-scipy-randint-empty",
    ),
    pytest.param(
        fit_random({"C": stats.gamma}),
        TypeError,
        r"^Parameter 'C' in param_distributions is the scipy\.stats distribution "
        r"'gamma' without its shape parameters \(a\)",
        id="space-scipy-unfrozen-with-shapes-random",
    ),
    pytest.param(
        fit_bayes({"C": stats.gamma}),
        TypeError,
        r"^Parameter 'C' in param_distributions is the scipy\.stats distribution "
        r"'gamma' without its shape parameters \(a\)",
        id="space-scipy-unfrozen-with-shapes-bayes",
    ),
    # BayesOptimizer parses the same spaces, eagerly, naming 'space'.
    pytest.param(
        bayes_optimizer([]),
        ValueError,
        r"space must be a dict or a non-empty list",
        id="space-optimizer-empty-list",
    ),
    pytest.param(
        bayes_optimizer(None),
        TypeError,
        r"space must be a dict or a list of dicts; got None \(NoneType\)",
        id="space-optimizer-none",
    ),
    pytest.param(
        bayes_optimizer({"x": Real(1.0, 0.0)}),
        ValueError,
        r"^Parameter 'x' in space: Real needs low < high",
        id="space-optimizer-reversed-real",
    ),
    pytest.param(
        bayes_optimizer({"x": RvsOnly()}),
        TypeError,
        r"Parameter 'x' in space is .*RvsOnly.* needs a cdf and ppf",
        id="space-optimizer-rvs-only",
    ),
    # A dimension used on its own checks itself on first use.
    pytest.param(
        lambda: Real(1.0, 0.0).rvs(random_state=0),
        ValueError,
        r"^Real needs low < high; got low=1\.0, high=0\.0",
        id="space-dimension-first-use",
    ),
]


@pytest.mark.parametrize("trigger, error, match", SPACE_CASES)
def test_bad_search_space(trigger, error, match):
    with pytest.raises(error, match=match):
        trigger()


def test_empty_dict_is_one_candidate_as_in_scikit_learn():
    # Not a bad input: GridSearchCV reads {} as one candidate, the estimator's
    # own parameters, and every searcher here does the same.
    for make in (grid, random):
        search = make({}).fit(X, Y)
        assert search.cv_results_["params"] == [{}]
    with pytest.warns(UserWarning, match=r"space of parameters 1 is smaller than"):
        search = bayes({}, n_iter=3).fit(X, Y)
    assert search.cv_results_["params"] == [{}]


# --------------------------------------------------------------------------
# Constructor values: checked at fit, never at construction
# --------------------------------------------------------------------------


class TmpPath:
    """A path under the test's tmp_path, made only when a test needs it."""

    def __init__(self, relative, content=None, is_dir=False):
        self.relative, self.content, self.is_dir = relative, content, is_dir

    def make(self, tmp_path):
        path = tmp_path / self.relative
        if self.is_dir:
            path.mkdir(parents=True, exist_ok=True)
        elif self.content is not None:
            path.write_text(self.content)
        return str(path)

    def __repr__(self):
        return f"TmpPath({self.relative!r})"


def resolve(value, tmp_path):
    return value.make(tmp_path) if isinstance(value, TmpPath) else value


def must_be(parameter, accepted):
    """scikit-learn's constraint message, for any of the three searchers."""
    return (
        rf"The '{parameter}' parameter of (Grid|Random|Bayes)TuneCV must be " + accepted
    )


def policy_must_be(parameter, policy, accepted):
    return rf"The '{parameter}' parameter of {policy} must be {accepted}"


MULTI = {"acc": "accuracy", "f1": "f1_macro"}


def ignore(result):
    """A callback that does nothing."""


REFIT_MULTI = (
    r"For multi-metric scoring, the parameter refit must be set to a scorer key"
)
MEDIAN = MedianStoppingPolicy()

# (parameter, bad value, good value, error, match, extra kwargs, marks)
_CONSTRUCTOR = [
    ("n_iter", 0, 2, ValueError, must_be("n_iter", r"an int in the range \[1, inf\)")),
    (
        "n_iter",
        2.5,
        2,
        ValueError,
        must_be("n_iter", r"an int in the range \[1, inf\)"),
    ),
    (
        "n_iter",
        "10",
        2,
        ValueError,
        must_be("n_iter", r"an int in the range \[1, inf\)"),
    ),
    (
        "n_iter",
        None,
        2,
        ValueError,
        must_be("n_iter", r"an int in the range \[1, inf\)"),
    ),
    (
        "n_jobs",
        "two",
        1,
        ValueError,
        must_be("n_jobs", r"an instance of 'int' or None"),
    ),
    ("n_jobs", 1.5, 1, ValueError, must_be("n_jobs", r"an instance of 'int' or None")),
    ("n_jobs", 0, 1, ValueError, r"n_jobs == 0 in Parallel has no meaning"),
    ("cv", 1, 2, ValueError, must_be("cv", r"an int in the range \[2, inf\)")),
    ("cv", "five", 2, ValueError, must_be("cv", r"an int in the range \[2, inf\)")),
    ("cv", 2.5, 2, ValueError, must_be("cv", r"an int in the range \[2, inf\)")),
    (
        "cv",
        1000,
        2,
        ValueError,
        r"Cannot have number of splits n_splits=1000 greater than the number of "
        rf"samples: n_samples={N_SAMPLES}",
    ),
    ("scoring", "acuracy", "accuracy", ValueError, must_be("scoring", r"a str among")),
    ("scoring", 5, "accuracy", ValueError, must_be("scoring", r"a str among")),
    ("scoring", {}, "accuracy", ValueError, r"An empty dict was passed"),
    (
        "scoring",
        ["accuracy", "accuracy"],
        "accuracy",
        ValueError,
        r"The list/tuple elements must be unique strings of predefined scorers",
    ),
    ("refit", 3, True, ValueError, must_be("refit", r"an instance of 'bool'")),
    ("refit", True, "acc", ValueError, REFIT_MULTI, {"scoring": MULTI}),
    ("refit", "nope", "acc", ValueError, REFIT_MULTI, {"scoring": MULTI}),
    (
        "error_score",
        "ignore",
        np.nan,
        ValueError,
        must_be("error_score", r"a str among \{'raise'\} or an instance of 'float'"),
    ),
    (
        "error_score",
        None,
        np.nan,
        ValueError,
        must_be("error_score", r"a str among \{'raise'\} or an instance of 'float'"),
    ),
    *[
        (
            "max_time",
            bad,
            60.0,
            ValueError,
            must_be("max_time", r"a float in the range \(0\.0, inf\) or None"),
        )
        for bad in (0, -1.0, math.nan, math.inf, "1s")
    ],
    (
        "n_iter_no_change",
        0,
        3,
        ValueError,
        must_be("n_iter_no_change", r"an int in the range \[1, inf\) or None"),
    ),
    (
        "n_iter_no_change",
        1.5,
        3,
        ValueError,
        must_be("n_iter_no_change", r"an int in the range \[1, inf\) or None"),
    ),
    (
        "early_stopping",
        "median",
        MEDIAN,
        ValueError,
        must_be("early_stopping", r"an object implementing 'should_stop' or None"),
    ),
    (
        "early_stopping",
        MedianStoppingPolicy(evaluation_interval=0),
        MEDIAN,
        ValueError,
        policy_must_be(
            "evaluation_interval", "MedianStoppingPolicy", r"an int in the range \[1"
        ),
    ),
    (
        "early_stopping",
        MedianStoppingPolicy(delay_evaluation=-1),
        MEDIAN,
        ValueError,
        policy_must_be(
            "delay_evaluation", "MedianStoppingPolicy", r"an int in the range \[0"
        ),
    ),
    (
        "early_stopping",
        MedianStoppingPolicy(evaluation_interval=1.5),
        MEDIAN,
        TypeError,
        policy_must_be("evaluation_interval", "MedianStoppingPolicy", "an int"),
    ),
    (
        "early_stopping",
        BanditPolicy(),
        BanditPolicy(slack_factor=0.1),
        ValueError,
        r"BanditPolicy needs exactly one of slack_factor and slack_amount; got neither",
    ),
    (
        "early_stopping",
        BanditPolicy(slack_factor=0.1, slack_amount=0.1),
        BanditPolicy(slack_factor=0.1),
        ValueError,
        r"BanditPolicy needs exactly one of slack_factor and slack_amount; got "
        r"slack_factor=0\.1 and slack_amount=0\.1",
    ),
    (
        "early_stopping",
        BanditPolicy(slack_factor=-0.1),
        BanditPolicy(slack_factor=0.1),
        ValueError,
        policy_must_be("slack_factor", "BanditPolicy", r"a float in the range \[0"),
    ),
    (
        "early_stopping",
        BanditPolicy(slack_amount=math.nan),
        BanditPolicy(slack_amount=0.02),
        ValueError,
        policy_must_be("slack_amount", "BanditPolicy", r"a float in the range \[0"),
    ),
    (
        "early_stopping",
        BanditPolicy(slack_factor="x"),
        BanditPolicy(slack_factor=0.1),
        TypeError,
        policy_must_be("slack_factor", "BanditPolicy", r"a float"),
    ),
    *[
        (
            "early_stopping",
            TruncationSelectionPolicy(truncation_percentage=bad),
            TruncationSelectionPolicy(),
            ValueError,
            policy_must_be(
                "truncation_percentage",
                "TruncationSelectionPolicy",
                r"a float in the range \(0, 100\)",
            ),
        )
        for bad in (0, 100)
    ],
    *[
        (
            "early_stopping",
            PairedTestPolicy(alpha=bad),
            PairedTestPolicy(),
            ValueError,
            policy_must_be(
                "alpha", "PairedTestPolicy", r"a float in the range \(0, 1\)"
            ),
        )
        for bad in (0, 1.5)
    ],
    (
        "early_stopping",
        PairedTestPolicy(min_folds=1),
        PairedTestPolicy(),
        ValueError,
        policy_must_be("min_folds", "PairedTestPolicy", r"an int in the range \[2"),
    ),
    (
        "checkpoint",
        TmpPath("missing/search.jsonl"),
        None,
        ValueError,
        r"The 'checkpoint' parameter must be a file path in an existing directory.*"
        r"does not exist",
    ),
    (
        "checkpoint",
        TmpPath("folder", is_dir=True),
        None,
        ValueError,
        r"The 'checkpoint' parameter must be a file path; got .*which is a directory",
    ),
    (
        "checkpoint",
        TmpPath("notes.txt", content="my notes\n"),
        None,
        ValueError,
        r"The 'checkpoint' parameter must name a sklearn-bayestune checkpoint file "
        r"or a new file; got .*notes\.txt', which exists and is not a checkpoint",
    ),
    (
        "checkpoint",
        5,
        None,
        ValueError,
        must_be("checkpoint", r"an instance of 'str', an instance of 'os\.PathLike'"),
    ),
    (
        "callbacks",
        print,
        [ignore],
        ValueError,
        must_be("callbacks", r"an instance of 'list', an instance of 'tuple' or None"),
    ),
    (
        "progress",
        "yes",
        False,
        ValueError,
        must_be("progress", r"an instance of 'bool'.* or a str among \{'auto'\}"),
    ),
    (
        "batch_size",
        0,
        1,
        ValueError,
        must_be("batch_size", r"an int in the range \[1, inf\)"),
    ),
    (
        "batch_size",
        1.5,
        1,
        ValueError,
        must_be("batch_size", r"an int in the range \[1, inf\)"),
    ),
    (
        "acquisition",
        "ei",
        "log_ei",
        ValueError,
        must_be("acquisition", r"a str among \{.*'log_ei'.*\}"),
    ),
    (
        "acquisition",
        None,
        "log_ei",
        ValueError,
        must_be("acquisition", r"a str among \{.*'log_ei'.*\}"),
    ),
    ("noise", "none", "cv", ValueError, must_be("noise", r"a str among \{.*'cv'.*\}")),
    (
        "n_initial_points",
        0,
        2,
        ValueError,
        must_be("n_initial_points", r"an int in the range \[1, inf\) or None"),
    ),
    (
        "n_initial_points",
        2.5,
        2,
        ValueError,
        must_be("n_initial_points", r"an int in the range \[1, inf\) or None"),
    ),
    (
        "random_state",
        "seed",
        0,
        ValueError,
        must_be("random_state", r"an int in the range \[0, 4294967295\]"),
    ),
    (
        "random_state",
        -1,
        0,
        ValueError,
        must_be("random_state", r"an int in the range \[0, 4294967295\]"),
    ),
    ("verbose", "loud", 0, ValueError, must_be("verbose", r"an int in the range \[0")),
    (
        "return_train_score",
        "yes",
        True,
        ValueError,
        must_be("return_train_score", r"an instance of 'bool'"),
    ),
]


def _constructor_params():
    rows = []
    for row in _CONSTRUCTOR:
        parameter, bad, good, error, match = row[:5]
        extra = row[5] if len(row) > 5 else {}
        for kind, make in SEARCHERS.items():
            if parameter not in make().get_params(deep=False):
                continue
            rows.append(
                pytest.param(
                    kind,
                    parameter,
                    bad,
                    good,
                    error,
                    match,
                    extra,
                    id=f"ctor-{kind}-{parameter}={bad!r}",
                )
            )
    return rows


CONSTRUCTOR_CASES = _constructor_params()


@pytest.mark.parametrize(
    "kind, parameter, bad, good, error, match, extra", CONSTRUCTOR_CASES
)
def test_bad_constructor_value_raises_at_fit_and_the_search_recovers(
    tmp_path, kind, parameter, bad, good, error, match, extra
):
    make = SEARCHERS[kind]
    # Constructing stores the value as given, as every scikit-learn estimator.
    value = resolve(bad, tmp_path)
    search = make(**extra, **{parameter: value})
    assert search.get_params(deep=False)[parameter] is value
    with pytest.raises(error, match=match):
        search.fit(X, Y)
    # Nothing is left half-fitted, and the same object works once corrected.
    assert not hasattr(search, "cv_results_")
    search.set_params(**{parameter: resolve(good, tmp_path)})
    search.fit(X, Y)
    assert np.isfinite(search.best_score_)


def test_constructor_cases_cover_every_searcher():
    kinds = {p.values[0] for p in CONSTRUCTOR_CASES}
    assert kinds == set(SEARCHERS)


def test_callbacks_that_are_not_callable_are_refused_before_any_fit():
    fits = []

    class CountingSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            fits.append(self.C)
            return super().fit(X, y, sample_weight=sample_weight)

    search = GridTuneCV(CountingSVC(), {"C": [0.1, 1.0]}, cv=2, callbacks=[5])
    with pytest.raises(
        TypeError,
        match=r"The 'callbacks' parameter of GridTuneCV must be a list of callables",
    ):
        search.fit(X, Y)
    assert fits == []


@pytest.mark.parametrize(
    "parameter, value",
    [("n_initial_points", np.int64(2)), ("batch_size", np.int64(2))],
)
def test_numpy_integers_accepted_by_the_constraints_also_run(parameter, value):
    # Interval(Integral, ...) accepts numpy integers; the optimizer must too.
    search = bayes(n_iter=4, **{parameter: value}).fit(X, Y)
    assert len(search.cv_results_["params"]) == 4


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


def with_nan_column(X):
    X = X.copy()
    X[:, 0] = np.nan
    return X


ONE_PER_CLASS = [0, 25, 50]  # rows of X (every other iris sample) of classes 0, 1, 2

DATA_CASES = [
    *[
        pytest.param(
            lambda make=make: make().fit(with_nan_column(X), Y),
            ValueError,
            rf"All the {n_fits} fits failed",
            id=f"data-{kind}-nan-in-every-row",
        )
        for kind, make, n_fits in [
            ("grid", grid, 4),
            ("random", random, 4),
            ("bayes", bayes, 4),
        ]
    ],
    pytest.param(
        lambda: bayes().fit(X, Y[:-1]),
        ValueError,
        rf"inconsistent numbers of samples: \[{N_SAMPLES}, {N_SAMPLES - 1}\]",
        id="data-bayes-y-wrong-length",
    ),
    pytest.param(
        lambda: grid().fit(X, Y[:-1]),
        ValueError,
        rf"inconsistent numbers of samples: \[{N_SAMPLES}, {N_SAMPLES - 1}\]",
        id="data-grid-y-wrong-length",
    ),
    pytest.param(
        lambda: bayes().fit(X[ONE_PER_CLASS], Y[ONE_PER_CLASS]),
        ValueError,
        r"n_splits=2 cannot be greater than the number of members in each class",
        id="data-bayes-one-sample-per-class",
    ),
    pytest.param(
        lambda: random().fit(X[ONE_PER_CLASS], Y[ONE_PER_CLASS]),
        ValueError,
        r"n_splits=2 cannot be greater than the number of members in each class",
        id="data-random-one-sample-per-class",
    ),
    pytest.param(
        lambda: bayes().fit(X, np.where(np.arange(N_SAMPLES) == 3, np.nan, Y)),
        ValueError,
        r"Input y contains NaN",
        id="data-bayes-nan-in-y",
    ),
    pytest.param(
        lambda: bayes().fit(X[:0], Y[:0]),
        ValueError,
        r"Found array with 0 sample",
        id="data-bayes-empty",
    ),
    pytest.param(
        lambda: bayes().fit(X, Y, groups=np.arange(3)),
        ValueError,
        rf"inconsistent numbers of samples: \[{N_SAMPLES}, {N_SAMPLES}, 3\]",
        id="data-bayes-groups-wrong-length",
    ),
    pytest.param(
        lambda: grid(cv=[]).fit(X, Y),
        ValueError,
        r"No fits were performed\. Was the CV iterator empty\?",
        id="data-grid-empty-cv-iterable",
    ),
    pytest.param(
        lambda: bayes(scoring=lambda est, X, y: "good").fit(X, Y),
        ValueError,
        r"scoring must return a number, got good",
        id="data-bayes-scorer-returns-str",
    ),
]


@pytest.mark.parametrize("trigger, error, match", DATA_CASES)
def test_bad_data(trigger, error, match):
    with pytest.raises(error, match=match):
        trigger()


class CountingSVC(SVC):
    """An SVC that records every fit in a class-level list (n_jobs=1 only)."""

    fits: list = []

    def fit(self, X, y, sample_weight=None):
        CountingSVC.fits.append(self.C)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("kind", ["grid", "random", "bayes"])
def test_nan_everywhere_fails_every_fit_then_raises_once_at_the_end(kind):
    # NaN in every row: every fit fails. With error_score=np.nan (the default)
    # each failure is recorded, all fits still run, and the search raises one
    # ValueError after the last one, as GridSearchCV does (it warns
    # FitFailedWarning only when some, not all, fits failed).
    CountingSVC.fits = []
    space = {"C": [0.1, 1.0, 10.0]} if kind == "grid" else {"C": Real(0.1, 10.0)}
    kwargs = {} if kind == "grid" else {"n_iter": 3, "random_state": 0}
    cls = {"grid": GridTuneCV, "random": RandomTuneCV, "bayes": BayesTuneCV}[kind]
    search = cls(CountingSVC(), space, cv=2, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"^\nAll the 6 fits failed\.\n") as info:
            search.fit(with_nan_column(X), Y)
    assert len(CountingSVC.fits) == 6
    assert "Input X contains NaN" in str(info.value)
    assert not [w for w in caught if "fits failed" in str(w.message)]
    assert not hasattr(search, "cv_results_")


def test_nan_in_some_rows_warns_then_the_refit_raises():
    # One NaN: the folds that train on that row fail, the others are scored
    # (the NaN row in their test fold makes scoring fail too); the refit on
    # all the data then fails, exactly as in GridSearchCV.
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.warns(FitFailedWarning, match=r"2 fits failed out of a total of 4"):
        with pytest.raises(ValueError, match=r"Input X contains NaN"):
            grid().fit(X_nan, Y)


# --------------------------------------------------------------------------
# Ask/tell
# --------------------------------------------------------------------------

SPACE = {"x": Real(0.0, 1.0), "k": Integer(1, 3), "c": Categorical(["a", "b"])}
POINT = {"x": 0.5, "k": 2, "c": "a"}


def optimizer(**kwargs):
    return BayesOptimizer(SPACE, random_state=0, **kwargs)


def tell(params, value, **kwargs):
    return lambda: optimizer().tell(params, value, **kwargs)


def exhausted_ask():
    opt = BayesOptimizer({"k": Integer(1, 2)}, random_state=0)
    opt.tell([{"k": 1}, {"k": 2}], [1.0, 2.0])
    return opt.ask()


ASK_TELL_CASES = [
    pytest.param(
        tell({"x": 0.5, "k": 2, "z": "a"}, 1.0),
        ValueError,
        r"Unknown parameter 'z': it is not a key of space, whose keys are "
        r"\['c', 'k', 'x'\]",
        id="asktell-tell-unknown-key",
    ),
    pytest.param(
        tell({"x": 0.5, "k": 2}, 1.0),
        ValueError,
        r"Parameter 'c' is missing: space has keys \['c', 'k', 'x'\]",
        id="asktell-tell-missing-key",
    ),
    pytest.param(
        tell({**POINT, "x": 1.5}, 1.0),
        ValueError,
        r"Parameter 'x' = 1\.5 is outside space: the value must be in "
        r"Real\(0\.0, 1\.0\)",
        id="asktell-tell-real-outside",
    ),
    pytest.param(
        tell({**POINT, "k": 7}, 1.0),
        ValueError,
        r"Parameter 'k' = 7 is outside space: the value must be in Integer\(1, 3\)",
        id="asktell-tell-integer-outside",
    ),
    pytest.param(
        tell({**POINT, "k": 2.5}, 1.0),
        ValueError,
        r"Parameter 'k' = 2\.5 is outside space",
        id="asktell-tell-integer-not-integral",
    ),
    pytest.param(
        tell({**POINT, "c": "zz"}, 1.0),
        ValueError,
        r"Parameter 'c' = 'zz' is outside space: the value must be in "
        r"Categorical\(\['a', 'b'\]\)",
        id="asktell-tell-unknown-category",
    ),
    pytest.param(
        tell({**POINT, "x": np.nan}, 1.0),
        ValueError,
        r"Parameter 'x' = nan is outside space",
        id="asktell-tell-nan-parameter",
    ),
    pytest.param(
        tell([POINT, {**POINT, "x": 0.6}], 1.0),
        ValueError,
        r"tell got 2 points and 1 values; give one value per point",
        id="asktell-tell-too-few-values",
    ),
    pytest.param(
        tell([POINT], [1.0, 2.0, 3.0]),
        ValueError,
        r"tell got 1 points and 3 values; give one value per point",
        id="asktell-tell-too-many-values",
    ),
    pytest.param(
        tell([POINT], [[1.0]]),
        ValueError,
        r"tell got 1 points and 1 values; give one value per point",
        id="asktell-tell-2d-values",
    ),
    pytest.param(
        tell([1, 2], [1.0, 2.0]),
        TypeError,
        r"params must be a dict; got 1 \(int\)",
        id="asktell-tell-list-of-non-dicts",
    ),
    pytest.param(
        tell(POINT, 1.0, noise=-1.0),
        ValueError,
        r"noise must be None or one finite, non-negative variance per point "
        r"\(NaN where unknown\); got -1\.0",
        id="asktell-tell-negative-noise",
    ),
    pytest.param(
        tell(POINT, 1.0, noise=math.inf),
        ValueError,
        r"noise must be None or one finite, non-negative variance per point .*; "
        r"got inf",
        id="asktell-tell-infinite-noise",
    ),
    pytest.param(
        tell(POINT, 1.0, noise=[1.0, 2.0]),
        ValueError,
        r"noise must be None or one finite, non-negative variance per point",
        id="asktell-tell-noise-wrong-length",
    ),
    pytest.param(
        tell(POINT, 1.0, noise="a"),
        TypeError,
        r"noise must be None, a real number or one per point \(NaN where "
        r"unknown\); got 'a'",
        id="asktell-tell-str-noise",
    ),
    pytest.param(
        tell(POINT, "bad"),
        TypeError,
        r"value must be a real number, or one per point \(NaN or inf marks a failed "
        r"evaluation\); got 'bad'",
        id="asktell-tell-str-value",
    ),
    pytest.param(
        tell(POINT, "1"),
        TypeError,
        r"value must be a real number, or one per point .*; got '1'",
        id="asktell-tell-numeric-str-value",
    ),
    pytest.param(
        tell(POINT, None),
        TypeError,
        r"value must be a real number, or one per point .*; got None",
        id="asktell-tell-none-value",
    ),
    pytest.param(
        tell("x=0.5", 1.0),
        TypeError,
        r"params must be a dict or a list of dicts; got 'x=0\.5' \(str\)",
        id="asktell-tell-str-params",
    ),
    *[
        pytest.param(
            lambda n=n: optimizer().ask(n),
            ValueError,
            rf"n must be a positive int; got {re.escape(repr(n))}",
            id=f"asktell-ask({n!r})",
        )
        for n in (0, -1, 1.5, "2")
    ],
    pytest.param(
        lambda: optimizer().propose(0),
        ValueError,
        r"n must be a positive int; got 0",
        id="asktell-propose(0)",
    ),
    pytest.param(
        exhausted_ask,
        ValueError,
        r"no unseen point left",
        id="asktell-ask-exhausted-finite-space",
    ),
    pytest.param(
        lambda: optimizer(direction="max"),
        ValueError,
        r"direction must be 'minimize' or 'maximize'; got 'max'",
        id="asktell-direction",
    ),
    pytest.param(
        lambda: optimizer(acquisition="EI"),
        ValueError,
        r"acquisition must be one of \('log_ei', 'ucb', 'log_pi'\); got 'EI'",
        id="asktell-acquisition",
    ),
    pytest.param(
        lambda: optimizer(n_initial_points=0),
        ValueError,
        r"n_initial_points must be a positive int or None; got 0",
        id="asktell-n-initial-points-zero",
    ),
    pytest.param(
        lambda: optimizer(budget="10"),
        ValueError,
        r"budget must be a positive int or None; got '10'",
        id="asktell-budget-str",
    ),
    pytest.param(
        lambda: minimize(lambda p: 1.0, SPACE, n_calls=0),
        ValueError,
        r"n_calls must be a positive int; got 0",
        id="asktell-minimize-n-calls-zero",
    ),
    pytest.param(
        lambda: minimize(lambda p: None, SPACE, n_calls=2, random_state=0),
        TypeError,
        r"func must return a real number \(NaN for a failed evaluation\); it "
        r"returned None for \{",
        id="asktell-minimize-func-returns-none",
    ),
    pytest.param(
        lambda: minimize(lambda p: "0.5", SPACE, n_calls=2, random_state=0),
        TypeError,
        r"func must return a real number .*; it returned '0\.5' for \{",
        id="asktell-minimize-func-returns-numeric-str",
    ),
    *[
        pytest.param(
            lambda points=points: optimizer(initial_points=points),
            TypeError,
            rf"initial_points must be None or a list of dicts; got {got}",
            id=f"asktell-initial-points-{name}",
        )
        for name, points, got in [
            ("dict", POINT, r"\{'x': 0\.5"),
            ("int", 5, "5"),
            ("list-of-lists", [[0.5, 2, "a"]], r"\[\[0\.5"),
        ]
    ],
    *[
        pytest.param(
            lambda callback=callback: minimize(
                lambda p: 1.0, SPACE, n_calls=2, callback=callback
            ),
            TypeError,
            rf"callback must be None, a callable or a list of callables taking "
            rf"the OptimizeResult so far; got {got}",
            id=f"asktell-minimize-callback-{name}",
        )
        for name, callback, got in [("int", 5, "5"), ("list-of-int", [print, 5], r"\[")]
    ],
    pytest.param(
        lambda: minimize(5, SPACE),
        TypeError,
        r"func must be a callable that takes a dict of parameters and returns a "
        r"real number; got 5 \(int\)",
        id="asktell-minimize-func-not-callable",
    ),
]


@pytest.mark.parametrize("trigger, error, match", ASK_TELL_CASES)
def test_bad_ask_tell(trigger, error, match):
    with pytest.raises(error, match=match):
        trigger()


def test_refused_tell_changes_nothing():
    opt = optimizer()
    opt.tell(POINT, 1.0)
    for params, value in [({**POINT, "x": 2.0}, 1.0), ([POINT, POINT], [1.0])]:
        with pytest.raises(ValueError, match=r"outside space|one value per point"):
            opt.tell(params, value)
    assert opt.n_observed == 1
    assert opt.values.tolist() == [1.0]


def test_tell_without_ask_is_an_observation():
    # tell does not need a matching ask: a point evaluated elsewhere (a warm
    # start) is an observation like any other, and asks avoid it.
    opt = BayesOptimizer({"k": Integer(1, 3)}, random_state=0)
    opt.tell({"k": 2}, 0.5)
    assert opt.n_observed == 1
    assert {p["k"] for p in opt.ask(2)} == {1, 3}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_tell_non_finite_value_is_a_failure_not_a_score(value):
    opt = optimizer(n_initial_points=2)
    opt.tell(POINT, value)
    assert opt.n_observed == 1
    assert opt.best_value is None and opt.best_params is None
    opt.tell({**POINT, "x": 0.25}, 3.0)
    assert opt.best_value == 3.0
    # Asking still works with failures among the observations.
    assert set(opt.ask()) == set(SPACE)


def test_tell_same_point_twice_then_ask():
    opt = BayesOptimizer({"x": Real(0.0, 1.0)}, random_state=0, n_initial_points=2)
    for value in (1.0, 2.0, 5.0):
        opt.tell({"x": 0.5}, value)
    opt.tell({"x": 0.1}, 0.0)
    assert 0.0 <= opt.ask()["x"] <= 1.0


def test_checkpoint_path_error_names_the_directory(tmp_path):
    # Spelled out once beyond the table: the message says what to create.
    missing = os.path.join(tmp_path, "runs", "search.jsonl")
    with pytest.raises(
        ValueError, match=re.escape(f"the directory {os.path.dirname(missing)!r}")
    ):
        grid(checkpoint=missing).fit(X, Y)
    assert not os.path.exists(os.path.dirname(missing))


def test_at_least_sixty_bad_inputs():
    n = len(SPACE_CASES) + len(CONSTRUCTOR_CASES) + len(DATA_CASES)
    assert n + len(ASK_TELL_CASES) >= 60

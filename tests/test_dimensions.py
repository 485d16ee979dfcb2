"""Tests of the dimensions module: Real, Integer, Categorical, constructors."""

import pickle
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.datasets import load_iris, make_regression
from sklearn.linear_model import Ridge
from sklearn.model_selection import ParameterSampler
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from sklearn_bayestune import (
    BayesOptimizer,
    BayesTuneCV,
    GridTuneCV,
    RandomTuneCV,
)
from sklearn_bayestune._dimensions import (
    Categorical,
    Dimension,
    Integer,
    Real,
    as_dimension,
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from sklearn_bayestune._space import SearchSpace

# One of each dimension kind and prior, used by the round-trip tests.
DIMENSIONS = {
    "real": Real(-2.0, 3.0),
    "real-log": Real(1e-4, 1e2, prior="log-uniform"),
    "real-step": Real(0.0, 1.0, step=0.1),
    "real-log-step": Real(1.0, 100.0, prior="log-uniform", step=5.0),
    "real-norm": Real(-np.inf, np.inf, prior=stats.norm(1.0, 2.0)),
    "real-truncnorm": Real(0.0, 1.0, prior=stats.norm(0.0, 1.0)),
    "real-lognorm": Real(0.0, np.inf, prior=stats.lognorm(0.5, scale=3.0)),
    "real-norm-step": Real(-np.inf, np.inf, prior=stats.norm(0.0, 1.0), step=0.25),
    "integer": Integer(-3, 7),
    "integer-single": Integer(4, 4),
    "integer-log": Integer(1, 1000, prior="log-uniform"),
    "integer-poisson": Integer(0, np.inf, prior=stats.poisson(4.0)),
    "integer-randint": Integer(1, 4, prior=stats.randint(1, 5)),
    "integer-continuous-prior": Integer(1, 50, prior=stats.loguniform(1, 50)),
    "categorical": Categorical(["a", "b", None, True, 1, 2.5]),
    "categorical-single": Categorical(["only"]),
}

CONSTRUCTORS = {
    "choice": choice("linear", "rbf", "poly"),
    "randint": randint(5),
    "uniform": uniform(-1.0, 1.0),
    "quniform": quniform(0.0, 10.0, 0.5),
    "loguniform": loguniform(1e-3, 1e3),
    "qloguniform": qloguniform(1.0, 1000.0, 10.0),
    "normal": normal(3.0, 2.0),
    "qnormal": qnormal(3.0, 2.0, 0.5),
    "lognormal": lognormal(1.0, 0.5),
    "qlognormal": qlognormal(1.0, 0.5, 0.1),
}

ALL = {**DIMENSIONS, **CONSTRUCTORS}


def assert_values_close(actual, expected, dim):
    """Exact for discrete dimensions, 1e-9 relative (to the value or range)."""
    if dim.n_choices is not None or dim.kind != "real":
        assert actual == list(expected)
        return
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    scale = np.maximum(np.abs(expected), 1.0)
    if np.isfinite(dim.low) and np.isfinite(dim.high):
        scale = np.maximum(scale, dim.high - dim.low)
    np.testing.assert_array_less(np.abs(actual - expected), 1e-9 * scale + 1e-300)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dim, error, message",
    [
        (Real(1, 1), ValueError, "Real needs low < high; got low=1, high=1"),
        (Real(2.0, 1.0), ValueError, "Real needs low < high; got low=2.0, high=1.0"),
        (
            Real(0, np.inf),
            ValueError,
            "must be finite with prior='uniform'; got high=np.inf",
        ),
        (Integer(-np.inf, 3), ValueError, "must be finite with prior='uniform'"),
        (
            Real(0, 1, "log-uniform"),
            ValueError,
            "'log-uniform' prior needs low > 0; got low=0",
        ),
        (Integer(0, 9, "log-uniform"), ValueError, "prior needs low >= 1; got low=0"),
        (
            Real(0, 1, "log"),
            ValueError,
            "unknown prior 'log'.*Did you mean 'log-uniform'",
        ),
        (
            Real(0, 1, "gaussian"),
            ValueError,
            "expected 'uniform', 'log-uniform' or a frozen",
        ),
        (Real(0, 1, prior=3), TypeError, "prior must be 'uniform', 'log-uniform' or"),
        (Real(0, 5, prior=stats.poisson(2)), TypeError, "Use Integer for a discrete"),
        (Integer(1.5, 3), ValueError, "Integer bounds must be integers; got low=1.5"),
        (Integer(5, 1), ValueError, "Integer needs low <= high; got low=5, high=1"),
        (Real(0, 1, step=0), ValueError, "step must be a positive finite number"),
        (Real(0, 1, step=-0.5), ValueError, "step must be a positive finite number"),
        (Real(0, 1, step=np.inf), ValueError, "step must be a positive finite number"),
        (Real(0.1, 0.2, step=1.0), ValueError, "holds no multiple of step=1.0"),
        (Real(np.nan, 1.0), ValueError, "bounds must not be NaN; got low=nan"),
        (Integer(0, np.nan), ValueError, "bounds must not be NaN; got high=nan"),
        (Real("0", 1), TypeError, "bounds must be real numbers; got low='0' \\(str\\)"),
        (Integer(True, 3), TypeError, "bounds must be real numbers; got low=True"),
        (Real(-1e308, 1e308), ValueError, "high - low overflows a float"),
        (Categorical([]), ValueError, "needs at least one category; got \\[\\]"),
        (
            Categorical("rbf"),
            TypeError,
            "got 'rbf' \\(str\\). Did you mean \\['rbf'\\]\\?",
        ),
        (Categorical(np.zeros((2, 2))), ValueError, "1-D array; got an array of shape"),
        (Categorical({1, 2}), TypeError, "list, tuple or 1-D array of values; got"),
        (Categorical(5), TypeError, "got 5 \\(int\\)"),
        (
            Real(-np.inf, np.inf, prior=stats.norm(0, -1)),
            ValueError,
            "gives a NaN CDF; check its parameters",
        ),
        (
            Real(40.0, 50.0, prior=stats.norm(0, 1)),
            ValueError,
            "has no probability mass between low=40.0 and high=50.0",
        ),
    ],
)
def test_dimension_errors_name_the_key(dim, error, message):
    with pytest.raises(error, match="^Parameter 'svc__C' in param_distributions: "):
        dim._check("svc__C", parameter="param_distributions")
    with pytest.raises(error, match=message):
        dim._check("svc__C")


def test_constructors_only_store_and_first_use_checks():
    dim = Real(1, 1)  # no error yet, as for scikit-learn estimators
    assert (dim.low, dim.high, dim.prior, dim.step) == (1, 1, "uniform", None)
    with pytest.raises(ValueError, match="^Real needs low < high"):
        dim.rvs(random_state=0)
    with pytest.raises(ValueError, match="at least one category"):
        Categorical([]).to_unit([])


def test_randint_errors():
    with pytest.raises(ValueError, match="needs high > low; got low=0, high=0"):
        randint(0)
    with pytest.raises(TypeError, match="randint bounds must be integers; got 1.5"):
        randint(1.5)


# --------------------------------------------------------------------------
# Sampling
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL))
def test_rvs_in_bounds(name):
    dim = ALL[name]
    values = dim.rvs(size=200, random_state=0)
    assert len(values) == 200
    assert all(v in dim for v in values)
    if dim.kind != "categorical":
        assert np.all((values >= dim.low) & (values <= dim.high))


@pytest.mark.parametrize(
    "dim, statistic, expected, tol",
    [
        (Real(0.0, 10.0), np.mean, 5.0, 0.2),
        (
            Real(1e-3, 1e3, prior="log-uniform"),
            lambda v: np.log10(np.median(v)),
            0,
            0.15,
        ),
        (normal(3.0, 2.0), np.mean, 3.0, 0.15),
        (normal(3.0, 2.0), np.std, 2.0, 0.15),
        (lognormal(1.0, 0.5), np.median, np.e, 0.15),
        (
            Real(0.0, 1.0, prior=stats.norm(0, 1)),
            np.mean,
            stats.truncnorm(0, 1).mean(),
            0.02,
        ),
        (Integer(0, np.inf, prior=stats.poisson(3.0)), np.mean, 3.0, 0.15),
        # Padded to [0.5, 100.5] in log space: median near sqrt(0.5 * 100.5).
        (Integer(1, 100, prior="log-uniform"), np.median, np.sqrt(0.5 * 100.5), 2.5),
        (qnormal(0.0, 1.0, 0.5), np.std, 1.0 + 0.5**2 / 24, 0.1),
    ],
)
def test_rvs_follows_prior(dim, statistic, expected, tol):
    values = dim.rvs(size=2000, random_state=42)
    assert abs(statistic(values) - expected) < tol


@pytest.mark.parametrize(
    "dim",
    [Integer(1, 4), Real(0.0, 0.75, step=0.25), Categorical(["a", "b", "c", "d"])],
)
def test_rvs_discrete_values_equally_likely(dim):
    values = dim.rvs(size=4000, random_state=1)
    counts = [sum(1 for v in values if v == c) for c in dim.values()]
    assert sum(counts) == 4000
    assert max(abs(c / 4000 - 0.25) for c in counts) < 0.03


@pytest.mark.parametrize(
    "dim, scalar_type",
    [
        (Real(0.0, 1.0), float),
        (Real(0.0, 1.0, step=0.5), float),
        (Integer(0, 9), int),
        (Categorical(["x", "y"]), str),
    ],
)
@pytest.mark.parametrize(
    "random_state",
    [None, 0, np.random.RandomState(0), np.random.default_rng(0)],
    ids=["None", "int", "RandomState", "Generator"],
)
def test_rvs_random_state_forms_and_scalar(dim, scalar_type, random_state):
    assert isinstance(dim.rvs(random_state=random_state), scalar_type)
    many = dim.rvs(size=3, random_state=random_state)
    assert len(many) == 3


def test_rvs_reproducible_and_consistent_with_from_unit():
    dim = Real(1e-3, 1.0, prior="log-uniform")
    assert (
        dim.rvs(size=5, random_state=7).tolist()
        == dim.rvs(size=5, random_state=7).tolist()
    )
    u = np.random.default_rng(3).uniform(size=5)
    assert dim.rvs(
        size=5, random_state=np.random.default_rng(3)
    ).tolist() == dim.from_unit(u)
    assert dim.rvs(size=(2, 3), random_state=0).shape == (2, 3)
    assert Integer(0, 3).rvs(size=4, random_state=0).dtype == np.int64
    assert np.shape(Categorical(["a", "b"]).rvs(size=(2, 2), random_state=0)) == (2, 2)
    with pytest.raises(
        TypeError, match="random_state must be None, a non-negative int"
    ):
        dim.rvs(random_state="seed")


def test_categorical_rvs_returns_the_objects():
    svc, fn = SVC(), np.mean
    dim = Categorical([svc, fn, None])
    assert {id(v) for v in dim.rvs(size=50, random_state=0)} == {
        id(svc),
        id(fn),
        id(None),
    }


def test_sklearn_parameter_sampler_accepts_dimensions():
    space = {"a": Real(1e-3, 1.0, prior="log-uniform"), "b": Categorical(["x", "y"])}
    first = list(ParameterSampler(space, n_iter=20, random_state=0))
    second = list(ParameterSampler(space, n_iter=20, random_state=0))
    assert first == second
    assert len(first) == 20
    assert all(p["a"] in space["a"] and p["b"] in space["b"] for p in first)
    assert {p["b"] for p in first} == {"x", "y"}


# --------------------------------------------------------------------------
# Unit encoding
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL))
def test_unit_round_trip(name):
    dim = ALL[name]
    values = list(dim.rvs(size=100, random_state=0))
    if dim.n_choices is not None:
        values += dim.values()
    elif np.isfinite(dim.low) and np.isfinite(dim.high) and dim.kind == "real":
        values += [dim.low, dim.high]
    u = dim.to_unit(values)
    assert u.shape == (len(values),)
    assert np.all((u >= 0) & (u <= 1))
    assert_values_close(dim.from_unit(u), values, dim)


@pytest.mark.parametrize("name", sorted(ALL))
def test_snap_unit_is_to_unit_of_from_unit(name):
    dim = ALL[name]
    u = np.concatenate([np.linspace(-0.5, 1.5, 201), [0.0, 1.0, 1e-20, 1 - 1e-17]])
    snapped = dim.snap_unit(u)
    np.testing.assert_allclose(
        snapped, dim.to_unit(dim.from_unit(u)), rtol=0, atol=1e-12
    )
    np.testing.assert_array_equal(dim.snap_unit(snapped), snapped)
    assert np.all((snapped >= 0) & (snapped <= 1))
    if dim.kind == "real":
        np.testing.assert_array_equal(
            snapped[(u > 0.01) & (u < 0.99)], u[(u > 0.01) & (u < 0.99)]
        )


@pytest.mark.parametrize(
    "dim, values, expected",
    [
        (Real(0.0, 4.0), [0.0, 1.0, 4.0], [0.0, 0.25, 1.0]),
        (Real(1e-2, 1e2, prior="log-uniform"), [1e-2, 1.0, 1e2], [0.0, 0.5, 1.0]),
        (Integer(0, 4), [0, 2, 4], [0.1, 0.5, 0.9]),
        (Real(0.0, 1.0, step=0.5), [0.0, 0.5, 1.0], [1 / 6, 0.5, 5 / 6]),
        (Categorical(["a", "b", "c", "d"]), ["a", "d"], [0.125, 0.875]),
        (
            Real(-np.inf, np.inf, prior=stats.norm(2, 3)),
            [2.0, 5.0],
            # The CDF between the 1e-4 and 1 - 1e-4 quantiles, rescaled.
            [0.5, (stats.norm.cdf(1) - 1e-4) / (1 - 2e-4)],
        ),
        (Integer(1, 4, prior=stats.randint(1, 5)), [1, 4], [0.125, 0.875]),
    ],
)
def test_to_unit_known_values(dim, values, expected):
    np.testing.assert_allclose(dim.to_unit(values), expected, atol=1e-12)


def test_integer_log_cells_follow_the_padded_log_prior():
    dim = Integer(1, 3, prior="log-uniform")
    edges = np.log([0.5, 1.5, 2.5, 3.5])
    widths = np.diff(edges) / (edges[-1] - edges[0])
    centres = np.cumsum(widths) - widths / 2
    np.testing.assert_allclose(dim.unit_choices(), centres)
    assert dim.from_unit([0.0, widths[0] - 1e-9, widths[0] + 1e-9, 1.0]) == [1, 1, 2, 3]


def test_an_unbounded_side_leaves_the_outer_tail_mass_out():
    # The encoded range ends at the prior's 1e-4 and 1 - 1e-4 quantiles where
    # neither the user nor the prior ends it: the acquisition optimiser lands
    # on the ends, which were 8 standard deviations out (p=-0.46 for a
    # norm(2, 0.3), n_neighbors=33 for a poisson(5)).
    prior = stats.norm(2.0, 0.3)
    dim = Real(-np.inf, np.inf, prior=prior)
    np.testing.assert_allclose(
        dim.from_unit([0.0, 1.0]), prior.ppf([1e-4, 1 - 1e-4]), rtol=1e-12
    )
    np.testing.assert_array_equal(dim.to_unit([-1e6, 1e6]), [0.0, 1.0])
    poisson = stats.poisson(5, loc=1)
    assert Integer(-np.inf, np.inf, prior=poisson).from_unit([0.0, 1.0]) == [
        1,
        int(poisson.ppf(1 - 1e-4)),
    ]
    # Draws follow the prior truncated there, with no atom at the ends.
    draws = dim.rvs(4000, random_state=0)
    assert prior.ppf(1e-4) < draws.min() and draws.max() < prior.ppf(1 - 1e-4)
    assert stats.kstest(draws, prior.cdf).pvalue > 0.01
    # A lattice keeps every value within bounds the user gave, even where a
    # continuous prior's density is 0 at the bound: each value owns a cell.
    for lattice in (
        Integer(0, 100, prior=stats.beta(2, 2, scale=100)),
        Real(0, 1, step=0.01, prior=stats.lognorm(s=0.5, scale=0.3)),
    ):
        values = lattice.values()
        assert SearchSpace({"v": lattice}).size == len(values) == 101
        assert lattice.from_unit(lattice.to_unit(values)) == values
    # Ends the user or the prior chose stay exact.
    assert Real(-1.0, np.inf, prior=prior).from_unit([0.0])[0] == -1.0
    assert Real(0, np.inf, prior=stats.expon()).from_unit([0.0])[0] == 0.0
    assert Integer(0, 200, prior=stats.poisson(5)).from_unit([0.0, 1.0])[0] == 0


@pytest.mark.parametrize(
    "prior, keeps_ends",
    [
        (stats.lognorm(s=1.0), False),  # density 0 at 0
        (stats.gamma(2.0), False),
        (stats.gamma(0.5), False),  # density infinite at 0
        (stats.beta(2.0, 2.0), False),
        (stats.expon(), True),  # positive density at 0: 0 is a fine value
        (stats.uniform(0.0, 1.0), True),
    ],
)
def test_support_ends_the_prior_never_draws_are_never_decoded(prior, keeps_ends):
    dim = as_dimension(prior, "alpha")
    lo = dim.from_unit([0.0])[0]
    assert bool(lo == prior.support()[0]) is keeps_ends
    assert lo >= prior.support()[0] and prior.pdf(lo) > 0
    # A cut the user chose is proposed exactly.
    assert Real(0.1, 10.0, prior=prior).from_unit([0.0])[0] == 0.1


def test_far_tail_of_a_discrete_prior_snaps_idempotently():
    # Near u = 1 the cells of a Poisson prior are narrower than the float
    # spacing; those values collapse onto the last resolvable one.
    dim = Integer(0, 200, prior=stats.poisson(15.75))
    snapped = dim.snap_unit([1.0, 1 - 1e-16, 0.999999])
    np.testing.assert_array_equal(dim.snap_unit(snapped), snapped)
    top = dim.from_unit([1.0])[0]
    assert 40 < top < 80
    assert dim.from_unit(dim.to_unit([top])) == [top]


def test_from_unit_clips_and_snaps():
    assert Integer(1, 3).from_unit([-0.5, 0.4, 1.5]) == [1, 2, 3]
    assert Real(0.0, 1.0, step=0.1).from_unit([0.33, 2.0]) == [0.3, 1.0]
    assert Real(0.05, 0.95, step=0.1).values()[0] == 0.1
    assert Categorical(["a", "b"]).from_unit([-0.5, 1.0]) == ["a", "b"]
    with pytest.raises(ValueError, match="must not be NaN"):
        Real(0, 1).from_unit([np.nan])


@pytest.mark.parametrize(
    "dim, n_choices",
    [
        (Real(0, 1), None),
        (Real(0, 1, step=0.1), 11),
        (qnormal(0, 1, 0.1), None),
        (Integer(-2, 2), 5),
        (Integer(0, np.inf, prior=stats.geom(0.5)), None),
        (Categorical([1, "a", None]), 3),
    ],
)
def test_n_choices_values_and_unit_choices(dim, n_choices):
    assert dim.n_choices == n_choices
    if n_choices is None:
        with pytest.raises(ValueError, match="has infinitely many values"):
            dim.values()
        return
    choices = dim.unit_choices()
    assert len(dim.values()) == len(choices) == n_choices
    assert np.all(np.diff(choices) > 0)
    assert dim.from_unit(choices) == dim.values()


def test_duplicated_categories_weight_the_first():
    # Twice as likely to be drawn; a grid keeps the repeat (see test_space
    # for the Bayesian search, which proposes it once).
    dim = Categorical(["a", "a", "b"])
    assert dim.n_choices == 3 and dim.values() == ["a", "a", "b"]
    np.testing.assert_allclose(dim.unit_choices(), [1 / 6, 5 / 6])
    np.testing.assert_allclose(dim.snap_unit([0.5, 0.9]), [1 / 6, 5 / 6])
    assert dim.from_unit([0.5]) == ["a"]
    assert np.mean(
        dim.rvs(size=3000, random_state=0) == np.array("a")
    ) == pytest.approx(2 / 3, abs=0.03)


def test_values_are_plain_and_rounded():
    assert Real(0, 1, step=0.1).values() == [round(0.1 * k, 1) for k in range(11)]
    assert all(type(v) is int for v in Integer(0, 3).values())
    assert Integer(0, np.inf, prior=stats.poisson(3)).low == 0
    assert quniform(-1.0, 1.0, 0.5).values() == [-1.0, -0.5, 0.0, 0.5, 1.0]


@pytest.mark.parametrize(
    "dim, inside, outside",
    [
        (
            Real(0.0, 1.0),
            [0.0, 0.5, 1, np.float32(0.5)],
            [1.5, -0.1, np.nan, "a", None, True],
        ),
        (Real(0.0, 1.0, step=0.1), [0.3, 0.30000000000000004, 1.0], [0.35, 1.1]),
        (normal(0, 1), [-1e300, 0.0], [np.inf, -np.inf]),
        (lognormal(0, 1), [0.0, 1e9], [-1e-9]),
        (Integer(0, 3), [0, 3, np.int8(2), 2.0], [1.5, 4, -1, True, "1"]),
        (Integer(1, 10, prior=stats.randint(1, 5)), [1, 4], [5, 10]),
        (
            Categorical(["a", 1, None, False]),
            ["a", 1, 1.0, None, False],
            ["b", 2, True, 0],
        ),
    ],
)
def test_contains(dim, inside, outside):
    assert all(v in dim for v in inside)
    assert not any(v in dim for v in outside)
    with pytest.raises(ValueError, match="is not a value of"):
        dim.to_unit([outside[0]])


def test_categorical_objects_matched_by_identity_or_bool_equality():
    svc, arr = SVC(), np.array([1, 2])
    dim = Categorical([svc, arr, "a", np.str_("b")])
    np.testing.assert_allclose(
        dim.to_unit([svc, arr, "a", "b"]), [0.125, 0.375, 0.625, 0.875]
    )
    assert dim.from_unit([0.1])[0] is svc
    assert np.array([1, 2]) not in dim  # == gives an array, not a bool
    assert SVC() not in dim  # estimators compare by identity


def test_categorical_numpy_array():
    dim = Categorical(np.array(["a", "b"]))
    assert dim.values() == ["a", "b"]
    assert dim.to_unit(["b"]).tolist() == [0.75]
    assert dim == Categorical(["a", "b"])


# --------------------------------------------------------------------------
# repr, equality, pickle
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL))
def test_repr_round_trip_and_pickle(name):
    dim = ALL[name]
    namespace = {"np": np, "stats": stats}
    exec("from sklearn_bayestune._dimensions import *", namespace)
    rebuilt = eval(repr(dim), namespace)
    assert rebuilt == dim
    assert hash(rebuilt) == hash(dim)
    assert repr(rebuilt) == repr(dim)
    unpickled = pickle.loads(pickle.dumps(dim))
    assert unpickled == dim
    u = np.linspace(0, 1, 11)
    assert unpickled.from_unit(u) == dim.from_unit(u)


def test_repr_forms():
    assert (
        repr(Real(1e-3, 1.0, "log-uniform")) == "Real(0.001, 1.0, prior='log-uniform')"
    )
    assert (
        repr(normal(0, 1))
        == "Real(-np.inf, np.inf, prior=stats.norm(loc=0.0, scale=1.0))"
    )
    assert repr(randint(3)) == "Integer(0, 2)"
    assert repr(quniform(0, 1, 0.5)) == "Real(0, 1, step=0.5)"
    assert repr(choice(np.array([1, 2]))) == "Categorical([1, 2])"


@pytest.mark.parametrize(
    "a, b, equal",
    [
        (Real(0, 1), Real(0.0, 1.0), True),
        (Real(0, 1), Real(0, 2), False),
        (Real(0, 1), Integer(0, 1), False),
        (Real(0, 1), Real(0, 1, step=0.5), False),
        (Real(0, 1), Real(0, 1, "log-uniform"), False),
        (normal(0, 1), Real(-np.inf, np.inf, prior=stats.norm()), True),
        (normal(0, 1), normal(0, 2), False),
        (Real(1, 10, prior=stats.loguniform(1, 10)), Real(1, 10, "log-uniform"), False),
        (
            Integer(1, 4, stats.randint(1, 5)),
            Integer(1, 4, stats.randint(low=1, high=5)),
            True,
        ),
        (Categorical(["a", 1]), Categorical(("a", 1.0)), True),
        (Categorical([True]), Categorical([1]), False),
        (Categorical(["a", "b"]), Categorical(["b", "a"]), False),
        (Categorical([np.array([1])]), Categorical([np.array([1])]), False),
    ],
)
def test_equality(a, b, equal):
    assert (a == b) is equal
    assert (a != b) is not equal
    if equal:
        assert hash(a) == hash(b)


def test_equal_by_identity_for_objects():
    svc = SVC()
    assert Categorical([svc]) == Categorical([svc])
    assert Categorical([svc]) != Categorical([SVC()])
    assert Real(0, 1) != "Real(0, 1)"


# --------------------------------------------------------------------------
# HyperDrive-style constructors
# --------------------------------------------------------------------------


def test_hyperdrive_meanings():
    assert randint(5).values() == [0, 1, 2, 3, 4]
    assert randint(2, 5).values() == [2, 3, 4]
    assert uniform(2.0, 3.0).from_unit([0.0, 1.0]) == [2.0, 3.0]
    assert loguniform(1e-3, 1.0).from_unit([0.0, 1.0]) == [1e-3, 1.0]
    # HyperDrive's loguniform takes exponents: the documented conversion.
    converted = loguniform(np.exp(-2.0), np.exp(3.0))
    np.testing.assert_allclose(np.log(converted.from_unit([0.0, 1.0])), [-2.0, 3.0])
    assert lognormal(1.0, 0.5).from_unit([0.5])[0] == pytest.approx(np.e)
    one_sigma = (stats.norm.cdf(1.0) - 1e-4) / (1 - 2e-4)  # tails left out
    assert normal(3.0, 2.0).from_unit([one_sigma])[0] == pytest.approx(5.0)
    assert quniform(0, 1, 0.25).values() == [0.0, 0.25, 0.5, 0.75, 1.0]
    values = qloguniform(1, 100, 10).rvs(size=100, random_state=0)
    assert set(values) <= {10.0 * k for k in range(1, 11)}
    values = qnormal(0.0, 1.0, 0.5).rvs(size=100, random_state=0)
    np.testing.assert_array_equal(values, np.round(values / 0.5) * 0.5)
    values = qlognormal(0.0, 1.0, 1.0).rvs(size=200, random_state=0)
    assert 0.0 in values and np.all(values == np.round(values))
    assert choice(["a", "b"]) == choice("a", "b") == Categorical(["a", "b"])
    assert choice((100,), (50, 50)).values() == [(100,), (50, 50)]
    assert choice((100,)).values() == [(100,)]
    assert choice(range(3)).values() == [0, 1, 2]


def test_hyperdrive_constructors_are_dimensions():
    for dim in CONSTRUCTORS.values():
        assert isinstance(dim, Dimension)
        dim._check("p")


# --------------------------------------------------------------------------
# as_dimension
# --------------------------------------------------------------------------


class RvsOnly:
    """Something scikit-learn's RandomizedSearchCV samples but we cannot encode."""

    def rvs(self, random_state=None):
        return 42


@pytest.mark.parametrize(
    "value, expected",
    [
        (stats.uniform(1, 2), Real(1.0, 3.0, prior=stats.uniform(1, 2))),
        (stats.loguniform(1e-3, 1), Real(1e-3, 1.0, prior=stats.loguniform(1e-3, 1))),
        (stats.norm(0, 1), Real(-np.inf, np.inf, prior=stats.norm(0, 1))),
        (stats.expon(), Real(0.0, np.inf, prior=stats.expon())),
        (stats.randint(1, 5), Integer(1, 4, prior=stats.randint(1, 5))),
        (stats.poisson(3), Integer(0, np.inf, prior=stats.poisson(3))),
        (stats.norm, Real(-np.inf, np.inf, prior=stats.norm())),
        ([1, 2, 3], Categorical([1, 2, 3])),
        (("a", "b"), Categorical(["a", "b"])),
        (np.array(["rbf", "linear"]), Categorical(["rbf", "linear"])),
        (range(3), Categorical([0, 1, 2])),
    ],
)
def test_as_dimension_conversions(value, expected):
    dim = as_dimension(value, "p")
    assert dim == expected
    assert dim.rvs(random_state=0) in dim


def test_as_dimension_scipy_randint_support():
    dim = as_dimension(stats.randint(1, 5), "n")
    assert dim.values() == [1, 2, 3, 4]
    draws = set(dim.rvs(size=200, random_state=0).tolist())
    assert draws == {1, 2, 3, 4}


def test_as_dimension_keeps_dimensions_and_rvs_objects():
    dim = Real(0, 1)
    assert as_dimension(dim, "p") is dim
    rvs_only = RvsOnly()
    assert as_dimension(rvs_only, "p") is rvs_only
    with pytest.raises(TypeError, match="'gamma' without its shape parameters"):
        as_dimension(stats.gamma, "p")  # unfrozen, missing its shape: no rvs
    with pytest.raises(ValueError, match="^Parameter 'p' in param_grid: Real needs"):
        as_dimension(Real(1, 1), "p", parameter="param_grid")


@pytest.mark.parametrize(
    "value, got",
    [
        ("rbf", "got 'rbf' (str). Did you mean ['rbf']?"),
        (5, "got 5 (int)."),
        (0.5, "got 0.5 (float)."),
        (None, "got None (NoneType)."),
        ({"a": 1}, "got {'a': 1} (dict)."),
        ({1, 2}, "got {1, 2} (set). Use a list: a set has no order."),
        ((x for x in [1]), "(generator). Use a list of its values."),
    ],
)
def test_as_dimension_type_errors(value, got):
    message = (
        "Parameter 'svc__C' in param_distributions must be a list of values, a "
        "scipy.stats distribution, or a Real/Integer/Categorical dimension; "
    )
    with pytest.raises(TypeError, match="^" + re.escape(message)) as info:
        as_dimension(value, "svc__C")
    assert got in str(info.value)


def test_as_dimension_empty_list():
    with pytest.raises(
        ValueError, match="Parameter 'k' in param_grid: Categorical needs"
    ):
        as_dimension([], "k", parameter="param_grid")


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------

finite_floats = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def dimensions(draw):
    kind = draw(
        st.sampled_from(
            ["real", "log", "step", "int", "intlog", "norm", "poisson", "cat"]
        )
    )
    if kind == "real":
        low = draw(finite_floats)
        return Real(low, low + draw(st.floats(1e-3, 1e3)))
    if kind == "log":
        low = draw(st.floats(1e-4, 1e2))
        return Real(low, low * draw(st.floats(1.01, 1e4)), prior="log-uniform")
    if kind == "step":
        low, width = draw(finite_floats), draw(st.floats(1e-2, 1e2))
        return Real(low, low + width, step=width / draw(st.integers(1, 50)))
    if kind == "int":
        low = draw(st.integers(-100, 100))
        return Integer(low, low + draw(st.integers(0, 200)))
    if kind == "intlog":
        low = draw(st.integers(1, 50))
        return Integer(low, low + draw(st.integers(0, 1000)), prior="log-uniform")
    if kind == "norm":
        mu, sigma = draw(st.floats(-10, 10)), draw(st.floats(0.1, 10))
        step = draw(st.one_of(st.none(), st.floats(0.01, 1.0)))
        return Real(-np.inf, np.inf, prior=stats.norm(mu, sigma), step=step)
    if kind == "poisson":
        return Integer(0, np.inf, prior=stats.poisson(draw(st.floats(0.5, 20))))
    options = st.sampled_from(["a", "b", 1, 2.5, None, True, (1, 2)])
    return Categorical(draw(st.lists(options, min_size=1, max_size=6)))


property_settings = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@property_settings
@given(dim=dimensions(), seed=st.integers(0, 2**32 - 1))
def test_property_sampling_stays_in_bounds(dim, seed):
    values = dim.rvs(size=20, random_state=seed)
    assert all(v in dim for v in values)
    assert dim.rvs(random_state=seed) in dim


@property_settings
@given(dim=dimensions(), seed=st.integers(0, 2**32 - 1))
def test_property_unit_round_trip(dim, seed):
    values = list(dim.rvs(size=20, random_state=seed))
    u = dim.to_unit(values)
    assert np.all((u >= 0) & (u <= 1))
    back = dim.from_unit(u)
    if dim.kind == "categorical":
        assert all(a == b or a is b for a, b in zip(back, values))
    else:
        assert_values_close(back, values, dim)


@property_settings
@given(
    dim=dimensions(),
    u=st.lists(st.floats(-1.0, 2.0), min_size=1, max_size=20),
)
def test_property_snap_unit(dim, u):
    snapped = dim.snap_unit(u)
    assert np.all((snapped >= 0) & (snapped <= 1))
    np.testing.assert_array_equal(dim.snap_unit(snapped), snapped)
    np.testing.assert_allclose(
        dim.to_unit(dim.from_unit(u)), snapped, rtol=0, atol=1e-9
    )


def test_discrete_prior_cdf_is_read_at_integers():
    # scipy's hypergeom CDF is NaN between integers; the cells' edges are.
    dim = as_dimension(stats.hypergeom(20, 7, 12), "k")
    assert dim.values() == list(range(8))
    draws = dim.rvs(size=2000, random_state=0)
    assert draws.min() >= 0 and draws.max() <= 7
    expected = stats.hypergeom(20, 7, 12).pmf(range(8))
    np.testing.assert_allclose(
        np.bincount(draws, minlength=8) / 2000, expected, atol=0.03
    )
    assert dim.from_unit(dim.to_unit(range(8))) == list(range(8))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Integer(0, 2**64),
        lambda: Integer(1, np.inf, prior=stats.levy(scale=1e10)),
    ],
    ids=["bounds", "prior-tail"],
)
def test_integers_beyond_exact_floats_are_refused(make):
    # They decoded to int64's minimum, outside the space.
    with pytest.raises(ValueError, match=r"Integer values must lie within \+-2\*\*53"):
        make().from_unit([1.0])


def test_summed_discrete_priors_are_encoded_only_with_a_negligible_tail():
    # scipy sums zipf's pmf for its CDF: encoding zipf(2) unbounded took
    # gigabytes. It stays a distribution sampled by rvs, as in scikit-learn.
    heavy = stats.zipf(2)
    assert as_dimension(heavy, "n") is heavy
    with pytest.raises(ValueError, match="its tail is too heavy to cut"):
        as_dimension(heavy, "n", encodable=True)
    space = SearchSpace({"n": heavy}, parameter="search_spaces")
    with pytest.raises(ValueError, match="'n' in search_spaces: the prior stats.zipf"):
        space.check_encodable()
    with pytest.raises(ValueError, match=r"e\.g\. Integer\(1, 1001, prior=\.\.\.\)"):
        Integer(1, np.inf, prior=heavy).to_unit([1])
    bounded = Integer(1, 1000, prior=heavy)
    assert bounded.from_unit([0.0, 1.0]) == [1, 1000]
    # scipy's own ppf fails to converge at some of these cells' centres.
    values = bounded.values()
    assert (
        values[:3] == [1, 2, 3] and bounded.from_unit(bounded.to_unit(values)) == values
    )
    # A light tail is cut where its mass is negligible.
    light = as_dimension(stats.zipf(8), "n")
    low, median, top = light.from_unit([0.0, 0.5, 1.0])
    assert (low, median) == (1, 1) and 2 <= top <= 1 + 10**6
    # Finite bounds far from the support's start: the CDF is summed from low.
    far = Integer(10**6, 10**6 + 100, prior=heavy)
    assert far.n_choices == 101 and far.from_unit([0.0, 1.0]) == [10**6, 10**6 + 100]
    assert 10**6 + 50 in far
    with pytest.raises(ValueError, match="the bounds are wider"):
        Integer(1, 3 * 10**6, prior=stats.zipf(4)).to_unit([1])


def test_discrete_prior_with_a_non_integer_loc_is_sampled_not_encoded():
    # scipy draws int(k + 0.5), truncated, while its CDF is that of k + 0.5:
    # the encoding reached only every other value.
    shifted = stats.randint(0, 10, loc=0.5)
    assert as_dimension(shifted, "n") is shifted
    with pytest.raises(ValueError, match=r"'n' in .*non-integer loc 0\.5"):
        as_dimension(shifted, "n", encodable=True)
    with pytest.raises(ValueError, match="Give an integer loc"):
        Integer(0, 9, prior=shifted).values()
    # RandomTuneCV samples it by rvs, as scikit-learn does: all ten values.
    X, y = load_iris(return_X_y=True)
    search = RandomTuneCV(
        KNeighborsClassifier(),
        {"n_neighbors": stats.randint(0, 10, loc=1.5)},
        n_iter=30,
        cv=2,
        random_state=0,
    ).fit(X, y)
    drawn = [p["n_neighbors"] for p in search.cv_results_["params"]]
    assert set(drawn) == set(range(1, 11))
    with pytest.raises(
        ValueError, match="'n_neighbors' in param_distributions: the discrete"
    ):
        BayesTuneCV(
            KNeighborsClassifier(), {"n_neighbors": stats.randint(0, 10, loc=1.5)}
        ).fit(X, y)
    assert as_dimension(stats.randint(0, 10, loc=2), "n").values() == list(range(2, 12))


def test_a_support_end_is_read_on_the_standard_distribution():
    # 0.1 + 0.2 ends the support a rounding error past the standardised 1,
    # where scipy's pdf is 0: the end was taken for a tail and cut.
    prior = stats.uniform(0.1, 0.2)
    dim = Real(-np.inf, np.inf, prior=prior)
    assert dim.from_unit([0.0, 1.0]) == [0.1, float(prior.support()[1])]
    assert dim.from_unit(dim.to_unit([0.3])) == [0.3]


def test_an_unbounded_lattice_is_finitely_many_candidates_but_no_grid():
    # Its tail left out, an unbounded Integer reaches a few values: a search
    # must know, or it proposes them again and again.
    poisson = stats.poisson(2, loc=1)
    space = SearchSpace({"n": poisson})
    top = int(poisson.ppf(1 - 1e-4))
    assert space.is_finite and space.size == top
    assert space.enumerate() == [{"n": v} for v in range(1, top + 1)]
    opt = BayesOptimizer({"n": poisson}, random_state=0)
    asked = opt.ask(2 * top)
    assert sorted(p["n"] for p in asked) == list(range(1, top + 1))
    # A grid still has no last value to list, whatever scipy sums up to.
    X, y = make_regression(20, 3, random_state=0)
    for prior in (poisson, stats.zipf(3)):
        dim = Integer(1, np.inf, prior=prior)
        assert dim.n_choices is None
        with pytest.raises(ValueError, match="has infinitely many values"):
            GridTuneCV(Ridge(), {"max_iter": dim}, cv=2).fit(X, y)
    assert SearchSpace({"n": Integer(1, np.inf, prior=stats.zipf(3))}).size < 100


def test_unbounded_integers_in_a_list_of_dicts_are_each_proposed_once():
    # 11 and 12 are in bounds of the first dict but beyond its tail: encoded
    # there, they decoded to 10, which was then proposed twice.
    space = [{"n": stats.poisson(2, loc=1)}, {"n": stats.poisson(3, loc=2)}]
    size = SearchSpace(space).size
    rows = SearchSpace(space).enumerate_unit()
    assert SearchSpace(space).from_unit(rows) == SearchSpace(space).enumerate()
    opt = BayesOptimizer(space, random_state=0)
    asked = [opt.ask()["n"] for _ in range(size)]
    assert sorted(asked) == list(range(1, size + 1))
    # What cannot be enumerated is named.
    with pytest.raises(ValueError, match="parameter 'b'"):
        SearchSpace({"a": stats.poisson(2, loc=1), "b": Real(0, 1)}).enumerate()

"""Tests of the search-space module: SearchSpace parsing, sampling, encoding."""

import math
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.model_selection import ParameterGrid

from sklearn_bayestune._dimensions import (
    Categorical,
    Dimension,
    Integer,
    Real,
    choice,
    loguniform,
    normal,
)
from sklearn_bayestune._space import INACTIVE, SearchSpace

# --------------------------------------------------------------------------
# SearchSpace: parsing, enumeration, sampling
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, error, message",
    [
        (
            "C",
            TypeError,
            "param_grid must be a dict or a list of dicts; got 'C' \\(str\\)",
        ),
        ([], ValueError, "param_grid must be a dict or a non-empty list of dicts"),
        (
            [{"a": [1]}, 3],
            TypeError,
            "param_grid must be a dict or a list of dicts; element 1",
        ),
        (
            {1: [1, 2]},
            TypeError,
            "param_grid keys must be parameter names \\(str\\); got 1",
        ),
        (
            {"C": "rbf"},
            TypeError,
            "^Parameter 'C' in param_grid must be a list of values",
        ),
        ({"C": Real(0, 0)}, ValueError, "^Parameter 'C' in param_grid: Real needs low"),
    ],
)
def test_search_space_errors(spec, error, message):
    with pytest.raises(error, match=message):
        SearchSpace(spec, parameter="param_grid")


GRIDS = [
    {"C": [1, 10, 100], "kernel": ["rbf", "linear"]},
    {"b": np.array([0.1, 0.2]), "a": [None, True, "x"]},
    [
        {"kernel": ["linear"], "C": [1, 10]},
        {"kernel": ["rbf"], "C": [1], "gamma": [0.1, 1]},
    ],
    [{"a": [1, 1, 2]}, {}],
    [{}],
]


def _distinct_values(grid):
    """``grid`` with each list's repeated values dropped (they only weight draws)."""

    def distinct(values):
        kept = []
        for v in values:
            if not any(type(v) is type(k) and v == k for k in kept):
                kept.append(v)
        return kept

    if isinstance(grid, dict):
        return {key: distinct(values) for key, values in grid.items()}
    return [_distinct_values(g) for g in grid]


def _distinct_candidates(grid):
    """``ParameterGrid(grid)`` without repeats (values, or overlapping dicts).

    Across dicts, a value is held by another dict that has an equal one
    (0 and 0.0; never True and 1), as ``value in Categorical`` says.
    """

    def held(a, b):
        return a == b and isinstance(a, bool) == isinstance(b, bool)

    kept = []
    for candidate in ParameterGrid(_distinct_values(grid)):
        if not any(
            candidate.keys() == k.keys()
            and all(held(v, k[key]) for key, v in candidate.items())
            for k in kept
        ):
            kept.append(candidate)
    return kept


@pytest.mark.parametrize("grid", GRIDS)
def test_enumerate_equals_parameter_grid(grid):
    # Each candidate once: a repeated value in a list is one candidate.
    space = SearchSpace(grid, parameter="param_grid")
    expected = _distinct_candidates(grid)
    assert space.is_finite
    assert space.size == len(expected)
    assert space.enumerate() == expected


def test_enumerate_dimensions_and_infinite_spaces():
    space = SearchSpace(
        {"n": Integer(1, 3), "lr": Real(0, 1, step=0.5), "k": choice("a")}
    )
    assert space.size == 9
    assert space.enumerate()[:2] == [
        {"k": "a", "lr": 0.0, "n": 1},
        {"k": "a", "lr": 0.0, "n": 2},
    ]
    infinite = SearchSpace([{"a": [1]}, {"C": loguniform(1e-3, 1.0)}])
    assert not infinite.is_finite and infinite.size is None
    with pytest.raises(
        ValueError, match="parameter 'C' in param_distributions is Real"
    ):
        infinite.enumerate()


def test_sample_reproducible_and_valid():
    space = SearchSpace(
        [
            {"kernel": ["linear"], "C": loguniform(1e-3, 1.0)},
            {"kernel": ["rbf"], "gamma": normal(0, 1)},
        ]
    )
    first = space.sample(200, random_state=0)
    assert first == space.sample(200, random_state=0)
    assert all(space.contains(p) for p in first)
    assert 60 < sum(p["kernel"] == "rbf" for p in first) < 140
    assert all(type(p.get("C", 0.0)) is float for p in first)


class CountingRvs:
    """Samples like a distribution (``rvs`` only, so not encodable); counts calls."""

    def __init__(self):
        self.calls = 0

    def rvs(self, random_state=None):
        self.calls += 1
        return 42


def test_sample_with_rvs_only_objects():
    rvs_only = CountingRvs()
    space = SearchSpace({"a": rvs_only, "b": [1, 2]})
    assert not space.encodable and not space.is_finite
    assert all(p["a"] == 42 for p in space.sample(5, random_state=0))
    assert rvs_only.calls == 5  # once per candidate
    assert space.contains({"a": "anything", "b": 2})
    message = (
        "Parameter 'a' in param_distributions is .*"
        "needs a cdf and ppf to be searched by BayesTuneCV"
    )
    for call in (
        space.check_encodable,
        lambda: space.n_dims,
        lambda: space.to_unit([{"a": 1, "b": 1}]),
    ):
        with pytest.raises(TypeError, match=message):
            call()
    assert SearchSpace({"b": [1, 2]}).check_encodable() is None


# --------------------------------------------------------------------------
# SearchSpace: flat encoding
# --------------------------------------------------------------------------


def two_subspaces():
    return SearchSpace(
        [
            {"kernel": ["linear"], "C": loguniform(1e-2, 1e2)},
            {
                "kernel": ["rbf", "poly"],
                "C": loguniform(1e-2, 1e2),
                "gamma": normal(0, 1),
                "degree": Integer(2, 5),
                "tol": Real(1e-4, 1e-2, "log-uniform", step=1e-4),
            },
        ]
    )


def test_flat_encoding_layout():
    space = two_subspaces()
    assert INACTIVE == -0.5
    assert space.n_subspaces == 2
    assert space.columns == [
        ((0, 1), None),
        ((0, 1), "C"),  # equal dimension in both subspaces: one shared column
        ((0,), "kernel"),
        ((1,), "degree"),
        ((1,), "gamma"),
        ((1,), "kernel"),
        ((1,), "tol"),
    ]
    assert space.n_dims == 7
    np.testing.assert_array_equal(space.categorical, [1, 0, 1, 0, 0, 1, 0])
    np.testing.assert_array_equal(space.continuous, [0, 1, 0, 0, 1, 0, 0])
    np.testing.assert_allclose(space.unit_choices(0), [0.25, 0.75])
    assert space.unit_choices(1) is None
    assert len(space.unit_choices(6)) == 100


def test_flat_encoding_to_unit_and_back():
    space = two_subspaces()
    params = [
        {"kernel": "linear", "C": 1.0},
        {"kernel": "poly", "C": 1e-2, "gamma": 0.0, "degree": 5, "tol": 0.0003},
    ]
    X = space.to_unit(params)
    # tol = 3e-4 owns [2.5e-4, 3.5e-4] of the log range padded to [0.5e-4, 100.5e-4].
    tol_centre = (np.log(5) + np.log(7)) / 2 / np.log(201)
    expected = [
        [0.25, 0.5, 0.5, INACTIVE, INACTIVE, INACTIVE, INACTIVE],
        [0.75, 0.0, INACTIVE, 0.875, 0.5, 0.75, tol_centre],
    ]
    np.testing.assert_allclose(X, expected, atol=1e-12)
    back = space.from_unit(X)
    assert back[0] == {"C": pytest.approx(1.0), "kernel": "linear"}
    assert back[1] == {
        "C": pytest.approx(1e-2),
        "degree": 5,
        "gamma": 0.0,
        "kernel": "poly",
        "tol": 0.0003,
    }
    np.testing.assert_array_equal(space.active(X), X != INACTIVE)


@pytest.mark.parametrize("method", ["random", "sobol"])
def test_sample_unit_rows_are_valid(method):
    space = two_subspaces()
    X = space.sample_unit(64, np.random.default_rng(0), method=method)
    assert X.shape == (64, space.n_dims)
    np.testing.assert_array_equal(space.snap(X), X)
    active = space.active(X)
    assert np.all((X[active] >= 0) & (X[active] <= 1))
    assert np.all(X[~active] == INACTIVE)
    assert set(X[:, 0]) == {0.25, 0.75}
    assert all(space.contains(p) for p in space.from_unit(X))
    np.testing.assert_allclose(space.to_unit(space.from_unit(X)), X, atol=1e-12)
    again = space.sample_unit(64, np.random.default_rng(0), method=method)
    np.testing.assert_array_equal(again, X)


def test_sample_unit_other_forms():
    space = SearchSpace({"a": [1, 2]})
    assert space.sample_unit(5, 0, method="sobol").shape == (5, 1)
    assert SearchSpace({}).sample_unit(3, 0).shape == (3, 0)
    with pytest.raises(
        ValueError, match="method must be 'random' or 'sobol'; got 'lhs'"
    ):
        space.sample_unit(5, 0, method="lhs")


def test_snap_is_idempotent_and_matches_round_trip():
    space = two_subspaces()
    X = np.random.default_rng(0).uniform(-0.6, 1.6, size=(500, space.n_dims))
    snapped = space.snap(X)
    np.testing.assert_array_equal(space.snap(snapped), snapped)
    np.testing.assert_allclose(space.to_unit(space.from_unit(X)), snapped, atol=1e-12)
    np.testing.assert_array_equal(space.from_unit(snapped), space.from_unit(X))
    with pytest.raises(
        ValueError, match="X_unit must have shape \\(n, 7\\); got \\(2, 3\\)"
    ):
        space.snap(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must not contain NaN"):
        space.snap(np.full((1, 7), np.nan))


def test_single_subspace_has_no_subspace_column():
    space = SearchSpace({"C": Real(0, 1), "k": ["a", "b"]})
    assert space.columns == [((0,), "C"), ((0,), "k")]
    X = space.to_unit([{"C": 0.25, "k": "b"}])
    np.testing.assert_allclose(X, [[0.25, 0.75]])
    assert space.from_unit(X) == [{"C": 0.25, "k": "b"}]


def test_overlapping_subspaces_take_the_first():
    space = SearchSpace([{"a": [1, 2]}, {"a": [2, 3]}])
    assert space.check_params({"a": 2}) == 0
    assert space.check_params({"a": 3}) == 1
    assert space.columns == [((0, 1), None), ((0,), "a"), ((1,), "a")]


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"kernel": "linear"},
            "Parameter 'C' is missing: param_distributions\\[0\\] has keys",
        ),
        (
            {"kernel": "linear", "C": 1.0, "x": 1},
            "Unknown parameter 'x': it is not a key",
        ),
        ({"kernel": "sigmoid", "C": 1.0}, "Parameter 'kernel' = 'sigmoid' is outside"),
        (
            {"kernel": "linear", "C": 1e5},
            "Parameter 'C' = 100000.0 is outside .*Real\\(0.01",
        ),
    ],
)
def test_check_params_names_the_key(params, message):
    space = two_subspaces()
    assert not space.contains(params)
    with pytest.raises(ValueError, match=message):
        space.check_params(params)
    with pytest.raises(ValueError, match=message):
        space.to_unit([params])


def test_check_params_single_space_and_type():
    space = SearchSpace({"C": Real(0, 1)}, parameter="param_grid")
    with pytest.raises(
        ValueError, match="not a key of param_grid, whose keys are \\['C'\\]"
    ):
        space.check_params({"D": 1})
    with pytest.raises(TypeError, match="params must be a dict; got"):
        space.check_params([("C", 0.5)])
    assert not space.contains([("C", 0.5)])


def test_search_space_pickles():
    space = two_subspaces()
    clone = pickle.loads(pickle.dumps(space))
    X = space.sample_unit(10, 0)
    assert clone.from_unit(X) == space.from_unit(X)
    assert clone.columns == space.columns


def test_unit_choices_none_for_huge_ranges():
    space = SearchSpace(
        {"n": Integer(0, 5000), "m": Integer(0, 10), "c": list(range(2000))}
    )
    assert space.unit_choices(space.columns.index(((0,), "n"))) is None
    assert len(space.unit_choices(space.columns.index(((0,), "m")))) == 11
    assert len(space.unit_choices(space.columns.index(((0,), "c")))) == 2000
    np.testing.assert_array_equal(space.continuous, [False, False, True])
    # Both Integers are lattices (the surrogate warps them), however large.
    np.testing.assert_array_equal(space.lattice, [False, True, True])


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------


@st.composite
def finite_grids(draw):
    def one_grid():
        keys = draw(st.lists(st.sampled_from("abcd"), unique=True, max_size=3))
        grid = {}
        for key in keys:
            form = draw(st.sampled_from(["list", "integer", "step"]))
            if form == "list":
                grid[key] = draw(st.lists(st.integers(-5, 5), min_size=1, max_size=3))
            elif form == "integer":
                low = draw(st.integers(-5, 5))
                grid[key] = Integer(low, low + draw(st.integers(0, 3)))
            else:
                grid[key] = Real(0.0, 1.0, step=draw(st.sampled_from([0.25, 0.5, 1.0])))
        return grid

    n = draw(st.integers(1, 3))
    return [one_grid() for _ in range(n)] if n > 1 else one_grid()


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=finite_grids())
def test_property_enumeration_complete(grid):
    space = SearchSpace(grid)
    candidates = space.enumerate()
    assert space.is_finite and len(candidates) == space.size
    assert all(space.contains(p) for p in candidates)
    as_lists = [grid] if isinstance(grid, dict) else grid
    as_lists = [
        {k: v.values() if isinstance(v, Dimension) else v for k, v in g.items()}
        for g in as_lists
    ]
    assert candidates == _distinct_candidates(as_lists)
    X = space.to_unit(candidates)
    np.testing.assert_array_equal(space.snap(X), X)
    assert space.from_unit(X) == candidates
    # Without duplicated list entries or overlapping subspaces, candidates are distinct.
    distinct = {tuple(sorted(p.items())) for p in candidates}
    if len(distinct) == len(candidates):
        assert len(np.unique(X, axis=0)) == len(candidates)


def test_a_grid_lists_every_value_the_search_only_those_it_can_reach():
    # GridSearchCV parity: a dimension's values do not depend on its prior;
    # the Bayesian search counts only the values a proposal can decode to.
    dim = Integer(1, 30, prior=stats.poisson(3))
    assert dim.values() == list(range(1, 31))
    space = SearchSpace({"n": dim})
    assert space.size < 30 and space.enumerate() == [
        {"n": v} for v in range(1, space.size + 1)
    ]
    assert Categorical([3, 3, 5]).values() == [3, 3, 5]
    assert SearchSpace({"n": Categorical([3, 3, 5])}).enumerate() == [
        {"n": 3},
        {"n": 5},
    ]


def test_a_lattice_value_of_zero_is_listed_as_zero_not_minus_zero():
    # Its code, rounded up from just below zero, was -0.0: cv_results_
    # showed params {"x": -0.0}.
    candidates = SearchSpace({"x": Real(0, 1, step=0.1)}).enumerate()
    assert math.copysign(1.0, candidates[0]["x"]) == 1.0

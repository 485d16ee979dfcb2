"""Tests of the output transform: Yeo-Johnson psi and its MLE, transform_outputs."""

import math

import numpy as np
import pytest
from scipy import stats

from sklearn_bayestune import _output_transform
from sklearn_bayestune._output_transform import (
    LAMBDA_BOUNDS,
    transform_outputs,
    yeo_johnson,
    yeo_johnson_llf,
    yeo_johnson_mle,
)

pytestmark = pytest.mark.usefixtures("warnings_are_errors")


def _standardised(y):
    return (y - y.mean()) / y.std()


# Skewed samples whose likelihood peaks inside LAMBDA_BOUNDS (scipy's lambda
# from -0.5 to 2.1), both tails, ties and outliers included.
def _samples():
    rng = np.random.default_rng(7)
    return {
        "lognormal": rng.lognormal(sigma=0.5, size=50),
        "lognormal_large_n": rng.lognormal(size=1000),
        "negated_lognormal": -rng.lognormal(size=100),
        "uniform": rng.random(30),
        "normal_with_outliers": np.r_[rng.normal(size=60), 4.0, 5.0, -4.5],
        "rounded_accuracies": np.round(1.0 - rng.lognormal(-3.0, 0.5, size=40), 2),
    }


_SAMPLES = _samples()


# ---------------------------------------------------------------------------
# psi(z, lambda)
# ---------------------------------------------------------------------------

_LAMBDAS = [-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]


@pytest.mark.parametrize("lmbda", _LAMBDAS)
def test_yeo_johnson_matches_scipy(lmbda):
    # |z| >= 1e-4: scipy < 1.12 evaluates (1 + z)^lambda - 1 directly, which
    # loses digits below (tested against the series instead).
    decades = np.logspace(-4.0, 6.0, 41)
    z = np.r_[-decades[::-1], 0.0, decades]
    psi = yeo_johnson(z, lmbda)
    np.testing.assert_allclose(psi, stats.yeojohnson(z, lmbda), rtol=1e-10, atol=0)
    assert np.all(np.diff(psi) > 0.0)
    assert psi[z.size // 2] == 0.0


@pytest.mark.parametrize("lmbda", _LAMBDAS)
def test_yeo_johnson_is_accurate_for_small_z(lmbda):
    # psi(z) = z + (lambda - 1) z^2 / 2 + O(z^3) on both sides of 0.
    decades = np.logspace(-12.0, -6.0, 13)
    z = np.r_[-decades, decades]
    expected = z + 0.5 * (lmbda - 1.0) * z**2
    np.testing.assert_allclose(yeo_johnson(z, lmbda), expected, rtol=1e-10, atol=0)


@pytest.mark.parametrize("offset", [-1e-9, -1e-17, 0.0, 1e-17, 1e-9])
@pytest.mark.parametrize("singular", [0.0, 2.0])
def test_yeo_johnson_near_the_log_branches(singular, offset):
    # At lambda = 0 (z >= 0) and lambda = 2 (z < 0) psi is +-log1p(|z|); near
    # them, expm1(c a) / c = a (1 + c a / 2 + (c a)^2 / 6 + ...).
    lmbda = singular + offset
    z = np.r_[-np.logspace(-6.0, 6.0, 13), np.logspace(-6.0, 6.0, 13)]
    side = z >= 0.0 if singular == 0.0 else z < 0.0
    a = np.log1p(np.abs(z[side]))
    c = lmbda if singular == 0.0 else 2.0 - lmbda
    expected = np.sign(z[side]) * a * (1.0 + c * a / 2.0 + (c * a) ** 2 / 6.0)
    psi = yeo_johnson(z, lmbda)
    np.testing.assert_allclose(psi[side], expected, rtol=1e-12, atol=0)
    # The other side is an ordinary power (|z| >= 1e-6: old scipy is exact
    # to ~1e-10 there).
    other = stats.yeojohnson(z[~side], lmbda)
    np.testing.assert_allclose(psi[~side], other, rtol=1e-9, atol=0)


def test_yeo_johnson_reflects():
    # psi(-z, 2 - lambda) = -psi(z, lambda): lambda and 2 - lambda treat the
    # two tails alike, which is why LAMBDA_BOUNDS is centred on 1.
    z = np.r_[-np.logspace(-3.0, 2.0, 11), np.logspace(-3.0, 2.0, 11)]
    for lmbda in [-3.0, -0.7, 0.0, 0.3, 1.0, 1.6, 2.0, 5.0]:
        np.testing.assert_allclose(
            yeo_johnson(-z, 2.0 - lmbda), -yeo_johnson(z, lmbda), rtol=1e-12
        )
    assert LAMBDA_BOUNDS[0] + LAMBDA_BOUNDS[1] == 2.0


# ---------------------------------------------------------------------------
# The likelihood and its maximiser
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_llf_matches_scipy(name):
    z = _standardised(_SAMPLES[name])
    lmbdas = np.r_[np.linspace(-3.0, 5.0, 17), 1e-17, 2.0 - 1e-16, 0.123]
    expected = [stats.yeojohnson_llf(lmbda, z) for lmbda in lmbdas]
    # llf(1) = 0 for standardised z: the tolerance is absolute there.
    np.testing.assert_allclose(
        yeo_johnson_llf(lmbdas, z), expected, rtol=1e-10, atol=1e-10 * z.size
    )


@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_mle_matches_scipy(name):
    z = _standardised(_SAMPLES[name])
    ours = yeo_johnson_mle(z)
    reference = stats.yeojohnson_normmax(z)
    assert LAMBDA_BOUNDS[0] < reference < LAMBDA_BOUNDS[1]  # the premise
    llf_ours = stats.yeojohnson_llf(ours, z)
    llf_reference = stats.yeojohnson_llf(reference, z)
    assert abs(ours - reference) < 1e-3 or llf_ours >= llf_reference
    # The best of a fine grid over the whole range is no better.
    grid = np.linspace(*LAMBDA_BOUNDS, 801)
    assert llf_ours >= yeo_johnson_llf(grid, z).max() - 1e-9 * z.size


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_mle_just_inside_a_bound(sign):
    # scipy: lambda = -2.9926 for this sample, 4.9926 for its mirror image.
    y = np.random.default_rng(48).lognormal(sigma=2.0, size=30)
    z = sign * _standardised(y)
    reference = stats.yeojohnson_normmax(z)
    assert 0.0 < min(reference - LAMBDA_BOUNDS[0], LAMBDA_BOUNDS[1] - reference)
    assert yeo_johnson_mle(z) == pytest.approx(reference, abs=1e-3)


def test_mle_is_bounded_for_heavy_tails():
    # Heavy upper tail: the likelihood asks for lambda << -3 (scipy: ~ -9),
    # which would squeeze every good score into a sliver.
    y = np.random.default_rng(3).lognormal(sigma=3.0, size=200)
    z = _standardised(y)
    assert stats.yeojohnson_normmax(z) < LAMBDA_BOUNDS[0]
    assert yeo_johnson_mle(z) == LAMBDA_BOUNDS[0]
    y_t, info = transform_outputs(y)
    assert info.method == "yeo-johnson" and info.lmbda == LAMBDA_BOUNDS[0]
    assert np.all(np.isfinite(y_t))
    np.testing.assert_array_equal(np.argsort(y_t), np.argsort(y))
    # A long lower tail (no winsorisation when called directly) hits the other
    # bound by the reflection psi(-z, 2 - lambda) = -psi(z, lambda).
    assert yeo_johnson_mle(-z) == LAMBDA_BOUNDS[1]


@pytest.mark.parametrize("z", [np.zeros(5), np.full(3, 0.7)])
def test_mle_of_a_constant_is_nan(z):
    assert math.isnan(yeo_johnson_mle(z))


def test_quartiles_match_numpy_percentile():
    rng = np.random.default_rng(5)
    for n in [1, 2, 3, 4, 5, 6, 7, 10, 33, 100, 1001]:
        y = np.sort(rng.lognormal(size=n) * 10.0 ** rng.integers(-5, 5))
        assert _output_transform._quartiles(y) == list(np.percentile(y, [25, 75]))


# ---------------------------------------------------------------------------
# transform_outputs
# ---------------------------------------------------------------------------


def test_transform_standardises_drops_non_finite_and_keeps_order():
    rng = np.random.default_rng(0)
    y = rng.lognormal(size=30)
    y[[3, 7]] = [np.nan, -np.inf]
    y_t, info = transform_outputs(y)
    assert info.method == "yeo-johnson"
    np.testing.assert_array_equal(info.kept, np.isfinite(y))
    assert y_t.mean() == pytest.approx(0.0, abs=1e-12)
    assert y_t.std() == pytest.approx(1.0)
    finite = y[info.kept]
    np.testing.assert_array_equal(np.argsort(y_t), np.argsort(finite))
    assert np.argmax(y_t) == np.argmax(finite)
    np.testing.assert_allclose(info.apply(finite), y_t, atol=1e-12)


def test_transform_winsorises_the_bad_tail():
    y = np.r_[np.linspace(0.8, 0.9, 20), -1e3]  # one diverged configuration
    y_t, info = transform_outputs(y)
    q1, q3 = np.percentile(y, [25, 75])
    assert info.lower == pytest.approx(q1 - 1.5 * (q3 - q1))
    assert info.n_winsorised == 1
    # The outlier no longer squeezes the good scores together.
    assert np.diff(np.sort(y_t))[1:].min() > 0.05


# 1e-200 and 1e200: the squared deviations leave the float range.
@pytest.mark.parametrize("scale", [1e-200, 1e-12, 1.0, 1e12, 1e200])
@pytest.mark.filterwarnings("error")
def test_transform_is_invariant_to_units(scale):
    y = np.random.default_rng(1).normal(size=25) ** 3
    y_ref, _ = transform_outputs(y)
    y_t, info = transform_outputs(scale * y)
    assert info.method == "yeo-johnson"
    np.testing.assert_allclose(y_t, y_ref, atol=1e-8)


@pytest.mark.parametrize(
    "y", [[3.0] * 5, [1e12] * 3, [-1e-12] * 4, [2.0], [5.0, np.nan, 5.0]]
)
def test_transform_constant_maps_to_zero(y):
    y_t, info = transform_outputs(y)
    assert info.method == "constant"
    np.testing.assert_array_equal(y_t, 0.0)


def test_transform_empty():
    y_t, info = transform_outputs([np.nan, np.inf])
    assert y_t.shape == (0,) and info.method == "empty"


# Lambdas the MLE cannot return, standing in for a failed Yeo-Johnson: NaN (no
# finite likelihood), 1e4 (psi overflows) and -300 (psi merges the upper half).
@pytest.mark.parametrize("lmbda", [np.nan, 1e4, -300.0])
def test_transform_falls_back_to_normal_scores(monkeypatch, lmbda):
    monkeypatch.setattr(_output_transform, "yeo_johnson_mle", lambda z: lmbda)
    y = np.array([0.1, 0.5, 0.5, 0.9, 0.3, 2.0])
    y_t, info = transform_outputs(y)
    assert info.method == "rank"
    assert y_t.mean() == pytest.approx(0.0, abs=1e-12)
    assert y_t[1] == y_t[2]  # ties stay tied
    np.testing.assert_array_equal(
        np.argsort(y_t, kind="stable"), np.argsort(y, kind="stable")
    )
    np.testing.assert_allclose(info.apply(y), y_t)
    expected = stats.norm.ppf(stats.rankdata(y) / 7.0)
    np.testing.assert_allclose(y_t, (expected - expected.mean()) / expected.std())


@pytest.mark.parametrize("name", sorted(_SAMPLES))
def test_transform_uses_the_mle_and_apply_agrees(name):
    y = _SAMPLES[name]
    y_t, info = transform_outputs(y)
    assert info.method == "yeo-johnson"
    z = _standardised(np.maximum(y, info.lower))
    assert info.lmbda == pytest.approx(yeo_johnson_mle(z), abs=1e-5)
    psi = stats.yeojohnson(z, info.lmbda)
    np.testing.assert_allclose(y_t, _standardised(psi), rtol=1e-9, atol=1e-12)
    # apply reproduces the training values and is increasing on new scores,
    # constant below the winsorisation fence.
    np.testing.assert_allclose(info.apply(y), y_t, rtol=1e-12, atol=1e-12)
    new = np.linspace(y.min() - 1.0, y.max() + 1.0, 201)
    mapped = info.apply(new)
    assert np.all(np.isfinite(mapped))
    below = new <= info.lower
    assert np.all(np.diff(mapped[~below]) > 0.0)
    np.testing.assert_array_equal(mapped[below], info.apply([info.lower])[0])


def test_transform_keeps_ties_and_the_argmax():
    y = np.r_[np.repeat([0.7, 0.8, 0.81, 0.9], 5), 0.95]
    y_t, info = transform_outputs(y)
    assert info.method == "yeo-johnson"
    assert np.unique(y_t).size == np.unique(y).size
    assert np.argmax(y_t) == y.size - 1

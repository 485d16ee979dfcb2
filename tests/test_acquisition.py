"""Tests of the acquisition numerics and of their join to a GP."""

import math

import numpy as np
import pytest
from scipy import stats

from sklearn_bayestune._acquisition import (
    AUGMENT_MIN_NOISE_SHARE,
    AcquisitionFunction,
    dlog_h_dz,
    log_expected_improvement,
    log_h,
    log_probability_of_improvement,
    log_replication_factor,
    upper_confidence_bound,
)
from sklearn_bayestune._gp import GaussianProcess, fit_gp
from sklearn_bayestune._output_transform import transform_outputs

pytestmark = pytest.mark.usefixtures("one_blas_thread", "warnings_are_errors")


def _naive_ei(mean, std, best):
    z = (mean - best) / std
    return std * (stats.norm.pdf(z) + z * stats.norm.cdf(z))


# ---------------------------------------------------------------------------
# Pure numerics
# ---------------------------------------------------------------------------


def test_expected_improvement_closed_form():
    # Jones et al. 1998; BoTorch test_analytic.py: EI = 0.19780 at mean -0.5,
    # variance 1, best_f 0.
    value = log_expected_improvement(np.array([-0.5]), np.array([1.0]), 0.0)
    assert math.exp(value[0]) == pytest.approx(0.19780, abs=1e-5)


def test_log_ei_equals_naive_log_ei_where_representable():
    rng = np.random.default_rng(0)
    z = np.r_[np.linspace(-5.0, 5.0, 201), -1.0, -1.0 - 1e-12, -1.0 + 1e-12]
    np.testing.assert_allclose(
        log_h(z), np.log(stats.norm.pdf(z) + z * stats.norm.cdf(z)), rtol=1e-10
    )
    mean, std = rng.normal(size=50), rng.uniform(0.01, 3.0, size=50)
    np.testing.assert_allclose(
        log_expected_improvement(mean, std, 0.3),
        np.log(_naive_ei(mean, std, 0.3)),
        rtol=1e-9,
        atol=1e-12,
    )


def test_log_h_stress_over_decades():
    # BoTorch's stress test: z = +-10^k; finite, increasing, positive slope.
    k = np.r_[np.arange(0, 5), np.arange(5, 101, 5)].astype(float)
    z = np.sort(np.r_[-(10.0**k), 0.0, 10.0**k])
    values, slopes = log_h(z), dlog_h_dz(z)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))
    assert np.all(np.diff(values) > 0)
    assert np.all(slopes > 0)
    # Asymptotics: log h ~ -z^2/2 - log(sqrt(2 pi)) - 2 log|z| as z -> -inf,
    # and log h ~ log z as z -> +inf.
    assert log_h(np.array([-1e4]))[0] == pytest.approx(
        -5e7 - 0.5 * math.log(2 * math.pi) - 2 * math.log(1e4), rel=1e-15
    )
    assert log_h(np.array([1e4]))[0] == pytest.approx(math.log(1e4))


@pytest.mark.parametrize(
    "z",
    [
        -1e4,
        -2000.0,
        -1000.5,
        -999.5,
        -300.0,
        -30.0,
        -3.0,
        -1.001,
        -0.999,
        0.0,
        3.0,
        30.0,
    ],
)
def test_dlog_h_dz_matches_finite_differences(z):
    h = 1e-6 * max(1.0, abs(z))
    fd = (log_h(np.array([z + h])) - log_h(np.array([z - h])))[0] / (2 * h)
    assert dlog_h_dz(np.array([z]))[0] == pytest.approx(fd, rel=1e-7)


def test_log_pi_and_ucb_closed_forms():
    mean, std = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.0, 2.0])
    np.testing.assert_allclose(
        log_probability_of_improvement(mean, std, 0.5),
        stats.norm.logcdf((mean - 0.5) / std),
    )
    np.testing.assert_allclose(upper_confidence_bound(mean, std, 4.0), mean + 2.0 * std)
    assert np.isfinite(
        log_probability_of_improvement(np.array([-1e4]), np.array([1.0]), 0.0)
    )


# ---------------------------------------------------------------------------
# AcquisitionFunction on a mock posterior
# ---------------------------------------------------------------------------


class MockGP:
    """Fixed posterior moments, as BoTorch's MockPosterior; enough for the join."""

    def __init__(self, mean, std):
        self.mean, self.std = np.asarray(mean, float), np.asarray(std, float)
        self.y = np.array([0.0])
        self.new_observation_noise_var = 0.0
        self.signal_var = 1.0

    def predict(self, X):
        return self.mean[: len(X)], self.std[: len(X)]


def test_acquisition_on_mock_posterior():
    acq = AcquisitionFunction(MockGP([-0.5], [1.0]), best=0.0)
    assert math.exp(acq.value(np.zeros((1, 2)))[0]) == pytest.approx(0.19780, abs=1e-5)
    ucb = AcquisitionFunction(MockGP([-0.5], [1.0]), kind="ucb", beta=4.0)
    assert ucb.value(np.zeros((1, 2)))[0] == pytest.approx(1.5)
    assert ucb.best is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "ei"}, "kind must be one of"),
        ({"kind": "ucb"}, "beta must be a float >= 0 when kind='ucb'"),
        ({"kind": "ucb", "beta": -1.0}, "beta must be a float >= 0"),
    ],
)
def test_invalid_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        AcquisitionFunction(MockGP([0.0], [1.0]), **kwargs)


@pytest.mark.parametrize("noise_std", [1e-3, 0.1, 3.0])
def test_log_replication_factor_matches_naive_form_and_derivative(noise_std):
    std = np.logspace(-6, 2, 33)
    value, dvalue = log_replication_factor(std, noise_std)
    naive = np.log1p(-noise_std / np.sqrt(std**2 + noise_std**2))
    representable = std > 1e-3 * noise_std  # 1 - a/q keeps >= 9 digits there
    np.testing.assert_allclose(value[representable], naive[representable], rtol=1e-6)
    assert np.all(np.isfinite(value)) and np.all(value < 0.0)
    assert np.all(np.diff(value) > 0.0)  # more spread than noise: closer to 1
    # d/dstd log(1 - a/q) = (a std / q^3) / (1 - a/q), q = sqrt(std^2 + a^2).
    q = np.sqrt(std**2 + noise_std**2)
    naive_d = noise_std * std / q**3 / (1.0 - noise_std / q)
    np.testing.assert_allclose(dvalue[representable], naive_d[representable], rtol=1e-6)
    near = std <= 10 * noise_std  # finite differences keep digits there
    h = 1e-7 * std[near]
    fd = (
        log_replication_factor(std[near] + h, noise_std)[0]
        - log_replication_factor(std[near] - h, noise_std)[0]
    ) / (2 * h)
    np.testing.assert_allclose(dvalue[near], fd, rtol=1e-5)


def test_log_replication_factor_vanishes_without_noise():
    value, dvalue = log_replication_factor(np.array([1e-3, 1.0]), 0.0)
    np.testing.assert_array_equal(value, 0.0)
    np.testing.assert_allclose(dvalue, 0.0, atol=1e-12)


# ---------------------------------------------------------------------------
# AcquisitionFunction on a fitted GP
# ---------------------------------------------------------------------------

CATEGORICAL = np.array([False, True, False])


def _fitted_gp(seed=0, n=20):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    X[:, 1] = rng.integers(3, size=n) / 2.0
    y, _ = transform_outputs(np.sin(5 * X[:, 0]) * (1 + X[:, 1]) - X[:, 2] ** 2)
    return fit_gp(X, y, categorical=CATEGORICAL, rng=rng)


def _feasibility_gp(gp):
    ok = gp.X_train[:, 0] < 0.7
    return fit_gp(
        gp.X_train,
        np.where(ok, 1.0, -1.0),
        categorical=CATEGORICAL,
        rng=np.random.default_rng(1),
    )


def _assert_grad_matches_finite_differences(acq, x, columns, h=1e-6):
    value, grad = acq.value_and_grad(x)
    assert value == pytest.approx(acq.value(x[None])[0], rel=1e-12)
    for j in columns:
        step = np.zeros(x.size)
        step[j] = h
        fd = (acq.value(x + step)[0] - acq.value(x - step)[0]) / (2 * h)
        assert grad[j] == pytest.approx(fd, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("kind", ["log_ei", "ucb", "log_pi"])
@pytest.mark.parametrize("with_feasibility", [False, True])
def test_value_and_grad_matches_finite_differences(kind, with_feasibility):
    gp = _fitted_gp()
    feasibility = _feasibility_gp(gp) if with_feasibility else None
    acq = AcquisitionFunction(gp, kind=kind, beta=2.0, feasibility=feasibility)
    X = np.random.default_rng(2).random((5, 3))
    X[:, 1] = 0.5
    X[4] = gp.X_train[3]  # at an observation
    for x in X:
        _assert_grad_matches_finite_differences(acq, x, columns=(0, 2))
        assert acq.value_and_grad(x)[1][1] == 0.0  # categorical column


def test_value_and_grad_far_below_the_incumbent():
    # log EI stays finite with a useful gradient where EI itself underflows.
    gp = _fitted_gp()
    acq = AcquisitionFunction(gp, best=float(gp.y.max()) + 100.0)
    x = np.array([0.3, 0.5, 0.4])
    value, grad = acq.value_and_grad(x)
    assert np.isfinite(value) and value < math.log(1e-300)
    assert np.all(np.isfinite(grad)) and np.any(grad != 0)


@pytest.mark.parametrize("kind", ["log_ei", "ucb", "log_pi"])
def test_batched_calls_equal_a_loop(kind):
    gp = _fitted_gp()
    acq = AcquisitionFunction(gp, kind=kind, beta=2.0, feasibility=_feasibility_gp(gp))
    X = np.random.default_rng(3).random((9, 3))
    values = acq.value(X)
    batch_values, batch_grads = acq.value_and_grad(X)
    for i, x in enumerate(X):
        value, grad = acq.value_and_grad(x)
        assert acq.value(x[None])[0] == pytest.approx(values[i], abs=1e-12)
        assert value == pytest.approx(batch_values[i], abs=1e-12)
        np.testing.assert_allclose(grad, batch_grads[i], atol=1e-12)


def test_default_incumbent_depends_on_noise():
    rng = np.random.default_rng(4)
    X = rng.random((15, 2))
    y, _ = transform_outputs(np.sin(4 * X[:, 0]) + 0.3 * rng.standard_normal(15))
    log_l = np.log([0.3, 0.3])
    quiet = GaussianProcess(X, y, np.r_[log_l, 0.0, math.log(1e-6), 0.0])
    assert AcquisitionFunction(quiet).best == pytest.approx(y.max())
    noisy = GaussianProcess(X, y, np.r_[log_l, 0.0, math.log(0.5), 0.0])
    best = AcquisitionFunction(noisy).best
    assert best == pytest.approx(noisy.predict(X)[0].max())
    assert best < y.max()
    # Known per-point noise counts too.
    known = GaussianProcess(
        X, y, np.r_[log_l, 0.0, math.log(1e-6), 0.0], noise_var=np.full(15, 0.5)
    )
    assert AcquisitionFunction(known).best == pytest.approx(known.predict(X)[0].max())
    assert AcquisitionFunction(quiet, best=-3.0).best == -3.0


def _noisy_gp():
    rng = np.random.default_rng(6)
    X = rng.random((25, 2))
    y, _ = transform_outputs(np.sin(4 * X[:, 0]) + 0.2 * rng.standard_normal(25))
    return GaussianProcess(X, y, np.r_[np.log([0.3, 0.3]), 0.0, math.log(0.05), 0.0])


def test_augmented_log_ei_penalises_replicating_an_observation():
    gp = _noisy_gp()
    augmented, plain = AcquisitionFunction(gp), AcquisitionFunction(gp, augmented=False)
    assert plain.noise_std is None
    assert augmented.noise_std == pytest.approx(math.sqrt(0.05 + 1e-6))
    x_obs = gp.X_train[np.argmax(gp.predict(gp.X_train)[0])][None]
    x_far = np.array([[2.0, 2.0]])
    for x in (x_obs, x_far):
        std = gp.predict(x)[1]
        expected = plain.value(x) + np.log1p(
            -augmented.noise_std / np.hypot(std, augmented.noise_std)
        )
        np.testing.assert_allclose(augmented.value(x), expected, rtol=1e-10)
    # At an observation the latent std is below the noise: the factor bites
    # far harder than where the posterior is wide.
    penalty_obs = augmented.value(x_obs)[0] - plain.value(x_obs)[0]
    penalty_far = augmented.value(x_far)[0] - plain.value(x_far)[0]
    assert penalty_obs < penalty_far - 0.5
    assert penalty_far > -0.3
    for x in (x_obs[0] + 0.01, np.array([0.37, 0.81])):
        _assert_grad_matches_finite_differences(augmented, x, columns=(0, 1))


def test_augmentation_needs_noise_the_data_measured():
    # A deterministic function the GP interpolates: the learned noise is the
    # prior's, and log-EI is left plain so that the incumbent can be refined.
    gp = _fitted_gp()
    assert gp.new_observation_noise_var < AUGMENT_MIN_NOISE_SHARE * gp.signal_var
    X = np.vstack([gp.X_train[:3] + 1e-4, np.random.default_rng(9).random((5, 3))])
    acq = AcquisitionFunction(gp)
    assert acq.noise_std is None
    np.testing.assert_array_equal(
        acq.value(X), AcquisitionFunction(gp, augmented=False).value(X)
    )
    # The threshold is on the share of the signal variance the noise takes.
    for share, augmented in ((0.5, False), (2.0, True)):
        theta = gp.theta.copy()
        theta[4] = math.log(share * AUGMENT_MIN_NOISE_SHARE * gp.signal_var)
        noisier = GaussianProcess(gp.X_train, gp.y, theta, categorical=CATEGORICAL)
        assert (AcquisitionFunction(noisier).noise_std is not None) == augmented


def test_augmentation_applies_to_log_ei_only():
    gp = _noisy_gp()
    X = np.random.default_rng(7).random((5, 2))
    for kind in ("ucb", "log_pi"):
        acq = AcquisitionFunction(gp, kind=kind, beta=2.0)
        assert acq.noise_std is None
        np.testing.assert_array_equal(
            acq.value(X),
            AcquisitionFunction(gp, kind=kind, beta=2.0, augmented=False).value(X),
        )


def test_pending_points_suppress_log_ei():
    gp = _fitted_gp()
    acq = AcquisitionFunction(gp)
    X = np.random.default_rng(5).random((200, 3))
    X[:, 1] = 0.0
    x_best = X[np.argmax(acq.value(X))]
    believer = AcquisitionFunction(gp.condition_on_pending(x_best[None]))
    assert believer.value(x_best[None])[0] < acq.value(x_best[None])[0] - 1.0

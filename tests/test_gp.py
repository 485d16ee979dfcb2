"""Tests of the GP surrogate: MAP objective, posterior, believer."""

import math
import warnings

import numpy as np
import pytest

from sklearn_bayestune import _gp
from sklearn_bayestune._gp import (
    MIN_VAR,
    GaussianProcess,
    fit_gp,
    neg_log_posterior,
    prior_mode,
)
from sklearn_bayestune._kernels import squared_differences
from sklearn_bayestune._output_transform import transform_outputs
from sklearn_bayestune.exceptions import NumericalWarning

pytestmark = pytest.mark.usefixtures("one_blas_thread", "warnings_are_errors")


def _branin_like(X):
    return np.sin(6.0 * X[:, 0]) + X[:, -1] ** 2 - np.cos(3.0 * X[:, X.shape[1] // 2])


def _data(n, d, seed=0, categorical=None):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    if categorical is not None:
        X[:, categorical] = rng.integers(3, size=(n, categorical.sum())) / 2.0
    y, _ = transform_outputs(_branin_like(X))
    return X, y


def _theta(d, *, log_l=0.0, log_signal=0.0, log_noise=-7.0, mean=0.0):
    return np.concatenate([np.full(d, log_l), [log_signal, log_noise, mean]])


# ---------------------------------------------------------------------------
# MAP objective
# ---------------------------------------------------------------------------


def _central_difference(f, theta, j, h=1e-6):
    step = np.zeros_like(theta)
    step[j] = h
    return (f(theta + step) - f(theta - step)) / (2.0 * h)


# Each hyperparameter swept over decades, the others at moderate values.
_SWEEP = [("log_l", v) for v in np.log([0.03, 0.3, 3.0, 30.0, 300.0])]
_SWEEP += [("log_signal", v) for v in np.log([0.1, 1.0, 10.0])]
_SWEEP += [("log_noise", v) for v in np.log([1e-8, 1e-4, 1e-1])]
_SWEEP += [("mean", v) for v in (-2.0, 0.0, 2.0)]


@pytest.mark.parametrize(("name", "value"), _SWEEP)
def test_neg_log_posterior_gradient_matches_finite_differences(name, value):
    categorical = np.array([False, True, False])
    X, y = _data(12, 3, categorical=categorical)
    X[5] = X[2]  # a duplicate row
    noise_var = np.random.default_rng(1).uniform(0.0, 0.05, size=12)
    D2 = squared_differences(X, X, categorical)
    theta = np.r_[np.log([0.4, 1.0, 2.0]), 0.2, math.log(1e-2), 0.1]
    index = {"log_l": [0, 1, 2], "log_signal": [3], "log_noise": [4], "mean": [5]}
    theta[index[name]] = value
    value_, grad = neg_log_posterior(theta, D2, y, noise_var=noise_var)
    assert math.isfinite(value_)

    def f(t):
        return neg_log_posterior(t, D2, y, noise_var=noise_var)[0]

    fd = np.array([_central_difference(f, theta, j) for j in range(theta.size)])
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-5 * max(1.0, abs(value_)))


@pytest.mark.parametrize("log_warp", [-2.0, -0.5, 0.0, 0.7, 2.0])
def test_warped_objective_gradient_matches_finite_differences(log_warp):
    # The fit's objective with the warp of both continuous columns; an
    # inactive entry (-0.5) and rows at 0 and 1 exercise the pass-through
    # and the clipped ends.
    categorical = np.array([False, True, False])
    X, y = _data(12, 3, categorical=categorical)
    X[3, 0], X[4, 2], X[6, 0], X[5] = -0.5, 0.0, 1.0, X[2]
    noise_var = np.random.default_rng(1).uniform(0.0, 0.05, size=12)
    objective = _gp._Objective(X, y, categorical, noise_var, np.array([0, 2]))
    theta = np.r_[np.log([0.4, 1.0, 2.0]), 0.2, math.log(1e-2), 0.1]
    theta = np.r_[theta, log_warp, -0.3, 0.4, log_warp]  # log a (2), log b (2)
    value, grad = objective(theta)
    assert math.isfinite(value)
    fd = [
        _central_difference(lambda t: objective(t)[0], theta, j)
        for j in range(theta.size)
    ]
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-5 * max(1.0, abs(value)))


def test_identity_warp_changes_nothing():
    categorical = np.array([False, True, False])
    X, y = _data(15, 3, categorical=categorical)
    theta = _theta(3, log_l=math.log(0.4), log_noise=-5.0)
    plain = GaussianProcess(X, y, theta, categorical=categorical)
    warped = GaussianProcess(
        X, y, np.r_[theta, np.zeros(4)], categorical=categorical, warped=~categorical
    )
    X_query = np.random.default_rng(2).random((6, 3))
    X_query[:, 1] = 0.5
    for a, b in zip(
        plain.predict_with_grad(X_query), warped.predict_with_grad(X_query)
    ):
        np.testing.assert_allclose(a, b, atol=1e-8)


def test_learned_warp_fits_a_function_that_changes_fast_at_one_end():
    # sin(12 sqrt(x)): three times the frequency near 0 as near 1, which one
    # stationary lengthscale cannot follow. The warp learns to stretch the
    # start of the interval (a < 1) and predicts held-out points better.
    rng = np.random.default_rng(0)
    X, X_test = rng.random((30, 1)), rng.random((300, 1))
    y, y_test = (np.sin(12.0 * np.sqrt(X[:, 0])) for X in (X, X_test))
    plain = fit_gp(X, y, rng=np.random.default_rng(0))
    warped = fit_gp(X, y, warped=[True], rng=np.random.default_rng(0))
    assert warped.theta.shape == (6,) and plain.theta.shape == (4,)
    log_a = warped.theta[4]
    assert log_a < 0.0

    def rmse(gp):
        return np.sqrt(np.mean((gp.predict(X_test)[0] - y_test) ** 2))

    assert rmse(warped) < 0.5 * rmse(plain)


def test_neg_log_posterior_is_inf_when_cholesky_fails():
    X, y = _data(4, 2)
    X[1] = X[0]
    # Pinned noise far below the floor is impossible; a negative known noise
    # variance stands in for a matrix that is not positive definite.
    D2 = squared_differences(X, X, np.zeros(2, dtype=bool))
    value, grad = neg_log_posterior(_theta(2), D2, y, noise_var=np.full(4, -10.0))
    assert value == math.inf
    np.testing.assert_array_equal(grad, 0.0)


# ---------------------------------------------------------------------------
# Posterior
# ---------------------------------------------------------------------------


def test_posterior_interpolates_noiseless_data():
    X, y = _data(15, 2)
    gp = GaussianProcess(X, y, _theta(2, log_l=math.log(0.3), log_noise=-20.0))
    mean, std = gp.predict(X)
    np.testing.assert_allclose(mean, y, atol=1e-4)
    assert np.all(std < 1e-2)


def test_posterior_variance_is_positive_and_reverts_to_prior():
    X, y = _data(20, 3)
    gp = fit_gp(X, y, rng=np.random.default_rng(0))
    X_query = np.random.default_rng(1).uniform(-0.5, 1.5, size=(500, 3))
    mean, std = gp.predict(X_query)
    assert np.all(np.isfinite(mean)) and np.all(std >= math.sqrt(MIN_VAR))
    far_mean, far_std = gp.predict(np.full((1, 3), 1e3))
    assert far_mean[0] == pytest.approx(gp.prior_mean)
    assert far_std[0] == pytest.approx(math.sqrt(gp.signal_var))


def test_predict_batched_equals_loop():
    X, y = _data(25, 4)
    gp = fit_gp(
        X, y, categorical=np.array([0, 0, 1, 0], bool), rng=np.random.default_rng(0)
    )
    X_query = np.random.default_rng(2).random((7, 4))
    mean, std = gp.predict(X_query)
    for i in range(7):
        m_i, s_i = gp.predict(X_query[i : i + 1])
        assert m_i[0] == pytest.approx(mean[i], abs=1e-12)
        assert s_i[0] == pytest.approx(std[i], abs=1e-12)


@pytest.mark.parametrize("warp", [None, [-1.0, 0.8, 0.6, -0.4]])
def test_predict_with_grad_matches_finite_differences(warp):
    categorical = np.array([False, True, False])
    X, y = _data(20, 3, categorical=categorical)
    gp = fit_gp(X, y, categorical=categorical, rng=np.random.default_rng(0))
    if warp is not None:  # a strong warp, through the chain rule
        theta = np.r_[gp.theta, warp]
        gp = GaussianProcess(X, y, theta, categorical=categorical, warped=~categorical)
    X_query = np.random.default_rng(3).random((4, 3))
    X_query[:, 1] = 0.5
    X_query[3] = X[0]  # at a training point
    mean, std, dmean, dstd = gp.predict_with_grad(X_query)
    np.testing.assert_allclose((mean, std), gp.predict(X_query))
    np.testing.assert_array_equal(dmean[:, 1], 0.0)
    np.testing.assert_array_equal(dstd[:, 1], 0.0)
    h = 1e-6
    for j in (0, 2):
        step = np.zeros(3)
        step[j] = h
        m_plus, s_plus = gp.predict(X_query + step)
        m_minus, s_minus = gp.predict(X_query - step)
        np.testing.assert_allclose(
            dmean[:, j], (m_plus - m_minus) / (2 * h), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(
            dstd[:, j], (s_plus - s_minus) / (2 * h), rtol=1e-4, atol=1e-5
        )


# ---------------------------------------------------------------------------
# Robustness: nothing crashes, nothing is NaN, no warning escapes
# ---------------------------------------------------------------------------


def _check_finite(gp, d, rng):
    X_query = np.vstack([gp.X_train, rng.random((50, d))])
    mean, std = gp.predict(X_query)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    assert np.all(std > 0)
    for array in gp.predict_with_grad(X_query[:5]):
        assert np.all(np.isfinite(array))


@pytest.mark.parametrize(
    "case", ["duplicates", "near_duplicates", "constant", "one", "two", "d1", "d20"]
)
def test_fit_is_stable(case):
    rng = np.random.default_rng(0)
    n, d = {"one": (1, 3), "two": (2, 3), "d1": (15, 1), "d20": (40, 20)}.get(
        case, (20, 3)
    )
    X = rng.random((n, d))
    raw = _branin_like(X) + 0.1 * rng.standard_normal(n)
    if case == "duplicates":
        X[10:] = X[0]  # half the rows identical, with different scores
    if case == "near_duplicates":
        X[10:] = X[0] + 1e-12 * rng.standard_normal((10, d))
    if case == "constant":
        raw[:] = 0.73
    y, _ = transform_outputs(raw)
    gp = fit_gp(X, y, rng=rng)
    gp = fit_gp(X, y, theta0=gp.theta, rng=rng)  # the warm path too
    assert not gp.fit_info.fell_back
    _check_finite(gp, d, rng)
    if case == "constant":
        assert gp.fit_info.skipped
        mean, std = gp.predict(rng.random((5, d)))
        np.testing.assert_array_equal(mean, 0.0)
        # Nothing was learned: between the points the std stays a sizeable
        # share of the prior's, and far from them it is the prior's.
        prior_std = math.sqrt(gp.signal_var)
        assert np.all(std > 0.1 * prior_std)
        far_std = gp.predict(np.full((1, d), 5.0))[1]
        np.testing.assert_allclose(far_std, prior_std, rtol=1e-6)


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_fit_is_stable_at_extreme_scales_of_y(scale):
    rng = np.random.default_rng(4)
    X = rng.random((20, 2))
    y, info = transform_outputs(scale * _branin_like(X) + scale * 1e3)
    assert info.method != "constant"
    gp = fit_gp(X, y, rng=rng)
    _check_finite(gp, 2, rng)


def test_fit_without_data_is_the_prior():
    gp = fit_gp(np.empty((0, 2)), np.empty(0), rng=np.random.default_rng(0))
    mean, std = gp.predict(np.random.default_rng(1).random((3, 2)))
    np.testing.assert_array_equal(mean, 0.0)
    np.testing.assert_allclose(std, math.sqrt(gp.signal_var))


def test_known_noise_var_widens_the_posterior():
    X, y = _data(15, 2)
    theta = _theta(2, log_l=math.log(0.3), log_noise=-20.0)
    exact = GaussianProcess(X, y, theta)
    noisy = GaussianProcess(X, y, theta, noise_var=np.full(15, 0.5))
    assert np.all(noisy.predict(X)[1] > exact.predict(X)[1])


def test_cholesky_jitter_ladder_factorises_a_singular_matrix():
    L, jitter = _gp._cholesky_with_jitter(np.ones((5, 5)))
    assert jitter > 0.0
    np.testing.assert_allclose(L @ L.T, np.ones((5, 5)) + jitter * np.eye(5))


def test_all_starts_failing_falls_back_with_one_warning(monkeypatch):
    def failing(theta, D2, y, *, noise_var=None, warp=None):
        return math.inf, np.zeros_like(theta)

    monkeypatch.setattr(_gp, "neg_log_posterior", failing)
    X, y = _data(10, 2)
    with pytest.warns(
        NumericalWarning, match="Every start of the GP hyperparameter fit failed"
    ) as record:
        gp = fit_gp(X, y, rng=np.random.default_rng(0))
    assert len(record) == 1
    assert gp.fit_info.fell_back
    np.testing.assert_array_equal(gp.theta, prior_mode(2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"y": np.array([0.0, np.nan, 1.0])}, "y must be finite"),
        ({"categorical": np.array([True])}, "categorical must be a boolean mask"),
        ({"warped": np.array([True])}, "warped must be a boolean mask"),
        (
            {"categorical": [True, False], "warped": [True, False]},
            r"not categorical; columns \[0\] are both",
        ),
        ({"noise_var": np.array([0.1, 0.1])}, "noise_var must be finite"),
        ({"noise_var": np.array([0.1, -0.1, 0.1])}, "noise_var must be >= 0"),
    ],
)
def test_invalid_data_raises(kwargs, match):
    data = {
        "X": np.random.default_rng(0).random((3, 2)),
        "y": np.array([0.0, 1.0, 2.0]),
    }
    data.update(kwargs)
    X, y = data.pop("X"), data.pop("y")
    with pytest.raises(ValueError, match=match):
        fit_gp(X, y, rng=np.random.default_rng(0), **data)


# ---------------------------------------------------------------------------
# Warm start
# ---------------------------------------------------------------------------


def test_warm_start_finds_the_cold_optimum():
    # Started 0.3 off in every log hyperparameter, about 12 nats from the optimum.
    X, y = _data(40, 2, seed=5)
    cold = fit_gp(X, y, rng=np.random.default_rng(0))
    warm = fit_gp(X, y, theta0=cold.theta + 0.3, rng=np.random.default_rng(0))
    D2 = squared_differences(X, X, np.zeros(2, dtype=bool))
    f_cold = neg_log_posterior(cold.theta, D2, y)[0]
    f_warm = neg_log_posterior(warm.theta, D2, y)[0]
    # These data are noiseless: the learned noise sits at NOISE_FLOOR, where its
    # log is all but unidentified. The warm fit stops once an iteration gains
    # under _WARM_FTOL_NATS, which along that flat direction leaves it 0.013
    # nats short; compare the noise variance the model uses, not its log, and
    # the predictions.
    assert f_warm == pytest.approx(f_cold, abs=2e-2)
    noise = X.shape[1] + 1  # theta = (log l (d), log sigma2_f, log sigma2_n, m)
    np.testing.assert_allclose(
        np.delete(warm.theta, noise), np.delete(cold.theta, noise), atol=0.1
    )
    assert warm.noise_var_learned == pytest.approx(cold.noise_var_learned, rel=0.1)
    X_new = np.random.default_rng(9).random((200, 2))
    mean_cold, std_cold = cold.predict(X_new)
    mean_warm, std_warm = warm.predict(X_new)
    np.testing.assert_allclose(mean_warm, mean_cold, atol=5e-3)
    np.testing.assert_allclose(std_warm, std_cold, rtol=0.05)


def test_warm_start_of_the_wrong_shape_is_ignored():
    X, y = _data(40, 2, seed=5)
    cold = fit_gp(X, y, rng=np.random.default_rng(0))
    other = fit_gp(X, y, theta0=np.zeros(7), rng=np.random.default_rng(0))
    np.testing.assert_allclose(other.theta, cold.theta)


# ---------------------------------------------------------------------------
# Kriging believer
# ---------------------------------------------------------------------------


def _fitted(noise_var=False, warped=None):
    categorical = np.array([False, False, True])
    X, y = _data(25, 3, seed=6, categorical=categorical)
    nv = np.full(25, 0.01) if noise_var else None
    gp = fit_gp(
        X,
        y,
        categorical=categorical,
        warped=warped,
        noise_var=nv,
        rng=np.random.default_rng(0),
    )
    X_pending = np.random.default_rng(7).random((3, 3))
    X_pending[:, 2] = [0.0, 0.5, 1.0]
    return gp, X_pending


@pytest.mark.parametrize("noise_var", [False, True])
def test_believer_keeps_mean_and_shrinks_std(noise_var):
    gp, X_pending = _fitted(noise_var)
    believer = gp.condition_on_pending(X_pending)
    X_query = np.vstack([X_pending, np.random.default_rng(8).random((30, 3))])
    mean, std = gp.predict(X_query)
    mean_b, std_b = believer.predict(X_query)
    np.testing.assert_allclose(mean_b, mean, atol=1e-8)
    assert np.all(std_b <= std + 1e-12)
    # At a pending row the latent variance drops below the fantasy's noise:
    # the learned noise plus the mean known noise.
    assert np.all(std_b[:3] < std[:3])
    assert np.all(std_b[:3] <= math.sqrt(gp.new_observation_noise_var))


def test_believer_keeps_the_mean_known_noise():
    # The incumbent rule and augmented EI read the mean known noise; pending
    # rows must not dilute it.
    gp, X_pending = _fitted(noise_var=True)
    believer = gp.condition_on_pending(X_pending)
    assert believer.noise_var_known.shape == (gp.y.size + 3,)
    np.testing.assert_allclose(
        np.mean(believer.noise_var_known), np.mean(gp.noise_var_known)
    )
    assert believer.new_observation_noise_var == pytest.approx(
        gp.new_observation_noise_var
    )
    assert gp.new_observation_noise_var == pytest.approx(gp.noise_var_learned + 0.01)


@pytest.mark.parametrize(
    ("noise_var", "warped"),
    [(False, None), (True, None), (True, [True, False, False])],
)
def test_believer_equals_refit_with_fantasies(noise_var, warped):
    gp, X_pending = _fitted(noise_var, warped)
    believer = gp.condition_on_pending(X_pending)
    fantasy = gp.predict(X_pending)[0]
    known = gp.noise_var_known
    nv = None if known is None else np.r_[known, np.full(3, np.mean(known))]
    refit = GaussianProcess(
        np.vstack([gp.X_train, X_pending]),
        np.r_[gp.y, fantasy],
        gp.theta,
        categorical=gp.categorical,
        warped=gp.warped,
        noise_var=nv,
    )
    np.testing.assert_allclose(believer.L, refit.L, atol=1e-10)
    np.testing.assert_allclose(believer.alpha, refit.alpha, atol=1e-8)
    X_query = np.random.default_rng(9).random((20, 3))
    for a, b in zip(
        believer.predict_with_grad(X_query), refit.predict_with_grad(X_query)
    ):
        np.testing.assert_allclose(a, b, atol=1e-8)


def test_believer_twice_equals_believer_once():
    gp, X_pending = _fitted()
    twice = gp.condition_on_pending(X_pending[:1]).condition_on_pending(X_pending[1:])
    once = gp.condition_on_pending(X_pending)
    X_query = np.random.default_rng(10).random((10, 3))
    np.testing.assert_allclose(
        twice.predict(X_query), once.predict(X_query), atol=1e-10
    )


def test_believer_with_duplicate_pending_rows_is_finite():
    gp, X_pending = _fitted()
    believer = gp.condition_on_pending(
        np.vstack([X_pending, X_pending, gp.X_train[:2]])
    )
    _check_finite(believer, 3, np.random.default_rng(11))


# ---------------------------------------------------------------------------
# Property test
# ---------------------------------------------------------------------------

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # the oldest supported stack has no hypothesis

    def test_fit_gives_finite_outputs_property():
        pytest.importorskip("hypothesis")

else:
    _values = st.one_of(
        st.sampled_from([-0.5, 0.0, 0.5, 1.0]), st.floats(0.0, 1.0, allow_nan=False)
    )
    _scores = st.one_of(
        st.sampled_from([0.0, 1.0, -1e12, 1e12, np.nan]),
        st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
    )

    @settings(max_examples=30, deadline=None)
    @given(
        st.integers(1, 3).flatmap(
            lambda d: st.tuples(
                st.just(d),
                st.lists(
                    st.lists(_values, min_size=d, max_size=d), min_size=1, max_size=8
                ),
                st.lists(st.booleans(), min_size=d, max_size=d),
            )
        ),
        st.lists(_scores, min_size=8, max_size=8),
        st.integers(0, 2**32 - 1),
    )
    def test_fit_gives_finite_outputs_property(shape, scores, seed):
        d, rows, categorical = shape
        X = np.array(rows)
        y_raw = np.array(scores[: len(X)])
        y, info = transform_outputs(y_raw)
        rng = np.random.default_rng(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            gp = fit_gp(X[info.kept], y, categorical=np.array(categorical), rng=rng)
            _check_finite(gp, d, rng)
            _check_finite(gp.condition_on_pending(X[:2]), d, rng)


@pytest.mark.parametrize("d", [1, 3, 6, 20])
def test_prior_mode_is_where_the_prior_peaks(d, monkeypatch):
    theta = prior_mode(d)
    # Lengthscales, signal and noise variance, mean: zero gradient.
    grad = _gp._neg_log_prior(theta, d)[1]
    np.testing.assert_allclose(grad[: d + 3], 0.0, atol=1e-9)
    # The barrier leaves the lengthscales' mode where the LogNormal alone has it.
    np.testing.assert_allclose(np.exp(theta[:d]), np.sqrt(d) * np.exp(-1.5))
    monkeypatch.setattr(_gp, "_L_BARRIER", 0.0)
    np.testing.assert_allclose(prior_mode(d), theta)


def _levy_unit(U):
    w = 1.0 + (20.0 * U - 11.0) / 4.0  # Levy on [-10, 10]^d, seen in [0, 1]^d
    ripples = (w[:, :-1] - 1.0) ** 2 * (1.0 + 10.0 * np.sin(np.pi * w[:, :-1] + 1) ** 2)
    last = (w[:, -1] - 1.0) ** 2 * (1.0 + np.sin(2.0 * np.pi * w[:, -1]) ** 2)
    return np.sin(np.pi * w[:, 0]) ** 2 + ripples.sum(axis=1) + last


@pytest.mark.parametrize("seed", [1, 2])
def test_lengthscale_barrier_keeps_the_gp_off_the_ripples(seed, monkeypatch):
    # Data as a search gathers them: a random design and a cluster round its
    # best point. Without the barrier, the MAP fit interpolates the ripples
    # with a lengthscale shorter than the cluster's spread.
    rng = np.random.default_rng(seed)
    X = rng.random((25, 5))
    best = X[np.argmin(_levy_unit(X))]
    X = np.vstack([X, np.clip(best + 0.04 * rng.standard_normal((20, 5)), 0, 1)])
    y, _ = transform_outputs(-_levy_unit(X))
    shortest = fit_gp(X, y, rng=np.random.default_rng(0)).lengthscales.min()
    monkeypatch.setattr(_gp, "_L_BARRIER", 0.0)
    unbarred = fit_gp(X, y, rng=np.random.default_rng(0)).lengthscales.min()
    assert unbarred < 0.08 and shortest > 0.1

"""Tests of the Matérn-5/2 mixed kernel: properties, Hamming columns, gradients."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime

from sklearn_bayestune._kernels import (
    kernel_and_grad_log_lengthscales,
    kernel_and_grad_x,
    kernel_matrix,
    kumaraswamy_warp,
    matern52_and_G,
    squared_differences,
)

CATEGORICAL = np.array([False, True, False])


def _rows(rng, n, categorical=CATEGORICAL, n_levels=3):
    X = rng.random((n, categorical.size))
    X[:, categorical] = rng.integers(n_levels, size=(n, categorical.sum())) / (
        n_levels - 1
    )
    return X


def test_matern52_reference_values():
    # k(r) = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r) (R&W Eq. 4.17) at r = 0, 1, 2.
    r = np.array([0.0, 1.0, 2.0])
    s5 = np.sqrt(5.0)
    expected = (1 + s5 * r + 5.0 / 3.0 * r**2) * np.exp(-s5 * r)
    k, G = matern52_and_G(r**2)
    np.testing.assert_allclose(k, expected, rtol=1e-14)
    # G = -2 dk/dr^2 is finite at r = 0, where it equals 5/3.
    assert G[0] == pytest.approx(5.0 / 3.0)


@pytest.mark.parametrize("seed", range(3))
def test_kernel_matrix_symmetric_unit_diagonal_psd(seed):
    rng = np.random.default_rng(seed)
    X = _rows(rng, 40)
    X[5] = X[3]  # a duplicate row
    X[7, 2] = -0.5  # an inactive conditional value is an ordinary value
    lengthscales = np.exp(rng.uniform(-3, 3, size=3))
    K = kernel_matrix(X, X, lengthscales, CATEGORICAL)
    np.testing.assert_allclose(K, K.T, atol=1e-15)
    np.testing.assert_allclose(np.diag(K), 1.0)
    assert np.linalg.eigvalsh(K).min() >= -1e-10


def test_categorical_distance_is_hamming():
    lengthscales = np.array([0.3, 0.7, 0.5])
    x = np.array([[0.2, 0.0, 0.4]])
    # Any two different codes are at the same distance, however far apart.
    near = np.array([[0.2, 0.5, 0.4]])
    far = np.array([[0.2, 1.0, 0.4]])
    k_near = kernel_matrix(x, near, lengthscales, CATEGORICAL)
    k_far = kernel_matrix(x, far, lengthscales, CATEGORICAL)
    assert k_near == pytest.approx(k_far)
    # And that squared distance is 1 / l^2, as for a continuous difference of 1.
    cont = np.zeros(3, dtype=bool)
    k_cont = kernel_matrix(x, far, lengthscales, cont)
    assert k_near == pytest.approx(k_cont)
    D2 = squared_differences(x, far, CATEGORICAL)
    np.testing.assert_array_equal(D2[:, 0, 0], [0.0, 1.0, 0.0])


def test_squared_differences_agree_with_kernel_matrix():
    rng = np.random.default_rng(0)
    X1, X2 = _rows(rng, 7), _rows(rng, 5)
    lengthscales = np.array([0.2, 1.5, 3.0])
    K, _ = kernel_and_grad_log_lengthscales(
        squared_differences(X1, X2, CATEGORICAL), lengthscales
    )
    np.testing.assert_allclose(K, kernel_matrix(X1, X2, lengthscales, CATEGORICAL))


@pytest.mark.parametrize("log10_l", [-2.0, -1.0, 0.0, 1.0, 2.0])
def test_grad_log_lengthscales_matches_finite_differences(log10_l):
    rng = np.random.default_rng(1)
    X = _rows(rng, 6)
    X[4] = X[1]  # distance 0: the gradient is exactly 0 there
    D2 = squared_differences(X, X, CATEGORICAL)
    log_l = np.full(3, log10_l * np.log(10.0)) + rng.uniform(-0.3, 0.3, size=3)
    _, dK = kernel_and_grad_log_lengthscales(D2, np.exp(log_l))
    for a, b in [(0, 1), (2, 5), (1, 4), (3, 3)]:

        def k_ab(t, a=a, b=b):
            return kernel_and_grad_log_lengthscales(D2, np.exp(t))[0][a, b]

        fd = approx_fprime(log_l, k_ab, 1e-7)
        np.testing.assert_allclose(dK[:, a, b], fd, rtol=1e-5, atol=1e-8)
    np.testing.assert_array_equal(dK[:, 1, 4], 0.0)


@pytest.mark.parametrize("log10_l", [-2.0, -1.0, 0.0, 1.0, 2.0])
def test_grad_x_matches_finite_differences(log10_l):
    rng = np.random.default_rng(2)
    X_train = _rows(rng, 8)
    lengthscales = 10.0**log10_l * np.exp(rng.uniform(-0.3, 0.3, size=3))
    # Queries near the data at the small lengthscales, so k is not just 0.
    X = X_train[:3] + 0.3 * lengthscales * rng.standard_normal((3, 3))
    X[:, CATEGORICAL] = X_train[:3, CATEGORICAL]
    K, dK = kernel_and_grad_x(X, X_train, lengthscales, CATEGORICAL)
    np.testing.assert_allclose(K, kernel_matrix(X, X_train, lengthscales, CATEGORICAL))
    np.testing.assert_array_equal(dK[..., CATEGORICAL], 0.0)
    for a in range(3):
        for b in range(8):

            def k_ab(x, a=a, b=b):
                return kernel_matrix(
                    x[None], X_train[b : b + 1], lengthscales, CATEGORICAL
                )[0, 0]

            fd = approx_fprime(X[a], k_ab, 1e-8 * min(1.0, lengthscales.min()))
            fd[CATEGORICAL] = 0.0
            np.testing.assert_allclose(dK[a, b], fd, rtol=1e-4, atol=1e-7)


def test_grad_x_is_zero_at_distance_zero():
    rng = np.random.default_rng(3)
    X_train = _rows(rng, 4)
    _, dK = kernel_and_grad_x(X_train[:1], X_train, np.full(3, 0.1), CATEGORICAL)
    assert np.all(np.isfinite(dK))
    np.testing.assert_array_equal(dK[0, 0], 0.0)


def test_kumaraswamy_warp_is_a_monotone_map_of_the_unit_interval():
    x = np.linspace(0.0, 1.0, 101)[:, None]
    columns = np.array([0])
    identity = kumaraswamy_warp(x, np.zeros(1), np.zeros(1), columns)[0]
    np.testing.assert_allclose(identity, x, atol=1e-5)
    for log_a, log_b in [(-1.5, 0.5), (1.0, -1.0), (2.0, 2.0)]:
        w = kumaraswamy_warp(x, np.array([log_a]), np.array([log_b]), columns)[0]
        assert np.all(np.diff(w[:, 0]) > 0.0)
        assert 0.0 <= w[0, 0] and w[-1, 0] <= 1.0


def test_kumaraswamy_warp_passes_inactive_entries_and_other_columns():
    X = np.array([[-0.5, 0.3], [0.2, 0.7]])
    Xw, da, db, dx = kumaraswamy_warp(X, np.array([1.0]), np.array([0.5]), [0])
    assert Xw[0, 0] == -0.5 and da[0, 0] == 0.0 and db[0, 0] == 0.0
    assert dx[0, 0] == 1.0
    np.testing.assert_array_equal(Xw[:, 1], X[:, 1])
    assert Xw[1, 0] != X[1, 0]


@pytest.mark.parametrize("log_a, log_b", [(-1.0, 0.3), (0.5, -0.7), (1.5, 1.2)])
def test_kumaraswamy_warp_derivatives_match_finite_differences(log_a, log_b):
    x = np.linspace(0.05, 0.95, 7)[:, None]
    cols = [0]

    def warp(x_, a_, b_):
        return kumaraswamy_warp(x_, np.array([a_]), np.array([b_]), cols)[0][:, 0]

    _, da, db, dx = kumaraswamy_warp(x, np.array([log_a]), np.array([log_b]), cols)
    h = 1e-6
    np.testing.assert_allclose(
        da[:, 0],
        (warp(x, log_a + h, log_b) - warp(x, log_a - h, log_b)) / (2 * h),
        rtol=1e-5,
        atol=1e-8,
    )
    np.testing.assert_allclose(
        db[:, 0],
        (warp(x, log_a, log_b + h) - warp(x, log_a, log_b - h)) / (2 * h),
        rtol=1e-5,
        atol=1e-8,
    )
    np.testing.assert_allclose(
        dx[:, 0],
        (warp(x + h, log_a, log_b) - warp(x - h, log_a, log_b)) / (2 * h),
        rtol=1e-5,
        atol=1e-8,
    )

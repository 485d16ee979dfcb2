"""Acquisition functions: stable log-EI, UCB and log-PI, joined to a fitted GP.

The numerics are pure functions of the posterior moments ``(mean, std, best)``
(BoTorch ``botorch/acquisition/analytic.py``, Optuna ``optuna/_gp/acqf.py``).
:class:`AcquisitionFunction` joins one of them to a
:class:`~sklearn_bayestune._gp.GaussianProcess` and exposes the only two calls
an optimiser makes: ``value(X)`` and ``value_and_grad(x)``. Everything is
maximised. Log-EI of a GP with noise is augmented by
:func:`log_replication_factor` (Huang et al. 2006).

Notation
--------
mean, std : (m,)
    Posterior mean and latent standard deviation (``GaussianProcess.predict``).
best : float
    Incumbent y*, in transformed units.
z : (m,)
    Standardised improvement (mean - best) / std.
phi, Phi : standard normal density and distribution function.
h(z) : phi(z) + z Phi(z), so that EI = std h(z) (Jones et al. 1998, Eq. 15).
Mills ratio : Phi(z) / phi(z) = sqrt(pi/2) erfcx(-z / sqrt2), finite for all
    z (it overflows to +inf only where phi / Phi is 0 anyway).
"""

import math

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_HALF_PI = math.sqrt(0.5 * math.pi)
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
# Below this z, use the asymptotic series of the Mills ratio. 1 + z Mills(z)
# ~ 1/z^2 computed from Mills(z) has relative error ~ eps z^2 (2e-10 here),
# while the series truncated after 15/z^4 errs by ~105/z^6 (1e-16). The LogEI
# paper (Eq. 9) switches at -1/sqrt(eps), which is fine for log h but leaves
# its derivative with no correct digit near the switch.
_Z_ASYMPTOTIC = -1e3
# Augmented log-EI needs noise the data measured. Below this share of the
# signal variance the learned noise is the prior's (on Branin, which the GP
# interpolates, ~2e-6 of a signal variance ~0.7), and the factor would only
# keep the search from refining its incumbent on a scale below that noise's
# std. Measured in docs/benchmarks.md (augmented log-EI).
AUGMENT_MIN_NOISE_SHARE = 1e-4


# ---------------------------------------------------------------------------
# Pure numerics
# ---------------------------------------------------------------------------


def _phi(z):
    # phi(z) with z^2 kept finite: phi underflows to 0 long before |z| = 40.
    z = np.minimum(np.abs(z), 40.0)
    return np.exp(-0.5 * z * z - _LOG_SQRT_2PI)


def _mills(z):
    # Phi(z) / phi(z); erfcx keeps it accurate where both underflow. It is
    # infinite for large positive z, a branch the callers mask out (older
    # scipy warns about that overflow; newer does not).
    with np.errstate(over="ignore"):
        return _SQRT_HALF_PI * erfcx(-z * _INV_SQRT2)


def _branches(z):
    z = np.asarray(z, dtype=float)
    upper = z > -1.0
    asymptotic = z <= _Z_ASYMPTOTIC
    return z, upper, ~upper & ~asymptotic, asymptotic


def log_h(z):
    """log h(z) = log(phi(z) + z Phi(z)), the log of EI at unit std.

    Parameters
    ----------
    z : array-like of any shape

    Returns
    -------
    ndarray of the shape of ``z``
        Finite for -1e154 < z < +inf, increasing.

    Notes
    -----
    LogEI paper (Ament et al. 2023) Eq. 9. Each branch runs only on its own
    entries, so no branch evaluates where it would overflow or cancel:

    - z > -1: the direct formula, with no cancellation.
    - -1e3 < z <= -1: h = phi(z) (1 + z Mills(z)), and
      1 + z Mills(z) = -expm1(log(-z Mills(z))); the product lies in
      (0.65, 1), so expm1 keeps the digits that 1 - (...) would lose.
    - z <= -1e3: 1 + z Mills(z) = z^-2 (1 - 3 z^-2 + 15 z^-4 + ...) from the
      asymptotic series Mills(z) = t^-1 - t^-3 + 3 t^-5 - 15 t^-7 + ...,
      t = -z (Abramowitz & Stegun 26.2.12), since the difference itself is
      below the rounding of the product far out.
    """
    z, upper, middle, asymptotic = _branches(z)
    out = np.empty_like(z)
    zu = z[upper]
    out[upper] = np.log(_phi(zu) + zu * ndtr(zu))
    zm = z[middle]
    log_phi = -0.5 * zm * zm - _LOG_SQRT_2PI
    out[middle] = log_phi + np.log(-np.expm1(np.log(-zm * _mills(zm))))
    za = z[asymptotic]
    inv_t2 = 1.0 / (za * za)
    with np.errstate(over="ignore"):  # z^2 overflows below -1e154: -inf is right
        log_phi = -0.5 * za * za - _LOG_SQRT_2PI
    out[asymptotic] = (
        log_phi + np.log(inv_t2) + np.log1p(inv_t2 * (-3.0 + 15.0 * inv_t2))
    )
    return out


def dlog_h_dz(z):
    """Derivative of :func:`log_h`: Phi(z) / h(z) > 0.

    Parameters
    ----------
    z : array-like of any shape

    Returns
    -------
    ndarray of the shape of ``z``
        Finite and positive; ~ |z| as z -> -inf, ~ 1/z as z -> +inf.

    Notes
    -----
    h'(z) = Phi(z). Written with the same branches as :func:`log_h` and as a
    ratio of quantities of order one (Mills(z) / (1 + z Mills(z))), not as
    exp(log_ndtr(z) - log_h(z)), whose two terms of size z^2 / 2 cancel.
    """
    z, upper, middle, asymptotic = _branches(z)
    out = np.empty_like(z)
    zu = z[upper]
    Phi = ndtr(zu)
    out[upper] = Phi / (_phi(zu) + zu * Phi)
    zm = z[middle]
    mills = _mills(zm)
    out[middle] = mills / -np.expm1(np.log(-zm * mills))
    # Series ratio (t^-1 - t^-3 + 3 t^-5) / (t^-2 - 3 t^-4 + 15 t^-6).
    za = z[asymptotic]
    inv_t2 = 1.0 / (za * za)
    out[asymptotic] = (
        -za
        * (1.0 - inv_t2 + 3.0 * inv_t2 * inv_t2)
        / (1.0 - 3.0 * inv_t2 + 15.0 * inv_t2 * inv_t2)
    )
    return out


def log_expected_improvement(mean, std, best):
    """log EI = log E[max(f - best, 0)] = log std + log h(z).

    Parameters
    ----------
    mean, std : ndarrays of shape (m,)
        std > 0.
    best : float

    Returns
    -------
    ndarray of shape (m,)
        Finite down to z = (mean - best) / std of about -1e154.
    """
    std = np.asarray(std, dtype=float)
    return np.log(std) + log_h((np.asarray(mean) - best) / std)


def upper_confidence_bound(mean, std, beta):
    """UCB = mean + sqrt(beta) std (Srinivas et al. 2010).

    Parameters
    ----------
    mean, std : ndarrays of shape (m,)
    beta : float
        Exploration weight, >= 0.

    Returns
    -------
    ndarray of shape (m,)
    """
    return np.asarray(mean) + math.sqrt(beta) * np.asarray(std)


def log_probability_of_improvement(mean, std, best):
    """log PI = log Phi((mean - best) / std), by ``scipy.special.log_ndtr``.

    Parameters
    ----------
    mean, std : ndarrays of shape (m,)
    best : float

    Returns
    -------
    ndarray of shape (m,)
    """
    return log_ndtr((np.asarray(mean) - best) / np.asarray(std))


def log_replication_factor(std, noise_std):
    """log(1 - noise_std / sqrt(std^2 + noise_std^2)), with its derivative in std.

    The factor of augmented EI (Huang et al. 2006): the share of a new
    observation's spread that is signal rather than noise. It tends to 0 where
    the latent std falls to the noise level (at and next to observed or
    pending points, where another evaluation would mostly measure noise) and
    to 1 far from the data or when the noise vanishes.

    Parameters
    ----------
    std : ndarray of shape (m,)
        Latent posterior std, > 0.
    noise_std : float
        Std of a new observation's noise, >= 0 (0: the factor is 1).

    Returns
    -------
    value, dvalue_dstd : ndarrays of shape (m,)

    Notes
    -----
    With q = sqrt(std^2 + a^2), 1 - a / q = std^2 / (q (q + a)), so the log is
    2 log std - log q - log(q + a): no cancellation where std << a.
    """
    q = np.sqrt(std * std + noise_std * noise_std)
    value = 2.0 * np.log(std) - np.log(q) - np.log(q + noise_std)
    dvalue = 2.0 / std - std / (q * q) - std / (q * (q + noise_std))
    return value, dvalue


def _value_and_partials(kind, mean, std, best, beta, noise_std=None):
    """Acquisition value and its partial derivatives w.r.t. mean and std.

    ``noise_std`` (log_ei only) applies :func:`log_replication_factor`.
    """
    if kind == "ucb":
        root_beta = math.sqrt(beta)
        value = mean + root_beta * std
        return value, np.ones_like(mean), np.full_like(std, root_beta)
    z = (mean - best) / std
    if kind == "log_ei":
        value = np.log(std) + log_h(z)
        dz = dlog_h_dz(z)
        # d/dstd: 1/std from log std, and dz/dstd = -z/std.
        dvalue_dstd = (1.0 - dz * z) / std
        if noise_std is not None:
            factor, dfactor = log_replication_factor(std, noise_std)
            value = value + factor
            dvalue_dstd = dvalue_dstd + dfactor
        return value, dz / std, dvalue_dstd
    # log_pi: d log Phi(z)/dz = phi(z) / Phi(z) = 1 / Mills(z), stable for all z.
    value = log_ndtr(z)
    dz = 1.0 / _mills(z)
    return value, dz / std, -dz * z / std


# ---------------------------------------------------------------------------
# Joined to a GP
# ---------------------------------------------------------------------------

KINDS = ("log_ei", "ucb", "log_pi")


class AcquisitionFunction:
    """One acquisition function of a fitted GP, for an optimiser to maximise.

    Parameters
    ----------
    gp : GaussianProcess
        The surrogate of the (transformed, maximised) objective, possibly
        conditioned on pending points.
    kind : {"log_ei", "ucb", "log_pi"}, default="log_ei"
        LogEI (Ament et al. 2023), UCB, or log PI.
    augmented : bool, default=True
        For "log_ei": add :func:`log_replication_factor` with the noise std of
        a new observation (learned plus mean known noise), i.e. log augmented
        EI (Huang et al. 2006). Plain EI with a noisy GP keeps a positive
        value at observed points and spends evaluations re-measuring the
        incumbent's neighbourhood, by steps far below the lengthscales, even
        when the objective is deterministic and the "noise" is model misfit.
        Not applied when the noise variance is at most
        ``AUGMENT_MIN_NOISE_SHARE`` of ``gp.signal_var``: such noise is the
        prior's, and plain log-EI refines the incumbent below its std.
    best : float, default=None
        Incumbent for "log_ei" and "log_pi", in transformed units. None: the
        max of ``gp.y`` (fantasy values of a kriging believer included), or,
        when the noise variance (learned plus mean known) exceeds 1% of
        ``gp.signal_var``, the max of the posterior mean at ``gp.X_train``
        (Picheny et al. 2013). Ignored by "ucb".
    beta : float, default=None
        UCB exploration weight; required when ``kind="ucb"``.
    feasibility : GaussianProcess, default=None
        A GP fitted on the same encoding to +1 (evaluation succeeded) / -1
        (failed) labels, e.g. ``fit_gp(X_all, np.where(ok, 1.0, -1.0), ...)``.
        Adds log P(feasible) = log Phi(mean_c / std_c) to the value (Gardner
        et al. 2014, Gelbart et al. 2014), which steers away from
        regions that fail. Labels are +-1 so that they are already roughly
        standardised and the threshold is 0.

    Attributes
    ----------
    gp, kind, best, beta, feasibility
        As resolved from the parameters (``best`` is a float for "log_ei" and
        "log_pi", None for "ucb").
    noise_std : float or None
        Noise std of the replication factor; None unless ``kind="log_ei"``,
        ``augmented`` and the noise exceeds ``AUGMENT_MIN_NOISE_SHARE`` of the
        signal variance.
    """

    def __init__(
        self,
        gp,
        *,
        kind="log_ei",
        best=None,
        beta=None,
        feasibility=None,
        augmented=True,
    ):
        if kind not in KINDS:
            raise ValueError(
                f"kind must be one of {KINDS}; got {kind!r}. Use 'log_ei' unless "
                "you have a reason to prefer another."
            )
        if kind == "ucb" and (beta is None or not beta >= 0):
            raise ValueError(
                f"beta must be a float >= 0 when kind='ucb'; got {beta!r}. A "
                "common choice is beta=2.0."
            )
        if kind != "ucb" and best is None:
            best = self._default_best(gp)
        self.gp, self.kind, self.feasibility = gp, kind, feasibility
        self.best = None if kind == "ucb" else float(best)
        self.beta = beta
        noise_var = gp.new_observation_noise_var
        measured = noise_var > AUGMENT_MIN_NOISE_SHARE * gp.signal_var
        self.noise_std = (
            math.sqrt(noise_var)
            if augmented and kind == "log_ei" and measured
            else None
        )

    @staticmethod
    def _default_best(gp):
        if gp.y.size == 0:
            return gp.prior_mean
        if gp.new_observation_noise_var > 0.01 * gp.signal_var:
            return float(np.max(gp.predict(gp.X_train)[0]))
        return float(np.max(gp.y))

    def value(self, X):
        """Acquisition values of many rows at once.

        Parameters
        ----------
        X : ndarray of shape (m, d)
            Encoded rows; one (d,) row is treated as m = 1.

        Returns
        -------
        ndarray of shape (m,)
            One kernel matrix and one triangular solve for all rows (per GP).
        """
        X = np.atleast_2d(X)
        mean, std = self.gp.predict(X)
        value = _value_and_partials(
            self.kind, mean, std, self.best, self.beta, self.noise_std
        )[0]
        if self.feasibility is not None:
            mean_c, std_c = self.feasibility.predict(X)
            value = value + log_ndtr(mean_c / std_c)
        return value

    def value_and_grad(self, x):
        """Acquisition value and gradient w.r.t. x, for L-BFGS-B.

        Parameters
        ----------
        x : ndarray of shape (d,) or (m, d)

        Returns
        -------
        value : float, or ndarray of shape (m,) for 2-D ``x``
        grad : ndarray of shape (d,), or (m, d) for 2-D ``x``
            Chain rule through the posterior moments: d value/d mean * d mean
            + d value/d std * d std. Zero on categorical columns.
        """
        x = np.asarray(x, dtype=float)
        X = np.atleast_2d(x)
        mean, std, dmean, dstd = self.gp.predict_with_grad(X)
        value, dv_dmean, dv_dstd = _value_and_partials(
            self.kind, mean, std, self.best, self.beta, self.noise_std
        )
        grad = dv_dmean[:, None] * dmean + dv_dstd[:, None] * dstd
        if self.feasibility is not None:
            mean_c, std_c, dmean_c, dstd_c = self.feasibility.predict_with_grad(X)
            value_c, dc_dmean, dc_dstd = _value_and_partials(
                "log_pi", mean_c, std_c, 0.0, None
            )
            value = value + value_c
            grad = grad + dc_dmean[:, None] * dmean_c + dc_dstd[:, None] * dstd_c
        if x.ndim == 1:
            return float(value[0]), grad[0]
        return value, grad

"""Output transform: raw scores -> standardised targets for the GP surrogate.

The Gaussian-process surrogate (``_gp.py``) assumes roughly Gaussian targets of
unit scale, and its hyperparameter priors are set on that scale. Cross-validated
scores are neither: they come in arbitrary units, are often skewed (accuracies
pile up below 1, losses have long tails) and a diverged configuration can score
orders of magnitude below the rest. :func:`transform_outputs` maps the scores,
already oriented for maximisation, to such targets with a non-decreasing map,
so the argmax is kept, and records the map (:class:`OutputTransform`) so that
new scores, e.g. per-fold ones, can be expressed in the same units.

Steps (order matters; after HEBO and Ax's Winsorize)
------------------------------------
1. Drop non-finite scores (failures are handled by the caller).
2. Winsorise the bad (low) tail at the Tukey fence q1 - 1.5 IQR (Ax
   ``Winsorize``).
3. Standardise: ``z = (y - shift) / scale``.
4. Yeo-Johnson ``psi(z, lambda)`` with lambda by maximum likelihood (Yeo &
   Johnson 2000; HEBO's largest ablation gain), computed here rather than by
   ``scipy.stats.yeojohnson`` (see below).
5. Standardise again. If step 4 gives non-finite values, merges distinct scores
   or has no spread, use normal scores Phi^-1(rank / (n + 1)) instead (the
   copula transform of the TuRBO challenge wrapper), standardised.

Yeo-Johnson
-----------
For z >= 0, ``psi(z, lambda) = ((1 + z)^lambda - 1) / lambda`` (``log1p(z)`` at
lambda = 0); for z < 0, ``psi(z, lambda) = -((1 - z)^(2 - lambda) - 1) / (2 -
lambda)`` (``-log1p(-z)`` at lambda = 2). Both are evaluated as
``expm1(c log1p(|z|)) / c`` with c = lambda or 2 - lambda, accurate for small
|z| and small c. The map is increasing in z for every lambda, lambda = 1 is
the identity, and ``psi(-z, 2 - lambda) = -psi(z, lambda)``: lambda < 1
compresses the upper tail, lambda > 1 the lower one.

lambda maximises the profile log-likelihood of a normal model for psi(z)
(the objective of ``scipy.stats.yeojohnson_llf``)::

    llf(lambda) = -n/2 log(var(psi(z, lambda)))
                  + (lambda - 1) sum(sign(z) log1p(|z|))

over ``LAMBDA_BOUNDS``, by a vectorised grid search refined on finer grids and
finished with a parabolic step (:func:`yeo_johnson_mle`). Scipy maximises the
same objective with Brent's method, one Python-level ``yeojohnson_llf`` call
(~0.85 ms of wrapper overhead) per evaluation: 10-20 ms per proposal at
n = 100, more than the GP fit, against ~0.4 ms for the whole transform here
(~1.2 ms at n = 1000). Scipy's search is also unbounded (scipy < 1.12) or
bounded only against overflow (scipy >= 1.12, gh-18852), so its lambda
depended on the installed version for heavy-tailed scores.

References
----------
Yeo & Johnson, A new family of power transformations to improve normality or
symmetry, Biometrika 87 (2000).
Cowen-Rivers et al., HEBO: Pushing the Limits of Sample-Efficient
Hyperparameter Optimisation, JAIR 74 (2022): the ablation of output warping.
Ax ``ax/modelbridge/transforms/winsorize.py``: the winsorisation.
Eriksson et al., Scalable Global Optimization via Local Bayesian Optimization
(TuRBO, 2019) and its black-box challenge wrapper: the copula fallback.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

LAMBDA_BOUNDS = (-3.0, 5.0)
"""Range searched for the Yeo-Johnson lambda.

Symmetric about the identity lambda = 1 (``psi(-z, 2 - lambda) =
-psi(z, lambda)``), so good and bad tails are treated alike. The slope of psi
is ``(1 + |z|)^(lambda - 1)`` on the compressed side: at lambda = -3 a score
3 standard deviations above the mean already enters with slope 1/256 of the
mean's. The likelihood prefers more extreme lambdas for heavy upper tails
(winsorised lognormal scores with sigma = 2, median of scipy's lambda over 30
draws: -3.2 at n = 100, -5.3 at n = 1000, down to -37), which squeeze every
above-average score into a sliver and leave the GP unable to tell the best
configurations apart, or merge them in floating point. After winsorisation
the lower tail is short, and the likelihood seldom asks for more than
lambda = 3. Within these bounds psi of standardised scores cannot overflow.
"""

_EPS = np.finfo(float).eps
_TINY = np.finfo(float).tiny
_N_COARSE = 17  # grid over LAMBDA_BOUNDS, step 0.5 (hits 0, 1 and 2 exactly)
_N_FINE = 33  # points of a refinement, over the best point +- one grid step
_N_REFINE = 1  # refinements: step 0.5 / 16 before the parabolic step
_COARSE = np.linspace(*LAMBDA_BOUNDS, _N_COARSE)
_FINE_OFFSETS = np.linspace(-1.0, 1.0, _N_FINE)  # in units of the previous step


@dataclass(frozen=True)
class OutputTransform:
    """How :func:`transform_outputs` mapped raw scores to ``y``.

    Attributes
    ----------
    method : {"yeo-johnson", "rank", "constant", "empty"}
        The branch taken. "rank" is the fallback when Yeo-Johnson failed or
        merged distinct values; "constant" when the finite scores do not vary.
    kept : ndarray of shape (n_raw,), dtype bool
        Which raw entries were finite and appear, in order, in ``y``.
    lower : float
        Winsorisation fence q1 - 1.5 IQR in raw units (-inf: none applied).
    n_winsorised : int
        Number of kept scores raised to ``lower``.
    shift, scale : float
        Raw standardisation applied before Yeo-Johnson (makes the result
        invariant to the units of the score).
    lmbda : float
        Yeo-Johnson lambda (MLE), NaN unless ``method == "yeo-johnson"``.
    loc, scale_t : float
        Final standardisation of the transformed values.
    ref_raw, ref_y : ndarray
        For "rank": sorted distinct (winsorised) raw scores and their normal
        scores, interpolated by :meth:`apply`.
    """

    method: str
    kept: np.ndarray
    lower: float = -np.inf
    n_winsorised: int = 0
    shift: float = 0.0
    scale: float = 1.0
    lmbda: float = np.nan
    loc: float = 0.0
    scale_t: float = 1.0
    ref_raw: np.ndarray = None
    ref_y: np.ndarray = None

    def apply(self, y_raw):
        """Map new raw scores with the fitted transform (monotone).

        Use it to express per-fold scores in transformed units, e.g. to derive
        ``noise_var`` for :func:`~sklearn_bayestune._gp.fit_gp`.

        Parameters
        ----------
        y_raw : array-like of shape (k,), finite

        Returns
        -------
        y : ndarray of shape (k,)
            For "rank", values between observed scores are interpolated
            linearly and values outside are clamped to the extreme scores.
        """
        y_raw = np.maximum(np.asarray(y_raw, dtype=float), self.lower)
        if self.method == "yeo-johnson":
            z = (y_raw - self.shift) / self.scale
            return (yeo_johnson(z, self.lmbda) - self.loc) / self.scale_t
        if self.method == "rank":
            return np.interp(y_raw, self.ref_raw, self.ref_y)
        return np.zeros_like(y_raw)


# ---------------------------------------------------------------------------
# Yeo-Johnson
# ---------------------------------------------------------------------------


def _power_branch(c, a):
    # expm1(c a) / c, the limit a at c = 0 (|c| < eps, scipy's test). Shapes
    # broadcast: c () or (g, 1), a (m,).
    small = np.abs(c) < _EPS
    c_safe = np.where(small, 1.0, c)
    return np.where(small, a, np.expm1(c_safe * a) / c_safe)


def yeo_johnson(z, lmbda):
    """Yeo-Johnson transform ``psi(z, lambda)`` (module docstring).

    Parameters
    ----------
    z : array-like
    lmbda : float

    Returns
    -------
    psi : ndarray of the shape of ``z``
        Equal to ``scipy.stats.yeojohnson(z, lmbda)``.
    """
    z = np.asarray(z, dtype=float)
    pos = z >= 0.0
    a = np.log1p(np.abs(z))
    out = np.empty_like(z)
    with np.errstate(over="ignore"):  # |z| ~ 1e300 with lambda > 1: inf
        out[pos] = _power_branch(lmbda, a[pos])
        out[~pos] = -_power_branch(2.0 - lmbda, a[~pos])
    return out


class _ProfileLikelihood:
    """``llf(lambda)`` for one sample, vectorised over lambdas.

    ``log1p(|z|)``, split by sign, and the Jacobian sum are computed once; each
    call is then one (g, n) ``expm1``. Non-finite values and variances below
    the smallest normal float give -inf (scipy's convention). Call it under
    ``np.errstate(all="ignore")``.
    """

    def __init__(self, z):
        a = np.log1p(np.abs(z))
        pos = z >= 0.0
        self.a_pos, self.a_neg = a[pos], -a[~pos]
        self.n, self.n_pos = z.size, int(np.count_nonzero(pos))
        self.jacobian = float(np.sum(self.a_pos) + np.sum(self.a_neg))

    def __call__(self, lmbdas):
        lam = np.asarray(lmbdas, dtype=float)
        psi = np.empty((lam.size, self.n))
        # z >= 0: expm1(c a) / c with c = lambda and a = log1p(z); z < 0: the
        # same with c = lambda - 2 and a = -log1p(-z) (module docstring).
        c_pos = lam[:, None]
        c_neg = c_pos - 2.0
        for part, c, a in (
            (psi[:, : self.n_pos], c_pos, self.a_pos),
            (psi[:, self.n_pos :], c_neg, self.a_neg),
        ):
            np.multiply(c, a, out=part)
            np.expm1(part, out=part)
            np.divide(part, c, out=part)
        small = np.abs(lam * (lam - 2.0)) < _EPS  # lambda within ~eps of 0 or 2
        if small.any():  # the limits log1p(z), -log1p(-z), as yeo_johnson
            rows = np.flatnonzero(small)
            psi[rows[np.abs(lam[rows]) < _EPS], : self.n_pos] = self.a_pos
            psi[rows[np.abs(lam[rows] - 2.0) < _EPS], self.n_pos :] = self.a_neg
        psi -= psi.sum(axis=1)[:, None] / self.n
        var = np.einsum("ij,ij->i", psi, psi) / self.n
        llf = -0.5 * self.n * np.log(var) + (lam - 1.0) * self.jacobian
        llf[~(var >= _TINY)] = -np.inf  # also NaN; var = inf gives -inf
        return llf


def yeo_johnson_llf(lmbdas, z):
    """Profile log-likelihood ``llf(lambda)`` (module docstring) at each lambda.

    Parameters
    ----------
    lmbdas : array-like of shape (g,)
    z : array-like of shape (n,), finite

    Returns
    -------
    llf : ndarray of shape (g,)
        As ``scipy.stats.yeojohnson_llf``, with -inf where that is not finite.
    """
    llf = _ProfileLikelihood(np.asarray(z, dtype=float).ravel())
    with np.errstate(all="ignore"):
        return llf(np.atleast_1d(lmbdas))


def _parabola_vertex(x, f):
    # Maximiser of the parabola through (x[k], f[k]), k = 0, 1, 2 (x
    # increasing), clipped to [x[0], x[2]]; None unless it is concave.
    slope_01 = (f[1] - f[0]) / (x[1] - x[0])
    slope_12 = (f[2] - f[1]) / (x[2] - x[1])
    curvature = (slope_12 - slope_01) / (x[2] - x[0])
    if not (np.isfinite(curvature) and curvature < 0.0 and np.isfinite(slope_01)):
        return None
    vertex = 0.5 * (x[0] + x[1]) - slope_01 / (2.0 * curvature)
    return float(min(max(vertex, x[0]), x[2]))


def yeo_johnson_mle(z):
    """Yeo-Johnson lambda maximising ``llf`` over ``LAMBDA_BOUNDS``.

    A grid of 17 lambdas (step 0.5), then a grid of 33 over the best one +- 0.5
    (step 1/32, within the bounds), then one parabolic step through the best
    point and its neighbours, kept if it is better: three vectorised
    evaluations, and the result is within ~1e-4 of the maximiser (scipy's
    Brent: ~1e-8; the likelihood is flat there). The best lambda evaluated is
    returned, so the result is never worse than the coarse grid, and a
    likelihood with several local maxima gets the best of the grid's basins
    (Brent's method keeps the one it starts in).

    Parameters
    ----------
    z : array-like of shape (n,), finite

    Returns
    -------
    lmbda : float
        NaN if ``z`` is constant or the likelihood is nowhere finite.
    """
    z = np.asarray(z, dtype=float).ravel()
    if z.size == 0 or z.min() == z.max():
        return np.nan
    llf = _ProfileLikelihood(z)
    lo, hi = LAMBDA_BOUNDS
    with np.errstate(all="ignore"):
        grid = _COARSE
        values = llf(grid)
        i = int(np.argmax(values))
        if not np.isfinite(values[i]):
            return np.nan
        step = grid[1] - grid[0]
        for _ in range(_N_REFINE):
            # The best point so far is the middle one: no grid loses ground.
            grid = grid[i] + step * _FINE_OFFSETS
            if grid[0] < lo or grid[-1] > hi:
                grid = grid[(grid >= lo) & (grid <= hi)]
            values = llf(grid)
            i = int(np.argmax(values))
            step *= _FINE_OFFSETS[-1] - _FINE_OFFSETS[-2]
        # Through the best point and its neighbours (at a bound: the next two).
        j = min(max(i - 1, 0), grid.size - 3)
        best = grid[i]
        vertex = _parabola_vertex(grid[j : j + 3], values[j : j + 3])
        if vertex is not None and llf([vertex])[0] > values[i]:
            best = vertex
    return float(best)


# ---------------------------------------------------------------------------
# The transform
# ---------------------------------------------------------------------------


def _normal_scores(y):
    # Phi^-1(rank / (n + 1)) with average ranks for ties: the copula transform
    # of the TuRBO challenge wrapper.
    return stats.norm.ppf(stats.rankdata(y) / (y.size + 1.0))


def _standardise(v):
    loc = float(np.mean(v))
    centred = v - loc
    scale = math.sqrt(float(centred @ centred) / v.size)
    return centred / scale, loc, scale


def _quartiles(y_sorted):
    # np.percentile(y, [25, 75]) (method "linear", numpy's interpolation
    # formula) on sorted values, without its ~0.1 ms of overhead.
    n = y_sorted.size
    out = []
    for q in (0.25, 0.75):
        position = q * (n - 1)
        i = int(position)
        t = position - i
        a, b = float(y_sorted[i]), float(y_sorted[min(i + 1, n - 1)])
        out.append(b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t)
    return out


def transform_outputs(y):
    """Transform maximised scores into standardised GP targets.

    Steps (order matters; after HEBO): drop non-finite scores; winsorise the
    bad (low) tail at the Tukey fence q1 - 1.5 IQR (Ax ``Winsorize``);
    standardise; Yeo-Johnson with lambda by MLE over ``LAMBDA_BOUNDS``
    (:func:`yeo_johnson_mle`; HEBO's largest ablation gain); standardise
    again. If Yeo-Johnson returns non-finite values, merges distinct scores (an
    extreme lambda in floating point) or has no spread, fall back to normal
    scores Phi^-1(rank / (n + 1)), standardised. Scores that do not vary
    (std <= 1e-12 relative to their magnitude) all map to 0.

    Every step is non-decreasing, so the argmax is kept.

    Parameters
    ----------
    y : array-like of shape (n_raw,)
        Scores, greater is better. NaN and +-inf are dropped (the caller
        handles failures separately).

    Returns
    -------
    y_t : ndarray of shape (n,)
        Transformed finite scores, in the order of ``y[info.kept]``. Mean 0 and
        standard deviation 1 unless constant (all 0) or empty.
    info : OutputTransform
        What was done, with :meth:`OutputTransform.apply` for new scores.
    """
    y = np.asarray(y, dtype=float).ravel()
    kept = np.isfinite(y)
    y = y[kept]
    if y.size == 0:
        return y, OutputTransform("empty", kept)

    order = np.argsort(y, kind="stable")
    y_sorted = y[order]
    q1, q3 = _quartiles(y_sorted)
    lower = q1 - 1.5 * (q3 - q1) if q3 > q1 else -np.inf
    n_winsorised = int(np.searchsorted(y_sorted, lower))  # count of y < lower
    if n_winsorised:
        y = np.maximum(y, lower)
        y_sorted = np.maximum(y_sorted, lower)

    shift = float(np.mean(y))
    # Relative test: scores of order 1e-12 that vary are not constant.
    magnitude = max(abs(float(y_sorted[0])), abs(float(y_sorted[-1])))
    with np.errstate(over="ignore", under="ignore"):
        scale = math.sqrt(float((y - shift) @ (y - shift)) / y.size)
    if not 0.0 < scale < math.inf and y_sorted[-1] > y_sorted[0]:
        # Deviations below ~1e-162 or above ~1e154 square out of the float
        # range: the same standard deviation, computed on y / magnitude.
        scaled = (y - shift) / magnitude
        scale = magnitude * math.sqrt(float(scaled @ scaled) / y.size)
    if scale <= max(1e-12 * magnitude, 1e-300):
        return np.zeros_like(y), OutputTransform(
            "constant", kept, lower, n_winsorised, shift, 1.0
        )
    z = (y - shift) / scale
    common = dict(kept=kept, lower=lower, n_winsorised=n_winsorised)

    lmbda = yeo_johnson_mle(z)
    if np.isfinite(lmbda):
        z_yj = yeo_johnson(z, lmbda)
        # psi is increasing: sorted z stays sorted, and distinct scores must
        # stay distinct (an extreme lambda can merge them in floating point).
        usable = bool(np.isfinite(z_yj).all())
        if usable:
            step_yj = np.diff(z_yj[order])
            usable = bool(
                np.all(
                    (step_yj > 0.0) | ((step_yj == 0.0) & (np.diff(y_sorted) == 0.0))
                )
            )
    else:
        usable = False
    if usable:
        y_t, loc, scale_t = _standardise(z_yj)
        usable = math.isfinite(scale_t) and scale_t > 0.0
    if usable:
        return y_t, OutputTransform(
            "yeo-johnson",
            shift=shift,
            scale=scale,
            lmbda=lmbda,
            loc=loc,
            scale_t=scale_t,
            **common,
        )

    y_t, loc, scale_t = _standardise(_normal_scores(y))
    ref_raw, first = np.unique(y, return_index=True)
    return y_t, OutputTransform(
        "rank",
        shift=shift,
        scale=scale,
        loc=loc,
        scale_t=scale_t,
        ref_raw=ref_raw,
        ref_y=y_t[first],
        **common,
    )

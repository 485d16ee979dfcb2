"""Dimensions: the values one parameter may take, with a prior and a unit encoding.

A dimension describes a single parameter: :class:`Real`, :class:`Integer` or
:class:`Categorical`, built directly or with the HyperDrive-style constructors
(:func:`choice`, :func:`randint`, :func:`uniform`, :func:`loguniform`, ...).
:func:`as_dimension` turns one value of a scikit-learn parameter dict (a list,
a ``scipy.stats`` distribution, a dimension) into a dimension. Use this module
to define, sample or encode one parameter; use :mod:`sklearn_bayestune._space`
(:class:`~sklearn_bayestune._space.SearchSpace`) for a whole ``param_grid`` /
``param_distributions``: several keys, alternative subspaces, and the flat
encoding of candidates the searchers and the optimiser work on.

Each dimension maps its values into [0, 1] so that a uniform ``u`` decodes to
a value that follows the dimension's prior (the inverse-CDF trick): affine for
a uniform prior, affine in log space for a log-uniform prior, the prior's CDF
renormalised to the bounds for a ``scipy.stats`` prior. A discrete value owns
a cell of [0, 1] whose width is its prior probability, and is encoded as the
cell centre. See section A.1 of the design notes for the sources (Optuna,
SMAC, Garrido-Merchan 2020).

Notation
--------
u : float in [0, 1]
    Unit encoding of one value of one dimension.
t : float in [0, 1]
    Warped coordinate of a value: affine, log-affine or CDF map of the value
    over the (padded) range; ``u == t`` for continuous dimensions, and the
    mean of ``t`` over a cell for discrete ones.
k : float
    Lattice index of an ordered discrete value, ``value == k * step``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
from scipy import stats

__all__ = [
    "Categorical",
    "Dimension",
    "Integer",
    "Real",
    "as_dimension",
    "choice",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]

# Prior mass left out of the encoded range on each side of a distribution
# prior where it has a tail that no bound ends: an unbounded side, or a
# support end where a continuous prior's density is 0 or infinite (3.7
# standard deviations of a normal). A search proposes nothing there: the
# acquisition optimiser often lands on the range's ends, and with the whole
# tail encoded an end is a value the prior all but rules out
# (n_neighbors=33 for a poisson(5), p=-0.46 for a norm(2, 0.3)).
_TAIL_MASS = 1e-4
# Smallest margin kept from 0 and 1 where the CDF rounds to 0 or 1, so that
# ``ppf`` returns a finite value: 2**-53 is the spacing of doubles below 1.
_EPS = 2.0**-53

_STRING_PRIORS = ("uniform", "log-uniform")

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _where(name: str | None, parameter: str | None) -> str:
    """Prefix of an error message naming the parameter key."""
    if name is None:
        return ""
    return f"Parameter {name!r}" + (f" in {parameter}" if parameter else "") + ": "


def _describe(value) -> str:
    return f"{value!r} ({type(value).__name__})"


def _plain(x):
    """A numpy scalar as the equivalent Python scalar (for repr and lists)."""
    return x.item() if isinstance(x, np.generic) else x


def _repr_number(x) -> str:
    x = _plain(x)
    if isinstance(x, float) and math.isinf(x):
        return "np.inf" if x > 0 else "-np.inf"
    return repr(x)


def _is_real_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _check_random_state(random_state):
    """A ``Generator`` or ``RandomState`` from None, an int or either of those."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, (np.random.Generator, np.random.RandomState)):
        return random_state
    accepted = (
        "random_state must be None, a non-negative int, a numpy.random.RandomState "
        f"or a numpy.random.Generator; got {_describe(random_state)}."
    )
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, (bool, np.bool_)
    ):
        if random_state < 0:
            raise ValueError(accepted)
        return np.random.default_rng(int(random_state))
    raise TypeError(accepted)


def _check_scalar_parameters(prior, where):
    # Array parameters freeze a vector of distributions, which fails later
    # with numpy's "truth value of an array is ambiguous".
    if any(np.ndim(arg) for arg in (*prior.args, *prior.kwds.values())):
        raise ValueError(
            f"{where}a scipy.stats distribution must have scalar parameters (one "
            f"distribution per parameter); got {prior.dist.name} with args "
            f"{prior.args} and kwds {prior.kwds}."
        )


def _is_frozen(obj) -> bool:
    """Whether ``obj`` is a frozen ``scipy.stats`` distribution."""
    return (
        isinstance(getattr(obj, "dist", None), (stats.rv_continuous, stats.rv_discrete))
        and hasattr(obj, "args")
        and hasattr(obj, "kwds")
    )


def _dist_params(dist) -> dict | None:
    """Keyword form of a frozen distribution's parameters, or None if unusual.

    ``norm(0, 1)``, ``norm(loc=0)`` and ``norm()`` all give
    ``{"loc": 0.0, "scale": 1.0}``, so that equal priors compare equal.
    """
    gen = dist.dist
    names = [s.strip() for s in gen.shapes.split(",")] if gen.shapes else []
    n_shapes = len(names)
    discrete = isinstance(gen, stats.rv_discrete)
    names += ["loc"] if discrete else ["loc", "scale"]
    if len(dist.args) > len(names):
        return None
    params = dict(zip(names, dist.args))
    for key, value in dist.kwds.items():
        if key not in names or key in params:
            return None
        params[key] = value
    params.setdefault("loc", 0 if discrete else 0.0)
    if not discrete:
        params.setdefault("scale", 1.0)
    if any(key not in params for key in names[:n_shapes]):
        return None
    out = {}
    for key in names:
        value = params[key]
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        value = _plain(value)
        if not _is_real_number(value):
            return None
        # Continuous parameters print as floats: stats.norm(loc=0.0, scale=1.0).
        out[key] = value if discrete else float(value)
    return out


def _is_canonical(dist) -> bool:
    """Whether ``stats.<name>(**params)`` rebuilds ``dist``."""
    gen = dist.dist
    public = getattr(stats, str(gen.name), None)
    return type(public) is type(gen) and _dist_params(dist) is not None


def _repr_prior(prior) -> str:
    if not _is_frozen(prior) or not _is_canonical(prior):
        return repr(prior)
    args = ", ".join(f"{k}={_repr_number(v)}" for k, v in _dist_params(prior).items())
    return f"stats.{prior.dist.name}({args})"


def _same_prior(a, b) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if a is b:
        return True
    if not (_is_frozen(a) and _is_frozen(b) and _is_canonical(a) and _is_canonical(b)):
        return False
    return (
        type(a.dist) is type(b.dist)
        and a.dist.name == b.dist.name
        and _dist_params(a) == _dist_params(b)
    )


def _same_number(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _same_category(a, b) -> bool:
    """``a == b`` when that is a bool, identity otherwise; True never equals 1."""
    if a is b:
        return True
    if isinstance(a, (bool, np.bool_)) != isinstance(b, (bool, np.bool_)):
        return False
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False  # == is elementwise (and warns on old numpy), never a bool
    try:
        equal = a == b
    except Exception:  # any object may be a category, with any __eq__
        return False
    return isinstance(equal, (bool, np.bool_)) and bool(equal)


# --------------------------------------------------------------------------
# Dimensions
# --------------------------------------------------------------------------


class Dimension:
    """Base class of :class:`Real`, :class:`Integer` and :class:`Categorical`.

    A dimension is the set of values one parameter may take, with a prior over
    them and an encoding into [0, 1]. Its constructor only stores its
    arguments; ``_check`` validates them (called by ``SearchSpace`` and
    lazily by the first sampling or encoding call).

    Attributes
    ----------
    kind : {"real", "integer", "categorical"}
        How the optimiser treats the dimension: ``"categorical"`` is unordered
        (Hamming distance); ``"integer"`` is an ordered lattice (Integer, or a
        Real with a step), snapped to its cells; ``"real"`` is continuous.
    n_choices : int or None
        Number of values of a finite dimension, None for an infinite one.
    """

    kind: str = ""

    # ---- validation -------------------------------------------------------
    def _check(self, name: str | None = None, *, parameter: str | None = None):
        raise NotImplementedError

    def __getstate__(self):
        # Only the constructor's arguments: the caches that checking fills in
        # are rebuilt on first use, so pickles and hashes (the checkpoint's
        # fingerprint) do not depend on whether the dimension was used yet.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        try:  # rebuild the caches now; an invalid dimension reports at use
            self._check()
        except (TypeError, ValueError):
            pass

    def _ensure_checked(self):
        if not self.__dict__.get("_is_checked", False):
            self._check()

    # ---- hooks of the subclasses (codes: values, lattice indices or category
    # indices, as arrays) ----------------------------------------------------
    def _decode(self, u: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _encode(self, codes: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _codes_of(self, values) -> np.ndarray:
        raise NotImplementedError

    def _values_of(self, codes: np.ndarray) -> list:
        raise NotImplementedError

    def _all_codes(self) -> np.ndarray:
        raise NotImplementedError

    def _distinct_codes(self) -> np.ndarray:
        """The codes a search can propose: each value once, if it decodes."""
        raise NotImplementedError

    def _n_distinct(self) -> int:
        return len(self._distinct_codes())

    # ---- public API -------------------------------------------------------
    @property
    def n_choices(self) -> int | None:
        """Number of values of a finite dimension, None for an infinite one."""
        self._ensure_checked()
        return self._n_choices

    def values(self) -> list:
        """All values of a finite dimension, in order.

        Returns
        -------
        values : list
            The values, as ``from_unit`` returns them.
        """
        self._ensure_checked()
        if self._n_choices is None:
            raise ValueError(
                f"{self!r} has infinitely many values; only a finite dimension "
                "(Categorical, Integer with finite bounds, Real with a step and "
                "finite bounds) can list its values."
            )
        return self._values_of(self._all_codes())

    def unit_choices(self) -> np.ndarray:
        """Unit encodings of all values of a finite dimension, sorted.

        Returns
        -------
        u : ndarray of shape (n_choices,)
        """
        self.values()  # raises for an infinite dimension
        # Snapped and unique: a duplicated category shares its first cell.
        return np.unique(self.snap_unit(self._encode(self._all_codes())))

    def to_unit(self, values) -> np.ndarray:
        """Encode values into [0, 1].

        Parameters
        ----------
        values : array-like of shape (n,)
            Members of the dimension.

        Returns
        -------
        u : ndarray of shape (n,)
        """
        self._ensure_checked()
        return self._encode(self._codes_of(values))

    def from_unit(self, u) -> list:
        """Decode unit values, snapping each to the nearest valid value.

        Parameters
        ----------
        u : array-like of shape (n,)
            Unit values; values outside [0, 1] are clipped.

        Returns
        -------
        values : list of length n
        """
        self._ensure_checked()
        return self._values_of(self._decode(_as_unit(u)))

    def snap_unit(self, u) -> np.ndarray:
        """Project unit values onto the encodings of valid values.

        Equals ``to_unit(from_unit(u))``: cell centres for a discrete
        dimension, ``u`` clipped into [0, 1] for a continuous one.

        Parameters
        ----------
        u : array-like of shape (n,)

        Returns
        -------
        u_snapped : ndarray of shape (n,)
        """
        self._ensure_checked()
        return self._encode(self._decode(_as_unit(u)))

    def rvs(self, size: int | tuple | None = None, random_state=None):
        """Draw values from the prior.

        Duck-compatible with a frozen ``scipy.stats`` distribution, so that
        scikit-learn's ``ParameterSampler`` and ``RandomizedSearchCV`` accept a
        dimension wherever they accept a distribution.

        Parameters
        ----------
        size : int or tuple of int, default=None
            None draws one value; an int or tuple draws that many.
        random_state : int, RandomState or Generator, default=None
            Source of randomness; None uses fresh entropy.

        Returns
        -------
        value : object or ndarray or list
            One value (a Python scalar, or the category itself) when ``size``
            is None; otherwise an ndarray for Real and Integer and a list
            (an object array for a tuple ``size``) for Categorical.
        """
        self._ensure_checked()
        u = _check_random_state(random_state).uniform(size=size)
        if size is None:
            return self._values_of(self._decode(np.array([u])))[0]
        return self._array_of(self._decode(np.ravel(u)), np.shape(u))

    def _array_of(self, codes, shape):
        return np.asarray(self._values_of(codes)).reshape(shape)


_MAX_EXACT_INT = 2.0**53
# Finite lattices up to this size list the values their prior can reach.
_MAX_LISTED = 10**4
# scipy computes the CDF of some discrete distributions (zipf, logser,
# betanbinom, ...) by summing the pmf up to the value: their encoding holds
# at most this many values past the first one, an unbounded prior's tail
# being cut there when it holds at most _NEGLIGIBLE_TAIL of the mass (1 - a
# sum of ~1e6 terms is only good to ~1e-12).
_MAX_SUMMED = 10**6
_NEGLIGIBLE_TAIL = 1e-9


def _density_at_support_ends(prior) -> np.ndarray:
    """The density of a continuous prior at the two ends of its support.

    Read on the standard distribution (loc 0, scale 1): loc and scale do not
    change whether it is 0, finite or infinite there, and a shifted end
    (0.1 + 0.2) can fall a rounding error outside the support, where the
    density is 0.
    """
    params = _dist_params(prior)
    with np.errstate(all="ignore"):
        if params is None:  # unusual parameters: read the prior as it is
            return prior.pdf(prior.support())
        shapes = [v for k, v in params.items() if k not in ("loc", "scale")]
        return prior.dist.pdf(prior.dist.support(*shapes), *shapes)


def _cdf_is_summed(prior):
    """Whether scipy computes the prior's CDF by summing its pmf (zipf, logser)."""
    return (
        isinstance(prior.dist, stats.rv_discrete)
        and type(prior.dist)._cdf is stats.rv_discrete._cdf
    )


def _summable_support_end(prior, first, last, where):
    """The last value to encode, for a prior whose CDF scipy sums.

    ``last`` itself when at most ``_MAX_SUMMED`` values follow ``first``; for
    an unbounded prior, where the tail beyond holds a negligible part of the
    mass, the value ``_MAX_SUMMED`` after ``first``.
    """
    if last - first <= _MAX_SUMMED:
        return last
    if last == np.inf:
        with np.errstate(all="ignore"):
            tail = prior.sf(first + _MAX_SUMMED) / prior.sf(first - 1)
        if tail <= _NEGLIGIBLE_TAIL:
            return first + _MAX_SUMMED
    first = int(first)
    why = "its tail is too heavy to cut" if last == np.inf else "the bounds are wider"
    raise UnencodablePriorError(
        f"{where}the prior {_repr_prior(prior)} is encoded over at most "
        f"{_MAX_SUMMED} values, as scipy computes its CDF by summing its "
        f"probabilities, and {why}. Give bounds at most {_MAX_SUMMED} apart, "
        f"e.g. Integer({first}, {first + 1000}, prior=...)."
    )


class UnencodablePriorError(ValueError):
    """A discrete prior the encoding cannot follow.

    One whose CDF scipy sums and that reaches too far, or one shifted by a
    non-integer ``loc``. It can still be sampled by its ``rvs``.
    """


def _check_integer_loc(prior, where):
    # scipy draws int(k + loc), truncated towards zero, while its CDF is that
    # of k + loc: a half-integer loc merges two support points into one value
    # and leaves every other value with no mass.
    loc = (_dist_params(prior) or {}).get("loc", prior.kwds.get("loc", 0))
    if loc != math.floor(loc):
        raise UnencodablePriorError(
            f"{where}the discrete prior {_repr_prior(prior)} has the non-integer "
            f"loc {_repr_number(float(loc))}: scipy draws its values truncated "
            "to integers, which no CDF of the prior describes. Give an integer "
            "loc."
        )


def _lattice_tol(k):
    """How far ``value / step`` may sit from the integer ``k`` and still be on it.

    Relative, for the rounding of ``k * step``; capped, so that a value half a
    step away on a huge lattice is never taken for a lattice point.
    """
    return np.minimum(1e-9 * np.maximum(1.0, np.abs(k)), 1e-3)


def _lattice_bound(r: float, towards) -> float:
    """First lattice index inside a bound at ``r = bound / step``.

    ``towards`` is ``math.ceil`` for a lower bound and ``math.floor`` for an
    upper one; a bound within rounding error of a multiple keeps it.
    """
    if not np.isfinite(r):
        return r
    k = round(r)
    return float(k if abs(r - k) <= _lattice_tol(k) else towards(r))


def _as_unit(u) -> np.ndarray:
    u = np.asarray(u, dtype=float)
    if u.ndim > 1:
        raise ValueError(f"Unit values must be 1-D; got an array of shape {u.shape}.")
    u = u.reshape(-1)
    if np.isnan(u).any():
        raise ValueError("Unit values must not be NaN.")
    return u


class _Ordered(Dimension):
    """Shared machinery of :class:`Real` and :class:`Integer`.

    A value ``x`` is warped to ``t`` in [0, 1] over the range ``[a, b]``:
    the bounds for a continuous Real, and the bounds padded by half a step for
    a lattice (Integer, or Real with a step), so that each lattice value
    ``k * step`` owns the cell ``[warp(v - step/2), warp(v + step/2)]``.
    """

    _prior_kinds: tuple = ()

    def _setup(self, name, parameter, *, lo, hi, step, decimals):
        """Compute the encoding once the arguments are validated."""
        where = _where(name, parameter)
        prior = self.prior
        self._cdf_table = None
        if not isinstance(prior, str):
            # Values outside the prior's support can never be drawn.
            s_lo, s_hi = (float(s) for s in prior.support())
            if isinstance(prior.dist, stats.rv_discrete):
                _check_integer_loc(prior, where)
            if _cdf_is_summed(prior):
                first = max(lo, s_lo)
                s_hi = _summable_support_end(prior, first, min(hi, s_hi), where)
                # One cumulative sum from the first value, read by lookups
                # (the encoding only needs the CDF up to a constant): scipy
                # sums anew from the support's start for each value, and its
                # generic ppf can fail to converge (zipf(2) at some cells).
                pmf = prior.pmf(np.arange(first, s_hi + 1))
                self._cdf_table = (first, np.cumsum(pmf))
            if step is None:
                lo, hi = max(lo, s_lo), min(hi, s_hi)
            else:
                lo = (
                    max(lo, step * math.ceil(s_lo / step - 0.5))
                    if s_lo > -np.inf
                    else lo
                )
                hi = (
                    min(hi, step * math.floor(s_hi / step + 0.5))
                    if s_hi < np.inf
                    else hi
                )
        if step is None:
            kmin = kmax = None
            a, b = lo, hi
        else:
            kmin = _lattice_bound(lo / step, math.ceil)
            kmax = _lattice_bound(hi / step, math.floor)
            if kmin > kmax:
                raise ValueError(
                    f"{where}{self!r} holds no multiple of step={_repr_number(step)} "
                    "between its bounds (within the prior's support). Widen the "
                    "bounds or use a smaller step."
                )
            a, b = kmin * step - step / 2, kmax * step + step / 2
        self._lo, self._hi, self._step, self._decimals = lo, hi, step, decimals
        self._kmin, self._kmax = kmin, kmax
        tail = [False, False]
        if isinstance(prior, str) and prior == "uniform":
            if not math.isfinite(b - a):
                raise ValueError(
                    f"{where}high - low overflows a float; got "
                    f"low={_repr_number(self.low)}, high={_repr_number(self.high)}. "
                    "Narrow the bounds or use the 'log-uniform' prior."
                )
            self._warp_kind, self._za, self._zb = "uniform", a, b
        elif isinstance(prior, str):  # "log-uniform"
            self._warp_kind, self._za, self._zb = "log", math.log(a), math.log(b)
        else:
            self._warp_kind = "cdf"
            with np.errstate(all="ignore"):
                self._za, self._zb = (float(self._prior_cdf(z)) for z in (a, b))
            if not (np.isfinite(self._za) and np.isfinite(self._zb)):
                raise ValueError(
                    f"{where}the prior {_repr_prior(prior)} gives a NaN CDF; check its "
                    "parameters (a scale must be positive)."
                )
            if not self._zb > self._za:
                raise ValueError(
                    f"{where}the prior {_repr_prior(prior)} has no probability mass "
                    f"between low={_repr_number(self.low)} and "
                    f"high={_repr_number(self.high)}. Move the bounds into the "
                    "prior's bulk or change the prior."
                )
            # Leave the outer _TAIL_MASS of the prior out where neither the
            # user nor the prior ends the range: an unbounded side, or the
            # support's end of a continuous Real where the density is 0 or
            # infinite (a lognorm or a gamma at 0), a value the prior never
            # draws. Bounds the user gives stay exact, and so does a support
            # end with a finite, positive density (stats.expon at 0). The map
            # stays the CDF rescaled, so uniform draws decode to the prior
            # truncated there.
            s_lo, s_hi = (float(s) for s in prior.support())
            tail = [
                float(self.low) == s_lo == -np.inf,
                float(self.high) == s_hi == np.inf,
            ]
            if step is None and isinstance(prior.dist, stats.rv_continuous):
                density = _density_at_support_ends(prior)
                tail[0] |= a <= s_lo and not 0 < density[0] < np.inf
                tail[1] |= b >= s_hi and not 0 < density[1] < np.inf
            mass = self._zb - self._za
            self._za += _TAIL_MASS * mass if tail[0] else 0.0
            self._zb -= _TAIL_MASS * mass if tail[1] else 0.0
        with np.errstate(all="ignore"):
            ends = self._unwarp(np.array([0.0, 1.0]))
            singular = [not np.isfinite(end) for end in ends]
        self._tmin = _EPS if singular[0] else 0.0
        self._tmax = 1.0 - _EPS if singular[1] else 1.0
        # What t = 0 and t = 1 decode to: the bounds, exactly, unless a tail
        # was left out there.
        self._x_ends = tuple(
            float(end) if in_tail else bound
            for in_tail, end, bound in zip(tail, ends, (lo, hi))
        )
        if not np.isfinite(self._unwarp(np.array([self._tmin, self._tmax]))).all():
            raise ValueError(
                f"{where}the prior {_repr_prior(prior)} is too heavy-tailed to encode; "
                "give finite bounds."
            )
        # A grid lists the values between bounds: none where the range has no
        # end (a summed CDF's cut is not one the user chose).
        finite = step is not None and np.isfinite(kmin) and np.isfinite(kmax)
        finite = finite and not any(tail)
        self._n_choices = int(kmax - kmin) + 1 if finite else None
        # A search proposes the lattice values between the ones t = 0 and t = 1
        # decode to, finitely many even on an unbounded side (its tail is
        # left out), and far in a prior's tail only those a cell survives for.
        self._k_ends = self._reachable = None
        if step is not None:
            k0, k1 = self._k_ends = tuple(self._decode(np.array([0.0, 1.0])))
            if self._warp_kind == "cdf" and k1 - k0 < _MAX_LISTED:
                codes = np.arange(k0, k1 + 1)
                self._reachable = np.unique(self._decode(self._encode(codes)))
        self._is_checked = True

    def _check_prior(self, where, accepted):
        prior = self.prior
        if isinstance(prior, str):
            if prior not in _STRING_PRIORS:
                # skopt and scipy spell it "log-uniform" and "loguniform".
                lower, hint = prior.lower(), ""
                if "log" in lower or "unif" in lower:
                    guess = "log-uniform" if "log" in lower else "uniform"
                    hint = f" Did you mean {guess!r}?"
                raise ValueError(
                    f"{where}unknown prior {prior!r}; expected 'uniform', "
                    f"'log-uniform' or {accepted}.{hint}"
                )
            return
        if not _is_frozen(prior) or not isinstance(prior.dist, self._prior_kinds):
            hint = ""
            if _is_frozen(prior):
                hint = " Use Integer for a discrete distribution."
            raise TypeError(
                f"{where}prior must be 'uniform', 'log-uniform' or {accepted}; got "
                f"{_describe(prior)}.{hint}"
            )
        _check_scalar_parameters(prior, where)

    def _check_bounds(self, where):
        cls = type(self).__name__
        for label, bound in (("low", self.low), ("high", self.high)):
            if not _is_real_number(bound):
                raise TypeError(
                    f"{where}{cls} bounds must be real numbers; got "
                    f"{label}={_describe(bound)}."
                )
            if math.isnan(bound):
                raise ValueError(
                    f"{where}{cls} bounds must not be NaN; got {label}=nan."
                )
            if isinstance(self.prior, str) and math.isinf(bound):
                raise ValueError(
                    f"{where}{cls} bounds must be finite with "
                    f"prior={self.prior!r}; got {label}={_repr_number(bound)}. "
                    "For an unbounded range pass a "
                    "scipy.stats distribution as prior, e.g. "
                    "Real(-np.inf, np.inf, prior=stats.norm(0, 1))."
                )
        if (
            isinstance(self.prior, str)
            and self.prior == "log-uniform"
            and not self.low > 0
        ):
            needs = ">= 1" if isinstance(self, Integer) else "> 0"
            raise ValueError(
                f"{where}the 'log-uniform' prior needs low {needs}; got "
                f"low={_repr_number(self.low)}. Use a positive lower bound or "
                "prior='uniform'."
            )

    # ---- warp --------------------------------------------------------------
    def _warp(self, x: np.ndarray) -> np.ndarray:
        if self._warp_kind == "uniform":
            z = x
        elif self._warp_kind == "log":
            z = np.log(x)
        else:
            z = self._prior_cdf(x)
        return (z - self._za) / (self._zb - self._za)

    def _prior_cdf(self, x):
        # A discrete prior's CDF is a step function: evaluated at integers,
        # where scipy always defines it (hypergeom's is NaN at 3.5).
        if isinstance(self.prior.dist, stats.rv_discrete):
            x = np.floor(x)
        if self._cdf_table is None:
            return self.prior.cdf(x)
        first, cdf = self._cdf_table
        i = np.clip(x - first, -1, len(cdf) - 1).astype(np.intp)
        return np.where(i >= 0, cdf[np.maximum(i, 0)], 0.0)

    def _prior_ppf(self, q):
        if self._cdf_table is None:
            return self.prior.ppf(q)
        first, cdf = self._cdf_table
        return first + np.minimum(np.searchsorted(cdf, q, side="left"), len(cdf) - 1)

    def _unwarp(self, t: np.ndarray) -> np.ndarray:
        z = self._za + t * (self._zb - self._za)
        if self._warp_kind == "uniform":
            return z
        if self._warp_kind == "log":
            return np.exp(z)
        return self._prior_ppf(np.clip(z, self._za, self._zb))

    # ---- codes: values (continuous) or lattice indices k (discrete) ---------
    def _decode(self, u):
        t = np.clip(u, self._tmin, self._tmax)
        x = self._unwarp(t)
        if self._step is None:
            # Exact bounds at the ends, which exp(log(low)) may miss by an ulp.
            x_lo, x_hi = self._x_ends
            x = np.where(t <= 0.0, x_lo, np.where(t >= 1.0, x_hi, x))
            return np.clip(x, x_lo, x_hi)
        k = self._lattice_index(x)
        if self._warp_kind == "cdf":
            # In the far upper tail of a distribution prior a cell can be
            # narrower than the float spacing near 1, so its centre decodes to
            # a neighbour. Move such codes down to the first one that survives
            # encode -> decode (k only decreases), so that snapping is
            # idempotent.
            for _ in range(64):
                again = self._lattice_index(self._unwarp(self._encode(k)))
                if np.array_equal(again, k):
                    break
                k = again
        return k

    def _lattice_index(self, x):
        return np.clip(np.rint(x / self._step), self._kmin, self._kmax)

    def _encode(self, codes):
        if self._step is None:
            return np.clip(self._warp(codes), self._tmin, self._tmax)
        v, h = codes * self._step, self._step / 2
        cell = np.clip(self._warp(np.stack([v - h, v + h])), 0.0, 1.0)
        return np.clip(cell.mean(axis=0), self._tmin, self._tmax)

    def _codes_of(self, values):
        if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
            values = values.reshape(-1)
            x = values.astype(float)
        else:  # bools, strings and None are no numbers here
            values = list(values)
            x = np.array([float(v) if _is_real_number(v) else np.nan for v in values])
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(x) & (x >= self._lo) & (x <= self._hi)
            if self._step is not None:
                r = x / self._step
                x = np.rint(r)
                ok &= np.abs(r - x) <= _lattice_tol(x)
        if not ok.all():
            bad = values[np.flatnonzero(~ok)[0]]
            raise ValueError(f"{bad!r} is not a value of {self!r}.")
        return x

    def _all_codes(self):
        return np.arange(self._kmin, self._kmax + 1, dtype=float)

    def _distinct_codes(self):
        # Cells far in a prior's tail are narrower than the float spacing and
        # decode to a neighbour: a search can only propose the values that
        # come back.
        if self._reachable is not None:
            return self._reachable
        return np.arange(self._k_ends[0], self._k_ends[1] + 1)

    def _n_distinct(self):  # without listing a lattice of any size
        if self._reachable is not None:
            return len(self._reachable)
        if self._k_ends is None:  # a continuous Real
            return None
        return int(self._k_ends[1] - self._k_ends[0]) + 1

    def snap_unit(self, u) -> np.ndarray:
        self._ensure_checked()
        if self._step is None:  # exact identity, not warp(unwarp(u)) up to rounding
            return np.clip(_as_unit(u), self._tmin, self._tmax)
        return super().snap_unit(u)

    snap_unit.__doc__ = Dimension.snap_unit.__doc__

    def __contains__(self, value) -> bool:
        # Scalar path of _codes_of: SearchSpace.check_params calls this per value.
        self._ensure_checked()
        if not _is_real_number(value):
            return False
        x = float(value)
        if not (math.isfinite(x) and self._lo <= x <= self._hi):
            return False
        if self._step is None:
            return True
        r = x / self._step
        return bool(abs(r - round(r)) <= _lattice_tol(round(r)))

    # ---- comparison -------------------------------------------------------
    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return (
            _same_number(self.low, other.low)
            and _same_number(self.high, other.high)
            and _same_prior(self.prior, other.prior)
            and _same_number(getattr(self, "step", None), getattr(other, "step", None))
        )

    def __hash__(self):
        try:
            return hash((type(self).__name__, self.low, self.high))
        except TypeError:
            return hash(type(self).__name__)


class Real(_Ordered):
    """A real-valued parameter in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, ``low < high``. They may be ``-np.inf`` / ``np.inf``
        when ``prior`` is a distribution.
    prior : {"uniform", "log-uniform"} or frozen scipy.stats distribution, \
            default="uniform"
        Distribution of the values. ``"log-uniform"`` needs ``low > 0``. A
        frozen continuous distribution (``stats.norm(0, 1)``) is truncated to
        ``[low, high]``; this is how unbounded normal or lognormal
        parameters are written (an unbounded side stops at the ``1e-4``
        quantile; see Notes).
    step : float, default=None
        Quantisation: the values are the multiples of ``step`` within
        ``[low, high]``, ``round(x / step) * step``. Each multiple gets the
        prior probability of its cell ``[v - step/2, v + step/2]`` (the
        bounds padded by half a step, so with a uniform prior every multiple
        is equally likely).

    Attributes
    ----------
    kind : {"real", "integer"}
        ``"real"`` without a step; ``"integer"`` with a step, meaning an
        ordered discrete lattice, searched like an :class:`Integer`.

    See Also
    --------
    Integer : An integer-valued parameter.
    Categorical : An unordered parameter.

    Notes
    -----
    The unit encoding is affine for the uniform prior, affine in log space for
    the log-uniform prior and the prior's CDF renormalised to
    ``[cdf(low), cdf(high)]`` for a distribution. Where neither the bounds
    nor the prior end the range (an unbounded side, or, without a step, a
    support end where the prior's density is 0 or infinite), that end moves in by
    ``1e-4`` of the mass: [0, 1] stops at the ``1e-4`` or ``1 - 1e-4``
    quantile of the prior truncated to the bounds, searches propose nothing
    beyond it, ``rvs`` draws the prior truncated there, and values beyond
    are encoded at the end.
    Round trips ``from_unit(to_unit(x))`` are exact to about ``1e-15`` times
    the range (relative for the log-uniform prior); values in the extreme
    upper tail of a bounded distribution prior (beyond its ``1 - 1e-15``
    quantile) cannot be resolved in [0, 1] and come back as that quantile.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import stats
    >>> from sklearn_bayestune._dimensions import Real
    >>> C = Real(1e-3, 1e3, prior="log-uniform")
    >>> C.to_unit([1e-3, 1.0, 1e3])
    array([0. , 0.5, 1. ])
    >>> C.from_unit([0.5])
    [1.0]
    >>> C.rvs(random_state=0) in C
    True
    >>> Real(0.0, 1.0, step=0.25).values()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> Real(-np.inf, np.inf, prior=stats.norm(0, 1)).from_unit([0.5])
    [0.0]
    """

    _prior_kinds = (stats.rv_continuous,)

    def __init__(self, low, high, prior="uniform", *, step=None):
        self.low = low
        self.high = high
        self.prior = prior
        self.step = step

    @property
    def kind(self) -> str:
        """``"real"``, or ``"integer"`` (an ordered lattice) with a ``step``."""
        return "real" if self.step is None else "integer"

    def _check(self, name: str | None = None, *, parameter: str | None = None):
        where = _where(name, parameter)
        self._check_prior(where, "a frozen scipy.stats continuous distribution")
        self._check_bounds(where)
        if not self.low < self.high:
            raise ValueError(
                f"{where}Real needs low < high; got low={_repr_number(self.low)}, "
                f"high={_repr_number(self.high)}. For a single value use a list, "
                "e.g. [1.0]."
            )
        step, decimals = self.step, None
        if step is not None:
            if not _is_real_number(step) or not (0 < step < np.inf):
                raise ValueError(
                    f"{where}step must be a positive finite number or None; got "
                    f"step={_describe(step)}."
                )
            step = float(step)
            # Round k * step to the decimals of step, so that 3 * 0.1 reads 0.3.
            _, digits, exponent = Decimal(repr(step)).as_tuple()
            if len(digits) <= 12:
                decimals = max(0, -exponent)
        self._setup(
            name,
            parameter,
            lo=float(self.low),
            hi=float(self.high),
            step=step,
            decimals=decimals,
        )

    def _values_of(self, codes):
        if self._step is None:
            return codes.tolist()
        v = codes * self._step
        if self._decimals is not None:
            v = np.round(v, self._decimals)
        # + 0.0 turns the -0.0 of a code rounded up from below zero into 0.0.
        return (np.clip(v, self._lo, self._hi) + 0.0).tolist()

    def __repr__(self):
        args = [_repr_number(self.low), _repr_number(self.high)]
        if not (isinstance(self.prior, str) and self.prior == "uniform"):
            args.append(f"prior={_repr_prior(self.prior)}")
        if self.step is not None:
            args.append(f"step={_repr_number(self.step)}")
        return f"Real({', '.join(args)})"


class Integer(_Ordered):
    """An integer-valued parameter in ``[low, high]``, both inclusive.

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low <= high``. They may be ``-np.inf`` /
        ``np.inf`` when ``prior`` is a distribution.
    prior : {"uniform", "log-uniform"} or frozen scipy.stats distribution, \
            default="uniform"
        ``"log-uniform"`` needs ``low >= 1``. A frozen discrete distribution
        (``stats.poisson(3)``) is truncated to ``[low, high]``; a continuous
        one is discretised by rounding (the value ``k`` gets the mass of
        ``[k - 0.5, k + 0.5]``).

    Attributes
    ----------
    kind : "integer"

    See Also
    --------
    Real : A real-valued parameter, optionally quantised with ``step``.
    randint : The numpy/scipy-style ``[low, high)`` constructor.

    Notes
    -----
    The encoding pads the bounds by half a step, ``[low - 0.5, high + 0.5]``
    (in log space for the log-uniform prior, as Optuna does), so each integer
    owns a cell whose width is its prior probability and a uniform unit value
    decodes to a draw from the prior. Values at the far upper tail of a
    distribution prior, whose cell is narrower than the float resolution
    near 1, collapse onto their neighbour.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import Integer
    >>> n = Integer(1, 4)
    >>> n.to_unit([1, 2, 3, 4])
    array([0.125, 0.375, 0.625, 0.875])
    >>> n.from_unit([0.0, 0.3, 1.0])
    [1, 2, 4]
    >>> n.values()
    [1, 2, 3, 4]
    """

    kind = "integer"
    _prior_kinds = (stats.rv_continuous, stats.rv_discrete)

    def __init__(self, low, high, prior="uniform"):
        self.low = low
        self.high = high
        self.prior = prior

    def _check(self, name: str | None = None, *, parameter: str | None = None):
        where = _where(name, parameter)
        self._check_prior(where, "a frozen scipy.stats distribution")
        self._check_bounds(where)
        for label, bound in (("low", self.low), ("high", self.high)):
            if math.isfinite(bound) and bound != math.floor(bound):
                raise ValueError(
                    f"{where}Integer bounds must be integers; got "
                    f"{label}={_repr_number(bound)}. Use Real for a real-valued "
                    "parameter."
                )
        if not self.low <= self.high:
            raise ValueError(
                f"{where}Integer needs low <= high; got low={_repr_number(self.low)}, "
                f"high={_repr_number(self.high)}."
            )
        self._setup(
            name,
            parameter,
            lo=float(self.low),
            hi=float(self.high),
            step=1.0,
            decimals=0,
        )
        with np.errstate(all="ignore"):
            ends = self._unwarp(np.array([self._tmin, self._tmax]))
        if np.any(np.abs(ends) > _MAX_EXACT_INT):
            raise ValueError(
                f"{where}Integer values must lie within +-2**53, where every "
                f"integer is exact as a float; {self!r} reaches "
                f"{_repr_number(float(ends[np.argmax(np.abs(ends))]))}. Give "
                "narrower bounds."
            )

    def _values_of(self, codes):
        return codes.astype(np.int64).tolist()

    def _array_of(self, codes, shape):
        return codes.astype(np.int64).reshape(shape)

    def __repr__(self):
        args = [_repr_number(self.low), _repr_number(self.high)]
        if not (isinstance(self.prior, str) and self.prior == "uniform"):
            args.append(f"prior={_repr_prior(self.prior)}")
        return f"Integer({', '.join(args)})"


class Categorical(Dimension):
    """An unordered parameter taking one of a list of values.

    Parameters
    ----------
    categories : list, tuple or 1-D ndarray
        The values, any objects: strings, numbers, None, bools, estimators,
        callables. Duplicates are kept (as scikit-learn keeps them), which
        weights the random draws; a Bayesian search proposes each value once.

    Attributes
    ----------
    kind : "categorical"

    Notes
    -----
    With ``n`` categories, category ``i`` is encoded as ``(i + 0.5) / n`` and
    ``u`` decodes to category ``floor(u * n)``. The Bayesian optimiser
    compares categorical columns with a Hamming distance, so the order of the
    categories does not matter. Values are matched with ``==`` when it gives a
    bool, by identity otherwise (arrays, estimators), and ``True`` never
    matches ``1``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import Categorical
    >>> kernel = Categorical(["linear", "rbf", "poly", "sigmoid"])
    >>> kernel.to_unit(["linear", "sigmoid"])
    array([0.125, 0.875])
    >>> kernel.from_unit([0.3])
    ['rbf']
    >>> "rbf" in kernel, "cosine" in kernel
    (True, False)
    """

    kind = "categorical"

    def __init__(self, categories):
        self.categories = categories

    def _check(self, name: str | None = None, *, parameter: str | None = None):
        where = _where(name, parameter)
        categories = self.categories
        if isinstance(categories, (str, bytes)):
            raise TypeError(
                f"{where}categories must be a list, tuple or 1-D array of values; "
                f"got {_describe(categories)}. Did you mean [{categories!r}]?"
            )
        if isinstance(categories, np.ndarray):
            if categories.ndim != 1:
                raise ValueError(
                    f"{where}categories must be a 1-D array; got an array of shape "
                    f"{categories.shape}."
                )
        elif not isinstance(categories, Sequence):
            raise TypeError(
                f"{where}categories must be a list, tuple or 1-D array of values; "
                f"got {_describe(categories)}."
            )
        if len(categories) == 0:
            raise ValueError(
                f"{where}Categorical needs at least one category; got {categories!r}."
            )
        self._choices = list(categories)
        self._n_choices = len(self._choices)
        # Fast path of the lookup for hashable categories; the type is part of
        # the key so that True and 1 (equal hashes) stay apart.
        self._index = {}
        for i, c in enumerate(self._choices):
            try:
                self._index.setdefault((type(c), c), i)
            except TypeError:
                pass
        self._first = np.array([self._lookup(c) for c in self._choices], dtype=np.intp)
        self._is_checked = True

    def __contains__(self, value) -> bool:
        self._ensure_checked()
        try:
            self._lookup(value)
        except ValueError:
            return False
        return True

    def _lookup(self, value) -> int:
        try:
            i = self._index.get((type(value), value))
        except (TypeError, ValueError):  # unhashable, or an ambiguous ==
            i = None
        if i is not None:
            return i
        for i, c in enumerate(self._choices):
            if c is value:
                return i
        for i, c in enumerate(self._choices):
            if _same_category(c, value):
                return i
        raise ValueError(f"{value!r} is not a value of {self!r}.")

    def _decode(self, u):
        n = self._n_choices
        # A duplicated category decodes to its first occurrence, so that
        # snap_unit equals to_unit(from_unit(u)).
        return self._first[np.clip(np.floor(u * n), 0, n - 1).astype(np.intp)]

    def _encode(self, codes):
        return (np.asarray(codes, dtype=float) + 0.5) / self._n_choices

    def _codes_of(self, values):
        return np.array([self._lookup(v) for v in values], dtype=np.intp)

    def _values_of(self, codes):
        return [self._choices[i] for i in codes]

    def _array_of(self, codes, shape):
        values = self._values_of(codes)
        if len(shape) == 1:
            return values
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out.reshape(shape)

    def _all_codes(self):
        return np.arange(self._n_choices)

    def _distinct_codes(self):
        # A repeat widens its value's cell (a weight, as in scikit-learn) but
        # is one candidate to search.
        return np.unique(self._first)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        a, b = self.categories, other.categories
        try:
            if len(a) != len(b):
                return False
            return all(_same_category(x, y) for x, y in zip(a, b))
        except TypeError:
            return a is b

    def __hash__(self):
        try:
            return hash(("Categorical", len(self.categories)))
        except TypeError:
            return hash("Categorical")

    def __repr__(self):
        categories = self.categories
        if isinstance(categories, np.ndarray):
            categories = categories.tolist()
        elif not isinstance(categories, (str, bytes)) and isinstance(
            categories, Sequence
        ):
            categories = list(categories)
        return f"Categorical({categories!r})"


# --------------------------------------------------------------------------
# HyperDrive-style constructors
# --------------------------------------------------------------------------


def choice(*options) -> Categorical:
    """One of the given options (HyperDrive ``choice``).

    Parameters
    ----------
    *options : objects
        The options, ``choice("a", "b")``, or a single list, range or array
        of them, ``choice(["a", "b"])``. A single tuple stays one option,
        because tuples are common parameter values
        (``hidden_layer_sizes=(100,)``).

    Returns
    -------
    dimension : Categorical

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import choice
    >>> choice("linear", "rbf")
    Categorical(['linear', 'rbf'])
    >>> choice([1, 10, 100]).values()
    [1, 10, 100]
    """
    if len(options) == 1 and isinstance(options[0], (list, range, np.ndarray)):
        return Categorical(
            list(options[0]) if isinstance(options[0], range) else options[0]
        )
    return Categorical(list(options))


def randint(low: int, high: int | None = None) -> Integer:
    """An integer drawn uniformly from ``[low, high)``, numpy's convention.

    ``randint(upper)`` gives ``[0, upper)``, which is also HyperDrive's
    ``randint(upper)``; ``randint(low, high)`` matches ``numpy``'s and
    ``scipy.stats.randint(low, high)``: ``high`` is excluded.

    Parameters
    ----------
    low : int
        Lowest value, or the exclusive upper bound when ``high`` is None.
    high : int, default=None
        Exclusive upper bound.

    Returns
    -------
    dimension : Integer
        ``Integer(low, high - 1)``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import randint
    >>> randint(5).values()
    [0, 1, 2, 3, 4]
    >>> randint(2, 4)
    Integer(2, 3)
    """
    if high is None:
        low, high = 0, low
    for bound in (low, high):
        if not isinstance(bound, numbers.Integral) or isinstance(
            bound, (bool, np.bool_)
        ):
            raise TypeError(f"randint bounds must be integers; got {_describe(bound)}.")
    if not high > low:
        raise ValueError(
            f"randint(low, high) draws from [low, high) and needs high > low; got "
            f"low={low}, high={high}."
        )
    return Integer(int(low), int(high) - 1)


def uniform(low: float, high: float) -> Real:
    """A real drawn uniformly from ``[low, high]`` (HyperDrive ``uniform``).

    The arguments are the bounds, as in HyperDrive, not scipy's
    ``stats.uniform(loc, scale)``, which spans ``[loc, loc + scale]``.

    Parameters
    ----------
    low, high : float
        Bounds.

    Returns
    -------
    dimension : Real
        ``Real(low, high)``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import uniform
    >>> uniform(0.5, 2.0).from_unit([0.0, 1.0])
    [0.5, 2.0]
    """
    return Real(low, high)


def quniform(low: float, high: float, q: float) -> Real:
    """A multiple of ``q`` in ``[low, high]`` (HyperDrive ``quniform``).

    HyperDrive draws ``round(uniform(low, high) / q) * q``. Here every multiple
    of ``q`` in ``[low, high]`` is equally likely and the values never leave
    the bounds, whereas HyperDrive gives the two end multiples half the
    probability (and may step outside bounds that are not multiples of ``q``).

    Parameters
    ----------
    low, high : float
        Bounds.
    q : float
        Step.

    Returns
    -------
    dimension : Real
        ``Real(low, high, step=q)``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import quniform
    >>> quniform(0, 1, 0.25).values()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    return Real(low, high, step=q)


def loguniform(low: float, high: float) -> Real:
    """A real whose logarithm is uniform, between the bounds ``low`` and ``high``.

    The arguments are the bounds, as in ``scipy.stats.loguniform`` and
    scikit-learn's examples. HyperDrive's ``loguniform(min_exp, max_exp)``
    takes *exponents* instead: it means ``exp(uniform(min_exp, max_exp))``,
    which is ``loguniform(np.exp(min_exp), np.exp(max_exp))`` here.

    Parameters
    ----------
    low, high : float
        Bounds, ``0 < low < high``.

    Returns
    -------
    dimension : Real
        ``Real(low, high, prior="log-uniform")``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import loguniform
    >>> loguniform(1e-3, 1e3).from_unit([0.5])
    [1.0]
    """
    return Real(low, high, prior="log-uniform")


def qloguniform(low: float, high: float, q: float) -> Real:
    """A multiple of ``q`` between ``low`` and ``high``, log-uniform.

    The arguments are the bounds. HyperDrive's ``qloguniform(min_exp,
    max_exp, q)`` takes exponents, ``round(exp(uniform(min_exp, max_exp)) / q)
    * q``, which is ``qloguniform(np.exp(min_exp), np.exp(max_exp), q)`` here.

    Parameters
    ----------
    low, high : float
        Bounds, ``0 < low < high``.
    q : float
        Step.

    Returns
    -------
    dimension : Real
        ``Real(low, high, prior="log-uniform", step=q)``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import qloguniform
    >>> qloguniform(1, 1000, 1).n_choices
    1000
    """
    return Real(low, high, prior="log-uniform", step=q)


def normal(mu: float, sigma: float) -> Real:
    """An unbounded normal real (HyperDrive ``normal``).

    Parameters
    ----------
    mu : float
        Mean.
    sigma : float
        Standard deviation.

    Returns
    -------
    dimension : Real
        ``Real(-np.inf, np.inf, prior=stats.norm(loc=mu, scale=sigma))``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import normal
    >>> normal(3.0, 2.0).from_unit([0.5])
    [3.0]
    """
    return Real(-np.inf, np.inf, prior=stats.norm(loc=mu, scale=sigma))


def qnormal(mu: float, sigma: float, q: float) -> Real:
    """A normal real rounded to a multiple of ``q`` (HyperDrive ``qnormal``).

    ``round(normal(mu, sigma) / q) * q``, as in HyperDrive.

    Parameters
    ----------
    mu, sigma : float
        Mean and standard deviation.
    q : float
        Step.

    Returns
    -------
    dimension : Real
        ``Real(-np.inf, np.inf, prior=stats.norm(loc=mu, scale=sigma), step=q)``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import qnormal
    >>> qnormal(0.0, 1.0, 0.5).from_unit([0.5, 0.9])
    [0.0, 1.5]
    """
    return Real(-np.inf, np.inf, prior=stats.norm(loc=mu, scale=sigma), step=q)


def lognormal(mu: float, sigma: float) -> Real:
    """``exp(normal(mu, sigma))``, positive and unbounded (HyperDrive ``lognormal``).

    ``mu`` and ``sigma`` are the mean and standard deviation of the
    logarithm, as in HyperDrive; the median is ``exp(mu)``. In scipy terms the
    prior is ``stats.lognorm(s=sigma, scale=np.exp(mu))``.

    Parameters
    ----------
    mu, sigma : float
        Mean and standard deviation of ``log(value)``.

    Returns
    -------
    dimension : Real
        ``Real(0.0, np.inf, prior=stats.lognorm(s=sigma, scale=np.exp(mu)))``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import lognormal
    >>> lognormal(0.0, 1.0).from_unit([0.5])
    [1.0]
    """
    return Real(0.0, np.inf, prior=stats.lognorm(s=sigma, scale=float(np.exp(mu))))


def qlognormal(mu: float, sigma: float, q: float) -> Real:
    """``round(exp(normal(mu, sigma)) / q) * q`` (HyperDrive ``qlognormal``).

    Parameters
    ----------
    mu, sigma : float
        Mean and standard deviation of the logarithm before rounding.
    q : float
        Step; 0 is a possible value, as in HyperDrive.

    Returns
    -------
    dimension : Real
        ``Real(0.0, np.inf, prior=stats.lognorm(s=sigma, scale=np.exp(mu)),
        step=q)``.

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import qlognormal
    >>> qlognormal(0.0, 1.0, 1.0).from_unit([0.01, 0.5])
    [0.0, 1.0]
    """
    return Real(
        0.0, np.inf, prior=stats.lognorm(s=sigma, scale=float(np.exp(mu))), step=q
    )


# --------------------------------------------------------------------------
# Conversion of what scikit-learn accepts
# --------------------------------------------------------------------------


def as_dimension(
    value, name: str, *, parameter: str = "param_distributions", encodable=False
):
    """Convert one value of a scikit-learn parameter dict to a dimension.

    Parameters
    ----------
    value : object
        A :class:`Real`, :class:`Integer` or :class:`Categorical` (checked
        and returned as is); a list, tuple, range or 1-D array of values
        (becomes :class:`Categorical`); a frozen ``scipy.stats`` continuous
        distribution (becomes ``Real(support, prior=value)``) or discrete one
        (``Integer(support, prior=value)``; ``stats.randint(a, b)`` has support
        ``[a, b - 1]``); an unfrozen distribution without shape parameters
        (frozen with its defaults); or any other object with an ``rvs`` method,
        returned as is (it can be sampled but not encoded).
    name : str
        The parameter key, for error messages.
    parameter : str, default="param_distributions"
        The constructor argument that held ``value``, for error messages.
    encodable : bool, default=False
        Whether to raise, rather than return the distribution as is (to be
        sampled by its ``rvs``, as scikit-learn does), when a discrete
        distribution's tail is too heavy to encode (``stats.zipf(2)``).

    Returns
    -------
    dimension : Dimension or object
        A checked dimension, or the object with ``rvs`` itself.

    Examples
    --------
    >>> from scipy import stats
    >>> from sklearn_bayestune._dimensions import as_dimension
    >>> as_dimension(["rbf", "linear"], "kernel")
    Categorical(['rbf', 'linear'])
    >>> as_dimension(stats.randint(1, 5), "n")
    Integer(1, 4, prior=stats.randint(low=1, high=5, loc=0))
    """
    if isinstance(value, Dimension):
        value._check(name, parameter=parameter)
        return value
    if isinstance(value, (stats.rv_continuous, stats.rv_discrete)):
        try:
            value = value.freeze()
        except TypeError:  # shape parameters are missing: nothing can sample it
            raise TypeError(
                f"Parameter {name!r} in {parameter} is the scipy.stats "
                f"distribution {value.name!r} without its shape parameters "
                f"({value.shapes}); freeze it with them, e.g. "
                f"stats.{value.name}({value.shapes.split(',')[0]}=...)."
            ) from None
    if _is_frozen(value):
        _check_scalar_parameters(value, f"Parameter {name!r} in {parameter}: ")
        lo, hi = value.support()
        if np.isnan(lo) or np.isnan(hi):
            # scipy's way of saying the parameters are invalid.
            raise ValueError(
                f"Parameter {name!r} in {parameter}: the distribution "
                f"{_repr_prior(value)} has invalid parameters (scipy gives it no "
                "support); check them: a scale must be positive, and "
                "loguniform(a, b) and randint(low, high) need a < b."
            )
        if isinstance(value.dist, stats.rv_discrete):
            lo, hi = (int(b) if np.isfinite(b) else float(b) for b in (lo, hi))
            dim = Integer(lo, hi, prior=value)
        else:
            dim = Real(float(lo), float(hi), prior=value)
        try:
            dim._check(name, parameter=parameter)
        except UnencodablePriorError:
            if encodable:
                raise
            return value
        return dim
    if isinstance(value, np.ndarray) or (
        isinstance(value, Sequence) and not isinstance(value, (str, bytes))
    ):
        dim = Categorical(value)
        dim._check(name, parameter=parameter)
        return dim
    if type(value).__module__.partition(".")[0] == "skopt":
        # Its rvs returns a list, so it would pass as a distribution and fail
        # every fit; the same arguments build our dimensions.
        raise TypeError(
            f"Parameter {name!r} in {parameter} is scikit-optimize's {value!r}; "
            "use sklearn_bayestune's Real, Integer or Categorical, which take "
            "the same low, high, prior and categories arguments "
            "(from sklearn_bayestune import Real, Integer, Categorical)."
        )
    if hasattr(value, "rvs"):
        return value
    hint = ""
    if isinstance(value, (str, bytes)):
        hint = f" Did you mean [{value!r}]?"
    elif isinstance(value, (set, frozenset)):
        hint = " Use a list: a set has no order."
    elif hasattr(value, "__iter__") and not isinstance(value, Mapping):
        hint = " Use a list of its values."
    raise TypeError(
        f"Parameter {name!r} in {parameter} must be a list of values, a "
        "scipy.stats distribution, or a Real/Integer/Categorical dimension; "
        f"got {_describe(value)}.{hint}"
    )

"""Ask/tell Bayesian optimisation: observations in, proposals out.

:class:`BayesOptimizer` is the loop's brain, usable on its own for anything
that is not an estimator; ``BayesTuneCV`` drives it with cross-validation
scores. Each ``ask`` runs one pipeline:

1. the initial design (given points, then a scrambled Sobol set) until the
   model has data;
2. scores -> ``transform_outputs`` (winsorise, Yeo-Johnson, standardise), with
   per-point noise variances carried into the same units;
3. a MAP fit of the GP (warm-started from the last fit; a cold fit every
   ``COLD_REFIT_EVERY`` fits; past ``REFIT_ALL_UNTIL`` observations the
   hyperparameters are refitted on a schedule and only refactorised between);
4. pending points (asked, not yet told, or earlier picks of the same batch)
   conditioned in as kriging-believer fantasies, so a batch spreads out;
5. a feasibility GP when some evaluations failed, so failed regions are
   avoided without feeding fake scores to the surrogate;
6. the acquisition maximised over the encoded space, never returning an
   observed or pending point. Log-EI is augmented (Huang et al. 2006): it is
   discounted where the latent std is down to the noise level, so a
   deterministic objective whose misfit the GP learns as noise is not
   re-measured next to its incumbent; noise at the prior's level (under
   1e-4 of the signal variance) is left out, so a function the GP
   interpolates is refined.

Initial design size (``n_initial_points=None``): ``clip(d + 1, 10, 20)`` for
d encoded dimensions, at most a quarter of the budget when one is given
(HEBO uses 1 + d, Optuna 10, Ax 5). Ten points rather than
d + 1 at low d: with fewer, the first model fits a single basin too
confidently (measured with benchmarks/bench_synthetic.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy.optimize import OptimizeResult
from threadpoolctl import ThreadpoolController  # a dependency of scikit-learn

from ._acq_optimizer import optimize_acquisition, random_unseen_point
from ._acquisition import AcquisitionFunction
from ._dimensions import _check_random_state
from ._gp import GaussianProcess, fit_gp
from ._output_transform import transform_outputs
from ._space import SearchSpace

COLD_REFIT_EVERY = 10
REFIT_ALL_UNTIL = 200
"""Up to this many observations the hyperparameters are refitted at every ask;
beyond, every ``ceil(n / REFIT_ALL_UNTIL)``-th ask (the factor is updated at
every ask), which keeps the cost per proposal near-constant at n = 1000."""

_ACQUISITIONS = ("log_ei", "ucb", "log_pi")
_DIRECTIONS = ("minimize", "maximize")


@dataclass(frozen=True)
class Proposal:
    """One proposed point and how it was chosen."""

    params: dict
    x: np.ndarray
    kind: str  # "initial", "random" or the acquisition name
    acquisition_value: float


@functools.cache
def _blas_controller():
    # Listing the loaded libraries (threadpool_limits does it on every call)
    # took 0.6-2 ms per proposal, 5% of one at n = 100. numpy's and scipy's
    # BLAS, the ones the surrogate calls, are loaded once this module is.
    return ThreadpoolController()


def _is_positive_int(n) -> bool:
    """Whether ``n`` is an int >= 1; numpy integers count, bools do not."""
    return isinstance(n, Integral) and not isinstance(n, (bool, np.bool_)) and n >= 1


def _as_generator(random_state) -> np.random.Generator:
    rng = _check_random_state(random_state)
    if isinstance(rng, np.random.RandomState):
        return np.random.default_rng(rng.randint(2**31 - 1))
    return rng


class BayesOptimizer:
    """Gaussian-process Bayesian optimisation with an ask/tell interface.

    Parameters
    ----------
    space : dict, list of dicts or SearchSpace
        Parameter names mapped to :class:`Real`, :class:`Integer`,
        :class:`Categorical`, lists of choices or frozen ``scipy.stats``
        distributions; a list of such dicts for alternative subspaces.
    direction : {"minimize", "maximize"}, default="minimize"
        Whether smaller or larger told values are better.
    n_initial_points : int, default=None
        Size of the initial design, proposed before the model is used: the
        ``initial_points`` first, then a scrambled Sobol set for the rest.
        None: ``clip(d + 1, 10, 20)`` for d encoded dimensions, at most
        ``budget // 4`` when ``budget`` is given, and at least 2 and at least
        one per subspace (they are visited in turn).
    initial_points : list of dict, default=None
        Points to evaluate first (e.g. an estimator's defaults), all of them,
        even more than ``n_initial_points``; their real values are proposed
        exactly as given. Points outside the space are skipped.
    acquisition : {"log_ei", "ucb", "log_pi"}, default="log_ei"
        Log expected improvement (augmented: discounted where one more
        evaluation would mostly measure the noise the data show), upper
        confidence bound (``beta=2``) or log probability of improvement.
    budget : int, default=None
        The number of evaluations planned, used only to size the initial
        design.
    random_state : int, RandomState, Generator or None, default=None
        Seeds every random choice; the same seed and the same sequence of
        calls give the same proposals.

    Attributes
    ----------
    space : SearchSpace
        The parsed space.
    gp_ : GaussianProcess or None
        The surrogate of the last model-based proposal (on transformed,
        maximised values), for plots and diagnostics.

    Examples
    --------
    >>> from sklearn_bayestune import BayesOptimizer, Real, Integer
    >>> opt = BayesOptimizer({"x": Real(-2.0, 2.0), "k": Integer(0, 3)},
    ...                      random_state=0)
    >>> for _ in range(12):
    ...     params = opt.ask()
    ...     opt.tell(params, (params["x"] - 1.0) ** 2 + params["k"])
    >>> best = opt.best_params
    >>> best["k"], bool(abs(best["x"] - 1.0) < 0.1)
    (0, True)
    """

    def __init__(
        self,
        space,
        *,
        direction: str = "minimize",
        n_initial_points: int | None = None,
        initial_points: Sequence[Mapping] | None = None,
        acquisition: str = "log_ei",
        budget: int | None = None,
        random_state=None,
    ):
        if direction not in _DIRECTIONS:
            raise ValueError(
                f"direction must be 'minimize' or 'maximize'; got {direction!r}."
            )
        if acquisition not in _ACQUISITIONS:
            raise ValueError(
                f"acquisition must be one of {_ACQUISITIONS}; got {acquisition!r}."
            )
        if n_initial_points is not None and not _is_positive_int(n_initial_points):
            raise ValueError(
                "n_initial_points must be a positive int or None; "
                f"got {n_initial_points!r}."
            )
        if budget is not None and not _is_positive_int(budget):
            raise ValueError(f"budget must be a positive int or None; got {budget!r}.")
        initial_points = _list_of_dicts(initial_points, "initial_points")
        self.space = (
            space
            if isinstance(space, SearchSpace)
            else SearchSpace(space, parameter="space")
        )
        self.space.check_encodable()
        self.direction = direction
        self.acquisition = acquisition
        self._rng = _as_generator(random_state)
        d = self.space.n_dims
        if n_initial_points is None:
            n_initial_points = int(np.clip(d + 1, 10, 20))
            if budget is not None:
                n_initial_points = max(2, min(n_initial_points, budget // 4))
            n_initial_points = max(n_initial_points, self.space.n_subspaces)
        self.n_initial_points = int(n_initial_points)
        # Given points count towards the design (as x0 does in scikit-optimize
        # and enqueued trials in Optuna); the Sobol set fills the rest.
        given = [dict(p) for p in initial_points if self.space.contains(p)]
        n_sobol = max(self.n_initial_points - len(given), 0)
        rows = [self.space.to_unit(given)] if given else []
        if n_sobol:
            rows.append(self.space.sample_unit(n_sobol, self._rng, method="sobol"))
        rows = np.vstack(rows)
        first_occurrences = np.sort(np.unique(rows, axis=0, return_index=True)[1])
        self._initial_rows = rows[first_occurrences]
        # A given point's reals are proposed as given, not as decoded.
        self._initial_params = [
            given[i] if i < len(given) else None for i in first_occurrences
        ]
        self._n_initial_used = 0

        self._X = np.empty((0, d))
        self._told_params = []
        self._values = np.empty(0)
        self._noise = np.empty(0)
        self._pending = np.empty((0, d))
        self._pending_params: list[dict] = []  # what ask returned, row by row
        self._theta = None
        self._n_fits = 0
        self._fitted_n = -1
        self._model = None
        self.gp_ = None

    # -- observations ---------------------------------------------------------

    @property
    def n_observed(self) -> int:
        """Number of told points, failures included."""
        return len(self._values)

    @property
    def X_unit(self) -> np.ndarray:
        """Encoded observed points, shape (n_observed, d)."""
        return self._X.copy()

    @property
    def values(self) -> np.ndarray:
        """Told values, in the user's direction (NaN or inf for failures, as told)."""
        return self._values.copy()

    @property
    def told_params(self) -> list[dict]:
        """Told points, as told and in that order (failures included)."""
        return [dict(params) for params in self._told_params]

    @property
    def best_index(self) -> int | None:
        """Position of :attr:`best_params` in :attr:`told_params` (None before it)."""
        y = self._maximised(self._values)
        if not np.isfinite(y).any():
            return None
        return int(np.nanargmax(np.where(np.isfinite(y), y, -np.inf)))

    @property
    def best_params(self) -> dict | None:
        """The best observed point, as told (None before any successful observation)."""
        index = self.best_index
        return None if index is None else dict(self._told_params[index])

    @property
    def best_value(self) -> float | None:
        """The best told value (None before any successful observation)."""
        index = self.best_index
        return None if index is None else float(self._values[index])

    def _maximised(self, values):
        return values if self.direction == "maximize" else -values

    def tell(self, params, value, *, noise=None) -> None:
        """Record the value of one point or of a list of points.

        Parameters
        ----------
        params : dict or list of dict
            Points of the space (usually from :meth:`ask`). An asked point
            stays pending (later asks avoid it and model it as a fantasy)
            until it is told as it was asked: tell the dict ``ask`` returned,
            not a rounded copy.
        value : float or list of float
            Observed values; NaN (or inf) marks a failed evaluation, which is
            never fed to the surrogate as a score.
        noise : float or list of float, default=None
            Known observation noise variance of each value (e.g. the squared
            standard error of a cross-validated mean); None when unknown, or
            NaN for the points whose noise is unknown.
        """
        single = isinstance(params, Mapping)
        if not single and (
            isinstance(params, (str, bytes)) or not isinstance(params, Iterable)
        ):
            raise TypeError(
                "params must be a dict or a list of dicts; got "
                f"{params!r} ({type(params).__name__})."
            )
        params_list = [params] if single else list(params)
        try:
            values = _real_array(value)
        except (TypeError, ValueError):
            raise TypeError(
                "value must be a real number, or one per point (NaN or inf marks "
                f"a failed evaluation); got {value!r}."
            ) from None
        if values.shape != (len(params_list),):
            raise ValueError(
                f"tell got {len(params_list)} points and {values.size} values; "
                "give one value per point."
            )
        try:
            noises = (
                np.full(len(params_list), np.nan)
                if noise is None
                else _real_array(noise)
            )
        except (TypeError, ValueError):
            raise TypeError(
                "noise must be None, a real number or one per point (NaN where "
                f"unknown); got {noise!r}."
            ) from None
        if noises.shape != values.shape or not np.all(
            np.isnan(noises) | ((noises >= 0) & (noises < np.inf))
        ):
            raise ValueError(
                "noise must be None or one finite, non-negative variance per point "
                "(NaN where unknown); "
                f"got {noise!r}."
            )
        for p in params_list:
            self.space.check_params(p)
        X = self._take_pending(params_list, self.space.to_unit(params_list))
        self._X = np.vstack([self._X, X])
        self._told_params.extend(dict(p) for p in params_list)
        self._values = np.concatenate([self._values, values])
        self._noise = np.concatenate([self._noise, noises])

    def _take_pending(self, params_list, X):
        """Rows of ``X``, each replaced by the pending row it was asked as.

        A told point is matched to a pending one by the params ``ask``
        returned, so it keeps the row it was proposed as (re-encoding picks
        the first subspace that holds the point, and moves a value by up to
        ~1e-6 when its range is tiny against its magnitude); failing that,
        by its row, within a tolerance.
        """
        X = X.copy()
        keep = np.ones(len(self._pending), dtype=bool)
        for i, (params, row) in enumerate(zip(params_list, X)):
            match = [
                j
                for j in np.flatnonzero(keep)
                if _same_params(params, self._pending_params[j])
            ]
            if not match:
                close = np.all(np.abs(self._pending - row) <= 1e-9, axis=1)
                match = np.flatnonzero(keep & close)
            if len(match):
                keep[match[0]] = False
                X[i] = self._pending[match[0]]
        self._pending = self._pending[keep]
        self._pending_params = [p for p, k in zip(self._pending_params, keep) if k]
        return X

    # -- proposals ------------------------------------------------------------

    def ask(self, n: int | None = None):
        """Propose one point (``n=None``) or a batch of ``n`` points.

        Asked points count as pending until told: later asks avoid them.
        """
        proposals = self.propose(1 if n is None else n)
        params = [p.params for p in proposals]
        if n is not None:
            return params
        if not params:
            raise ValueError(
                f"The space has no unseen point left: all its {self.space.size} "
                "candidates have been told or are pending. ask(n) and propose(n) "
                "return fewer points (an empty list) instead of raising."
            )
        return params[0]

    def propose(self, n: int) -> list[Proposal]:
        """Like :meth:`ask`, with how each point was chosen.

        Fewer than ``n`` proposals come back only when a finite space has no
        unseen point left.
        """
        if not _is_positive_int(n):
            raise ValueError(f"n must be a positive int; got {n!r}.")
        # The surrogate's matrices are small: multithreaded BLAS only adds
        # synchronisation, which costs 10-100x on a loaded machine.
        with _blas_controller().limit(limits=1, user_api="blas"):
            return self._propose(int(n))

    def _propose(self, n):
        proposals = []
        for _ in range(n):
            if self.space.is_finite and self._n_seen() >= self.space.size:
                break
            x, kind, value, given = self._next_row()
            self._pending = np.vstack([self._pending, x[None]])
            params = self.space.from_unit(x[None])[0]
            if given is not None:
                params = _with_given_reals(params, given)
            self._pending_params.append(dict(params))
            proposals.append(Proposal(params, x, kind, value))
        return proposals

    def _n_seen(self):
        """How many of the space's candidates were told or are pending.

        Rows a proposal cannot produce (a told value in a prior's collapsed
        tail) are not among the ``space.size`` candidates: not counted.
        """
        seen = np.vstack([self._X, self._pending])
        seen = seen[self.space._decodes_back(seen)]
        if not len(seen):
            return 0
        return len(np.unique(self.space.canonical(seen), axis=0))

    def _excluded(self):
        return self.space.encodings(np.vstack([self._X, self._pending]))

    def _next_row(self):
        excluded = self._excluded()
        # The Sobol part of the design only fills up to the design's size:
        # points told before the first ask count towards it. Given points
        # (first in the design) are all proposed.
        n_seen = len(self._X) + len(self._pending)
        while self._n_initial_used < len(self._initial_rows):
            i = self._n_initial_used
            if self._initial_params[i] is None and n_seen >= len(self._initial_rows):
                break
            self._n_initial_used += 1
            x = self._initial_rows[i]
            if not _contains_row(excluded, x):
                return x, "initial", math.nan, self._initial_params[i]
        model = self._surrogate()
        if model is None:
            x = random_unseen_point(self.space, self._rng, excluded)
            return x, "random", math.nan, None
        gp, feasibility = model
        if len(self._pending):
            gp = gp.condition_on_pending(self._pending)
        acquisition = AcquisitionFunction(
            gp,
            kind=self.acquisition,
            beta=2.0 if self.acquisition == "ucb" else None,
            feasibility=feasibility,
        )
        x, value = optimize_acquisition(
            acquisition,
            self.space,
            self._rng,
            excluded=excluded,
            X_top=self._top_rows(5),
        )
        return x, self.acquisition, value, None

    def _top_rows(self, k):
        y = self._maximised(self._values)
        ok = np.flatnonzero(np.isfinite(y))
        return self._X[ok[np.argsort(-y[ok])[:k]]]

    def _surrogate(self):
        """The GP of the current observations (and a feasibility GP), cached."""
        y_max = self._maximised(self._values)
        ok = np.isfinite(y_max)
        if ok.sum() < 2:
            return None
        if self._fitted_n == self.n_observed:
            return self._model
        y_t, transform = transform_outputs(y_max)
        noise_var = _transformed_noise(y_max[ok], self._noise[ok], transform)
        # Lattice columns (Integers, stepped Reals) get a learned input warp:
        # counts such as n_neighbors or max_depth matter most at their small
        # end. Measured in docs/benchmarks.md (input warping).
        masks = {
            "categorical": self.space.categorical,
            "warped": self.space.lattice,
        }
        X_ok = self._X[ok]
        n = len(y_t)
        refit_every = max(1, math.ceil(n / REFIT_ALL_UNTIL))
        if self._theta is not None and self._n_fits % refit_every:
            gp = GaussianProcess(X_ok, y_t, self._theta, noise_var=noise_var, **masks)
        else:
            cold = self._n_fits % COLD_REFIT_EVERY == 0
            gp = fit_gp(
                X_ok,
                y_t,
                noise_var=noise_var,
                theta0=None if cold else self._theta,
                **masks,
                rng=self._rng,
            )
            self._theta = gp.theta
        self._n_fits += 1
        feasibility = None
        if not ok.all():
            labels = np.where(ok, 1.0, -1.0)
            feasibility = fit_gp(self._X, labels, rng=self._rng, **masks)
        self._fitted_n = self.n_observed
        self._model = (gp, feasibility)
        self.gp_ = gp
        return self._model


def _list_of_dicts(points, name):
    """``points`` (None or an iterable of dicts, a generator too) as a list."""
    if points is None:
        return []
    if not isinstance(points, (Mapping, str, bytes)) and isinstance(points, Iterable):
        points = list(points)
        if all(isinstance(p, Mapping) for p in points):
            return points
    raise TypeError(f"{name} must be None or a list of dicts; got {points!r}.")


def _with_given_reals(decoded, given):
    """``decoded`` with the given value wherever decoding moved a real.

    The round trip through the unit cube rounds a Real (0.3 comes back as
    0.2999999999999998); elsewhere the decoded value is the space's own (the
    category ``1`` of ``[0.1, 1, 10]``, not an estimator's default ``1.0``).
    """
    return {
        key: given[key] if isinstance(value, float) and value != given[key] else value
        for key, value in decoded.items()
    }


def _as_real(value):
    """float(value), refusing what float() would parse (strings) or reject."""
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{value!r} is not a real number")
    return float(value)


def _real_array(values):
    """``values`` (a number or nested lists) as a float array of at least 1-D."""
    raw = np.atleast_1d(np.asarray(values, dtype=object))
    return np.array([_as_real(v) for v in raw.flat], dtype=float).reshape(raw.shape)


def _same_params(a, b):
    """Whether two params dicts hold equal values (estimators: the same objects)."""
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        if value is other:
            continue
        try:
            if not bool(value == other):
                return False
        except (TypeError, ValueError):  # arrays and the like
            return False
    return True


def _contains_row(X, x):
    return bool(len(X)) and bool(np.any(np.all(X == x, axis=1)))


def _transformed_noise(y, noise, transform):
    """Per-point noise variances carried through the (monotone) output transform.

    The transform's local slope is taken over +-1 standard deviation; points
    without a known noise get 0 (only the learned noise applies to them).
    """
    known = np.isfinite(noise)
    if not known.any():
        return None
    sd = np.sqrt(np.where(known, noise, 0.0))
    with np.errstate(over="ignore", invalid="ignore"):
        slope_sd = (transform.apply(y + sd) - transform.apply(y - sd)) / 2.0
        noise_var = slope_sd**2
    # A noise the transform cannot carry (it overflows) is as good as no
    # information: the cap is 100 times the standardised scores' spread.
    noise_var = np.where(np.isfinite(noise_var), np.minimum(noise_var, 1e4), 1e4)
    return np.where(known, noise_var, 0.0)


def minimize(
    func: Callable[[dict], float],
    space,
    n_calls: int = 50,
    *,
    n_initial_points: int | None = None,
    acquisition: str = "log_ei",
    random_state=None,
    callback: Callable[[OptimizeResult], bool | None]
    | Sequence[Callable[[OptimizeResult], bool | None]]
    | None = None,
) -> OptimizeResult:
    """Minimise ``func`` over ``space`` with Bayesian optimisation.

    Parameters
    ----------
    func : callable
        Takes a dict of parameters and returns a float (NaN for a failure).
    space : dict, list of dicts or SearchSpace
        As for :class:`BayesOptimizer`.
    n_calls : int, default=50
        Number of evaluations of ``func``.
    n_initial_points, acquisition, random_state
        As for :class:`BayesOptimizer`.
    callback : callable or list of callables, default=None
        Called after each evaluation with the result so far; one returning
        True stops the optimisation (as in scikit-optimize's ``gp_minimize``).

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        ``x`` (best params), ``fun`` (best value), ``x_iters`` and
        ``func_vals`` (every evaluation, in order) and ``optimizer``.

    Examples
    --------
    >>> from sklearn_bayestune import Real, minimize
    >>> result = minimize(lambda p: (p["x"] - 0.3) ** 2, {"x": Real(-1.0, 1.0)},
    ...                   n_calls=15, random_state=0)
    >>> round(result.x["x"], 2)
    0.3
    """
    if not callable(func):
        raise TypeError(
            "func must be a callable that takes a dict of parameters and returns "
            f"a real number; got {func!r} ({type(func).__name__})."
        )
    if not _is_positive_int(n_calls):
        raise ValueError(f"n_calls must be a positive int; got {n_calls!r}.")
    callbacks = [] if callback is None else [callback]
    if isinstance(callback, (list, tuple)):
        callbacks = list(callback)
    if not all(callable(c) for c in callbacks):
        raise TypeError(
            "callback must be None, a callable or a list of callables taking the "
            f"OptimizeResult so far; got {callback!r}."
        )
    optimizer = BayesOptimizer(
        space,
        n_initial_points=n_initial_points,
        acquisition=acquisition,
        budget=n_calls,
        random_state=random_state,
    )
    x_iters, func_vals = [], []
    for _ in range(n_calls):
        proposals = optimizer.propose(1)
        if not proposals:
            break
        params = proposals[0].params
        returned = func(params)
        try:
            value = _as_real(returned)
        except (TypeError, ValueError):
            raise TypeError(
                "func must return a real number (NaN for a failed evaluation); "
                f"it returned {returned!r} for {params!r}."
            ) from None
        optimizer.tell(params, value)
        x_iters.append(params)
        func_vals.append(value)
        result = _result(optimizer, x_iters, func_vals)
        # Every callback sees every result, as in scikit-optimize.
        if any([c(result) for c in callbacks]):
            break
    return _result(optimizer, x_iters, func_vals)


def _result(optimizer, x_iters, func_vals):
    return OptimizeResult(
        x=optimizer.best_params,
        fun=optimizer.best_value,
        x_iters=list(x_iters),
        func_vals=np.asarray(func_vals, dtype=float),
        optimizer=optimizer,
    )

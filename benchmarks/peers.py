"""One adapter per tuning method, behind one ask/tell interface.

=============  ==============================================================
method         what runs (each with its library's defaults)
=============  ==============================================================
bayestune      ``sklearn_bayestune.BayesOptimizer`` (ask/tell)
random         independent draws from our dimensions' priors (``Dimension.rvs``)
skopt          ``skopt.Optimizer(dimensions, random_state=seed)``: GP,
               ``acq_func="gp_hedge"``, ``acq_optimizer="auto"``, 10 random
               initial points
optuna_tpe     ``optuna.samplers.TPESampler(seed=seed)`` via ``study.ask``/``tell``
optuna_gp      ``optuna.samplers.GPSampler(seed=seed)`` via ``study.ask``/``tell``
               (needs torch; greenlet, if installed, batches its L-BFGS-B)
=============  ==============================================================

Every adapter is a *tuner* with three methods: ``ask() -> params``,
``tell(params, value)`` (values are minimised), and ``observe(params_list,
values)``, which feeds a history of points that were not asked (used by the
overhead benchmark; it fits no model where the library lets us skip it).

The peers are optional imports: :func:`check_methods` splits the requested
methods into those that can run and those skipped with the reason (a missing
package), so a benchmark reports a missing peer instead of crashing.

**Per-proposal time** (:func:`run`) is the CPU time spent inside ``tell`` of
the latest observation plus ``ask`` of the next point. Both are counted for
every method because libraries do their work in different calls: skopt fits
its GP and optimises the acquisition inside ``tell``; Optuna fits inside
``ask`` (in the first ``suggest`` of a trial); ours fits inside ``ask``.

Dimension mapping: ``Real``/``Integer`` with ``prior="log-uniform"`` become
skopt's ``prior="log-uniform"`` and Optuna's ``log=True``; ``Categorical``
becomes skopt's ``Categorical`` and Optuna's ``CategoricalDistribution``.
Optuna is driven with ``study.ask(fixed_distributions)``, which calls
``trial._suggest`` for each distribution exactly as ``trial.suggest_float`` /
``suggest_int`` / ``suggest_categorical`` do.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import _common
import numpy as np

from sklearn_bayestune import BayesOptimizer, Categorical, Integer, Real

__all__ = ["METHODS", "Trace", "Unavailable", "check_methods", "make_tuner", "run"]

METHODS = ("bayestune", "random", "skopt", "optuna_tpe", "optuna_gp")

# Packages each method needs beyond sklearn_bayestune.
_REQUIREMENTS = {
    "bayestune": (),
    "random": (),
    "skopt": ("skopt",),
    "optuna_tpe": ("optuna",),
    "optuna_gp": ("optuna", "torch"),
}


class Unavailable(RuntimeError):
    """A peer's package is not installed."""


def check_methods(methods) -> tuple[list[str], dict[str, str]]:
    """Split methods into runnable ones and skipped ones with the reason.

    Parameters
    ----------
    methods : list of str
        Names from :data:`METHODS`.

    Returns
    -------
    available : list of str
        In the given order.
    skipped : dict
        Method name mapped to why it cannot run.
    """
    available, skipped = [], {}
    for method in methods:
        missing = [m for m in _REQUIREMENTS[method] if not _importable(m)]
        if missing:
            skipped[method] = f"not installed: {', '.join(missing)}"
        else:
            available.append(method)
    return available, skipped


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _native(value):
    """A numpy scalar as a Python scalar (skopt returns ``np.int64``/``np.str_``)."""
    return value.item() if isinstance(value, np.generic) else value


def _is_log(dim) -> bool:
    return isinstance(dim.prior, str) and dim.prior == "log-uniform"


def _check_supported(dim) -> None:
    if isinstance(dim, Categorical):
        return
    if not isinstance(dim, (Real, Integer)) or not isinstance(dim.prior, str):
        raise NotImplementedError(
            f"{dim!r}: the peers are mapped only for Real/Integer with a "
            "'uniform' or 'log-uniform' prior, and Categorical."
        )
    if getattr(dim, "step", None) is not None:
        raise NotImplementedError(f"{dim!r}: Real with a step is not mapped.")


# --------------------------------------------------------------------------
# Tuners
# --------------------------------------------------------------------------


class _BayesTune:
    def __init__(self, space, *, seed, budget, history):
        self._optimizer = BayesOptimizer(
            space,
            direction="minimize",
            random_state=seed,
            budget=budget,
            # A told history replaces the space-filling design (the minimum is 1).
            n_initial_points=1 if history else None,
        )

    def ask(self):
        return self._optimizer.ask()

    def tell(self, params, value):
        self._optimizer.tell(params, value)

    def observe(self, params_list, values):
        self._optimizer.tell(list(params_list), list(values))


class _Random:
    def __init__(self, space, *, seed, budget, history):
        self._space = space
        self._rng = np.random.default_rng(seed)

    def ask(self):
        return {k: dim.rvs(random_state=self._rng) for k, dim in self._space.items()}

    def tell(self, params, value):
        pass

    def observe(self, params_list, values):
        pass


def _skopt_dimension(dim):
    from skopt import space as skopt_space

    _check_supported(dim)
    if isinstance(dim, Categorical):
        return skopt_space.Categorical(list(dim.categories))
    prior = "log-uniform" if _is_log(dim) else "uniform"
    kind = skopt_space.Integer if isinstance(dim, Integer) else skopt_space.Real
    return kind(dim.low, dim.high, prior=prior)


class _Skopt:
    def __init__(self, space, *, seed, budget, history):
        from skopt import Optimizer

        self._names = list(space)
        dimensions = [_skopt_dimension(space[k]) for k in self._names]
        self._optimizer = Optimizer(dimensions, random_state=seed)

    def _row(self, params):
        return [params[k] for k in self._names]

    def ask(self):
        return dict(zip(self._names, map(_native, self._optimizer.ask())))

    def tell(self, params, value):
        self._optimizer.tell(self._row(params), float(value))

    def observe(self, params_list, values):
        rows = [self._row(p) for p in params_list]
        self._optimizer.tell(rows, [float(v) for v in values], fit=False)


def _optuna_distribution(dim):
    from optuna import distributions

    _check_supported(dim)
    if isinstance(dim, Categorical):
        return distributions.CategoricalDistribution(list(dim.categories))
    if isinstance(dim, Integer):
        return distributions.IntDistribution(
            int(dim.low), int(dim.high), log=_is_log(dim)
        )
    return distributions.FloatDistribution(
        float(dim.low), float(dim.high), log=_is_log(dim)
    )


class _Optuna:
    def __init__(self, space, *, sampler):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._distributions = {k: _optuna_distribution(d) for k, d in space.items()}
        self._study = optuna.create_study(direction="minimize", sampler=sampler)
        self._pending = []  # (params, trial) asked and not yet told

    def ask(self):
        trial = self._study.ask(self._distributions)
        params = dict(trial.params)
        self._pending.append((params, trial))
        return params

    def tell(self, params, value):
        for i, (asked, trial) in enumerate(self._pending):
            if asked == params:
                del self._pending[i]
                self._study.tell(trial, float(value))
                return
        self.observe([params], [value])

    def observe(self, params_list, values):
        from optuna.trial import create_trial

        self._study.add_trials(
            create_trial(params=p, distributions=self._distributions, value=float(v))
            for p, v in zip(params_list, values)
        )


def _optuna_tpe(space, *, seed, budget, history):
    from optuna.samplers import TPESampler

    return _Optuna(space, sampler=TPESampler(seed=seed))


def _optuna_gp(space, *, seed, budget, history):
    import torch
    from optuna.samplers import GPSampler

    torch.set_num_threads(1)
    return _Optuna(space, sampler=GPSampler(seed=seed))


_TUNERS = {
    "bayestune": _BayesTune,
    "random": _Random,
    "skopt": _Skopt,
    "optuna_tpe": _optuna_tpe,
    "optuna_gp": _optuna_gp,
}


def make_tuner(method: str, space: dict, *, seed: int, budget=None, history=False):
    """A tuner for ``method`` on ``space``.

    Parameters
    ----------
    method : str
        A name from :data:`METHODS`.
    space : dict
        Parameter names mapped to ``Real``, ``Integer`` or ``Categorical``.
    seed : int
        Seed of the method's random state.
    budget : int, default=None
        Evaluations planned; only ``bayestune`` uses it (to size its initial
        design), the peers keep their defaults.
    history : bool, default=False
        Whether a history will be fed with ``observe`` before the first
        ``ask``; ``bayestune`` then skips its space-filling design.

    Returns
    -------
    tuner : object
        With ``ask()``, ``tell(params, value)`` and ``observe(params_list,
        values)``.

    Raises
    ------
    Unavailable
        If the method's package is not installed.
    """
    _, skipped = check_methods([method])
    if skipped:
        raise Unavailable(f"{method}: {skipped[method]}")
    return _TUNERS[method](space, seed=seed, budget=budget, history=history)


# --------------------------------------------------------------------------
# The loop
# --------------------------------------------------------------------------


@dataclass
class Trace:
    """Everything one run records, in evaluation order.

    Attributes
    ----------
    method, problem : str
    seed : int
    values : list of float
        Objective values, in evaluation order.
    proposal_cpu_s, proposal_wall_s : list of float
        Per-proposal time: ``tell`` of the previous value plus ``ask`` (see
        the module docstring); the last ``tell`` is added to the last entry.
    evaluation_cpu_s : list of float
        CPU seconds of each objective call (0 for a memoised one).
    """

    method: str
    problem: str
    seed: int
    values: list = field(default_factory=list)
    proposal_cpu_s: list = field(default_factory=list)
    proposal_wall_s: list = field(default_factory=list)
    evaluation_cpu_s: list = field(default_factory=list)


def run(method: str, problem, n_evals: int, seed: int) -> Trace:
    """Run one method on one problem for ``n_evals`` evaluations.

    Parameters
    ----------
    method : str
        A name from :data:`METHODS`.
    problem : problems.Problem
        Its ``space`` is searched and its function minimised.
    n_evals : int
        Number of evaluations.
    seed : int
        Seed of the method.

    Returns
    -------
    trace : Trace
    """
    tuner = make_tuner(method, problem.space, seed=seed, budget=n_evals)
    trace = Trace(method, problem.name, seed)
    pending_tell = None  # (params, value) told at the start of the next proposal
    for _ in range(n_evals):
        with _common.Stopwatch() as proposal:
            if pending_tell is not None:
                tuner.tell(*pending_tell)
            params = tuner.ask()
        with _common.Stopwatch() as evaluation:
            value = problem(params)
        pending_tell = (params, value)
        trace.values.append(value)
        trace.proposal_cpu_s.append(proposal.cpu)
        trace.proposal_wall_s.append(proposal.wall)
        trace.evaluation_cpu_s.append(evaluation.cpu)
    with _common.Stopwatch() as last:
        tuner.tell(*pending_tell)
    trace.proposal_cpu_s[-1] += last.cpu
    trace.proposal_wall_s[-1] += last.wall
    return trace

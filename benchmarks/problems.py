"""Benchmark problems: synthetic functions with known optima and sklearn CV objectives.

Every problem is a :class:`Problem`: a name, a search space of
``sklearn_bayestune`` dimensions, a function ``params -> float`` to
**minimise**, and the known optimum (None for the scikit-learn problems, whose
optimum is unknown). The peers in :mod:`peers` read the space and call the
function; nothing here knows about optimisers.

Synthetic functions (:data:`SYNTHETIC`) are written from their formulas as
BoTorch defines them (``botorch/test_functions/synthetic.py``, pytorch/botorch;
itself after Surjanovic & Bingham's Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/optimization.html), in numpy:

=================  ====  ======================  ==========================
name               d     domain                  optimum
=================  ====  ======================  ==========================
branin             2     [-5, 10] x [0, 15]      0.397887 (3 minimisers)
hartmann6          6     [0, 1]^6                -3.32237
ackley5            5     [-5, 10]^5              0 at the origin
levy5              5     [-10, 10]^5             0 at (1, ..., 1)
rosenbrock4        4     [-5, 10]^4              0 at (1, ..., 1)
branin_mixed       3     see below               0.432336
hartmann6_mixed    7     see below               -3.253105
=================  ====  ======================  ==========================

Ackley's usual domain is [-32.768, 32.768]^d (BoTorch's default); we use
[-5, 10]^d (BoTorch's Rosenbrock domain), so that the optimum is not at the
centre of the box, where space-filling designs and centre-biased optimisers
would find it for free.

The two mixed problems are ours:

``branin_mixed``
    ``f(x1, x2, colour) = branin(x1 - s[colour], x2) + o[colour]`` with
    ``x1`` real in [-5, 10], ``x2`` an integer in [0, 15] and ``colour`` a
    categorical that shifts and offsets the function: red (s=0, o=1), green
    (s=2, o=0), blue (s=-2, o=0.5). On the integer grid Branin's three
    continuous minimisers are lost; the optimum is 0.432336 at
    ``x1 = -1.079165, x2 = 12, colour = green`` (0.465107 at ``x2 = 2`` is the
    runner-up).
``hartmann6_mixed``
    ``f = hartmann6(x0, x1, x2, k3/10, k4/10, k5/10) + o[c]`` with ``x0..x2``
    real in [0, 1], ``k3..k5`` integers in [0, 10] (an 11-point grid on each
    of the last three coordinates) and a categorical ``c`` with offsets
    a=0.5, b=0, c=0.25, d=1. The optimum is -3.253105 at
    ``x = (0.204732, 0.150781, 0.472885), k = (3, 3, 7), c = "b"``.

Both mixed optima were found by exhausting the discrete values and minimising
the continuous ones (a dense grid, then bounded Brent / multi-start L-BFGS-B);
:func:`check_optima` re-evaluates the stated minimisers.

The scikit-learn problems (:data:`SKLEARN`) are cross-validated losses on
datasets that ship with scikit-learn: a fixed ``StratifiedKFold(5,
shuffle=True, random_state=0)`` (``KFold`` for regression), ``random_state=0``
in every estimator that has one, one thread, so an evaluation is deterministic and
:class:`CVObjective` memoises it on the canonical params.
"""

from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from sklearn_bayestune import Categorical, Integer, Real

__all__ = [
    "SKLEARN",
    "SYNTHETIC",
    "CVObjective",
    "Problem",
    "check_optima",
    "get_problems",
]


@dataclass(frozen=True)
class Problem:
    """One benchmark problem: a space and a function to minimise.

    Parameters
    ----------
    name : str
        Identifier used on the command line and in the outputs.
    space : dict
        Parameter names mapped to ``Real``, ``Integer`` or ``Categorical``.
    function : callable
        Takes a params dict (one value per key of ``space``) and returns the
        float to minimise.
    optimum : float or None
        The known global minimum over ``space``; None when unknown.
    description : str
        One line for the reports.
    checkpoints : tuple of int, default=()
        Extra evaluation counts at which to report the best value so far
        (Hartmann-6 at 50, the design's goal B.4.5), on top of the defaults.
    """

    name: str
    space: dict
    function: Callable[[dict], float]
    optimum: float | None
    description: str
    checkpoints: tuple[int, ...] = ()

    def __call__(self, params: dict) -> float:
        return float(self.function(params))


# --------------------------------------------------------------------------
# Synthetic functions (formulas as in BoTorch's synthetic.py)
# --------------------------------------------------------------------------


def _vector(params: dict, names: list[str]) -> np.ndarray:
    return np.array([float(params[name]) for name in names])


def branin(x1: float, x2: float) -> float:
    """Branin: ``(x2 - b x1^2 + c x1 - r)^2 + 10 (1 - t) cos(x1) + 10``.

    ``b = 5.1 / (4 pi^2)``, ``c = 5 / pi``, ``r = 6``, ``t = 1 / (8 pi)``.
    Minimum 0.397887 at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475).
    """
    b, c, r, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - r) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_HARTMANN6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_HARTMANN6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_HARTMANN6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(x: np.ndarray) -> float:
    """Hartmann-6: ``-sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2)`` on [0, 1]^6.

    Minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652,
    0.6573).
    """
    inner = np.sum(_HARTMANN6_A * (x[None, :] - _HARTMANN6_P) ** 2, axis=1)
    return float(-np.sum(_HARTMANN6_ALPHA * np.exp(-inner)))


def ackley(x: np.ndarray) -> float:
    """Ackley: ``-a exp(-b sqrt(mean x^2)) - exp(mean cos(c x)) + a + e``.

    ``a = 20``, ``b = 0.2``, ``c = 2 pi``; minimum 0 at the origin.
    """
    a, b, c = 20.0, 0.2, 2 * math.pi
    part1 = -a * math.exp(-b * math.sqrt(np.mean(x**2)))
    part2 = -math.exp(np.mean(np.cos(c * x)))
    return float(part1 + part2 + a + math.e)


def levy(x: np.ndarray) -> float:
    """Levy, with ``w = 1 + (x - 1) / 4``; minimum 0 at (1, ..., 1).

    ``sin^2(pi w_1) + sum_{i<d} (w_i - 1)^2 (1 + 10 sin^2(pi w_i + 1))
    + (w_d - 1)^2 (1 + sin^2(2 pi w_d))``.
    """
    w = 1.0 + (x - 1.0) / 4.0
    part1 = math.sin(math.pi * w[0]) ** 2
    part2 = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:-1] + 1) ** 2))
    part3 = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return float(part1 + part2 + part3)


def rosenbrock(x: np.ndarray) -> float:
    """Rosenbrock: ``sum_{i<d} 100 (x_{i+1} - x_i^2)^2 + (x_i - 1)^2``.

    Minimum 0 at (1, ..., 1).
    """
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (x[:-1] - 1) ** 2))


def _box(d: int, low: float, high: float) -> dict:
    return {f"x{i}": Real(low, high) for i in range(d)}


def _on_vector(f: Callable[[np.ndarray], float], d: int) -> Callable[[dict], float]:
    names = [f"x{i}" for i in range(d)]
    return lambda params: f(_vector(params, names))


# Shift s and offset o per colour of branin_mixed.
_BRANIN_COLOURS = {"red": (0.0, 1.0), "green": (2.0, 0.0), "blue": (-2.0, 0.5)}
# Offset per category of hartmann6_mixed.
_HARTMANN_OFFSETS = {"a": 0.5, "b": 0.0, "c": 0.25, "d": 1.0}


def branin_mixed(params: dict) -> float:
    """Branin with ``x2`` on integers and a categorical shift and offset."""
    shift, offset = _BRANIN_COLOURS[params["colour"]]
    return branin(float(params["x1"]) - shift, float(params["x2"])) + offset


def hartmann6_mixed(params: dict) -> float:
    """Hartmann-6, last three coordinates on an 11-point grid, plus an offset."""
    x = [float(params[f"x{i}"]) for i in range(3)]
    x += [int(params[f"k{i}"]) / 10 for i in range(3, 6)]
    return hartmann6(np.array(x)) + _HARTMANN_OFFSETS[params["c"]]


def _synthetic_problems() -> dict[str, Problem]:
    problems = [
        Problem(
            "branin",
            {"x1": Real(-5.0, 10.0), "x2": Real(0.0, 15.0)},
            lambda p: branin(float(p["x1"]), float(p["x2"])),
            0.397887,
            "Branin, 2-D, [-5, 10] x [0, 15]",
        ),
        Problem(
            "hartmann6",
            _box(6, 0.0, 1.0),
            _on_vector(hartmann6, 6),
            -3.32237,
            "Hartmann-6, [0, 1]^6",
            checkpoints=(50,),
        ),
        Problem(
            "ackley5",
            _box(5, -5.0, 10.0),
            _on_vector(ackley, 5),
            0.0,
            "Ackley, 5-D, [-5, 10]^5",
        ),
        Problem(
            "levy5",
            _box(5, -10.0, 10.0),
            _on_vector(levy, 5),
            0.0,
            "Levy, 5-D, [-10, 10]^5",
        ),
        Problem(
            "rosenbrock4",
            _box(4, -5.0, 10.0),
            _on_vector(rosenbrock, 4),
            0.0,
            "Rosenbrock, 4-D, [-5, 10]^4",
        ),
        Problem(
            "branin_mixed",
            {
                "x1": Real(-5.0, 10.0),
                "x2": Integer(0, 15),
                "colour": Categorical(list(_BRANIN_COLOURS)),
            },
            branin_mixed,
            0.432336,
            "Branin, x2 integer, categorical shift/offset (3 colours)",
        ),
        Problem(
            "hartmann6_mixed",
            {
                **_box(3, 0.0, 1.0),
                **{f"k{i}": Integer(0, 10) for i in range(3, 6)},
                "c": Categorical(list(_HARTMANN_OFFSETS)),
            },
            hartmann6_mixed,
            -3.253105,
            "Hartmann-6, 3 coordinates on an 11-point grid, categorical offset",
        ),
    ]
    return {p.name: p for p in problems}


# Minimisers of each synthetic problem, for check_optima.
_MINIMISERS = {
    "branin": {"x1": math.pi, "x2": 2.275},
    "hartmann6": dict(
        zip(
            [f"x{i}" for i in range(6)],
            [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
        )
    ),
    "ackley5": {f"x{i}": 0.0 for i in range(5)},
    "levy5": {f"x{i}": 1.0 for i in range(5)},
    "rosenbrock4": {f"x{i}": 1.0 for i in range(4)},
    "branin_mixed": {"x1": -1.079165, "x2": 12, "colour": "green"},
    "hartmann6_mixed": {
        "x0": 0.204732,
        "x1": 0.150781,
        "x2": 0.472885,
        "k3": 3,
        "k4": 3,
        "k5": 7,
        "c": "b",
    },
}


def check_optima(atol: float = 1e-5) -> dict[str, float]:
    """Evaluate every synthetic problem at its stated minimiser.

    Parameters
    ----------
    atol : float, default=1e-5
        Largest accepted gap between the value there and the stated optimum.

    Returns
    -------
    gaps : dict
        Problem name mapped to ``f(minimiser) - optimum``.

    Raises
    ------
    AssertionError
        If a gap exceeds ``atol``.
    """
    gaps = {}
    for name, problem in SYNTHETIC.items():
        gaps[name] = problem(_MINIMISERS[name]) - problem.optimum
        if abs(gaps[name]) > atol:
            raise AssertionError(f"{name}: f(minimiser) - optimum = {gaps[name]:.3g}")
    return gaps


# --------------------------------------------------------------------------
# scikit-learn problems
# --------------------------------------------------------------------------


@cache
def _dataset(name: str):
    from sklearn import datasets

    loader = {
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
        "wine": datasets.load_wine,
    }[name]
    return loader(return_X_y=True)


def _canonical(value):
    """A hashable, exact form of one parameter value (numpy scalars unwrapped)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return float(value)
    return value


@dataclass
class CVObjective:
    """Cross-validated loss of an estimator built from params, memoised.

    Parameters
    ----------
    build : callable
        Takes a params dict and returns an unfitted estimator.
    dataset : {"breast_cancer", "diabetes", "wine"}
        A dataset that ships with scikit-learn.
    scoring : str
        A scikit-learn scorer name whose negation is minimised
        (``"neg_log_loss"``, ``"neg_mean_squared_error"``).
    classification : bool
        Stratified folds for a classifier, plain shuffled ``KFold`` otherwise.

    Attributes
    ----------
    n_calls : int
        Calls, including memoised ones.
    n_fits : int
        Evaluations actually run (distinct params).
    fit_seconds : float
        CPU seconds spent in those evaluations.
    warnings : Counter
        Count of each ``ConvergenceWarning``/``FitFailedWarning`` message
        category raised during evaluations; only these are recorded,
        everything else is shown as usual.
    """

    build: Callable[[dict], object]
    dataset: str
    scoring: str
    classification: bool
    n_calls: int = 0
    n_fits: int = 0
    fit_seconds: float = 0.0
    warnings: Counter = field(default_factory=Counter)
    _memo: dict = field(default_factory=dict, repr=False)

    def __call__(self, params: dict) -> float:
        self.n_calls += 1
        key = tuple(sorted((k, _canonical(v)) for k, v in params.items()))
        if key not in self._memo:
            start = time.process_time()
            self._memo[key] = self._evaluate(dict(key))
            self.fit_seconds += time.process_time() - start
            self.n_fits += 1
        return self._memo[key]

    def _evaluate(self, params: dict) -> float:
        from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
        from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

        X, y = _dataset(self.dataset)
        splitter = StratifiedKFold if self.classification else KFold
        cv = splitter(n_splits=5, shuffle=True, random_state=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            warnings.simplefilter("always", FitFailedWarning)
            scores = cross_val_score(
                self.build(params),
                X,
                y,
                cv=cv,
                scoring=self.scoring,
                error_score="raise",
            )
        for w in caught:
            if issubclass(w.category, (ConvergenceWarning, FitFailedWarning)):
                self.warnings[w.category.__name__] += 1
            else:  # not ours to count: show it as it would have been shown
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return -float(np.mean(scores))


def _scaled(estimator):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), estimator)


def _svc(p):
    # Platt scaling on internal 5-fold predictions; replaces SVC(probability=True),
    # deprecated in scikit-learn 1.9.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    svc = SVC(C=p["C"], gamma=p["gamma"])
    return _scaled(CalibratedClassifierCV(svc, cv=3, ensemble=False))


def _elasticnet(p):
    # Degree-2 features (65 columns) give the penalty an interior optimum; on
    # the 10 raw features any alpha below 1e-3 reaches the OLS plateau.
    from sklearn.linear_model import ElasticNet
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    return make_pipeline(
        PolynomialFeatures(2, include_bias=False),
        StandardScaler(),
        ElasticNet(alpha=p["alpha"], l1_ratio=p["l1_ratio"], max_iter=5000),
    )


def _knn(p):
    from sklearn.neighbors import KNeighborsClassifier

    return _scaled(
        KNeighborsClassifier(
            n_neighbors=p["n_neighbors"], weights=p["weights"], p=p["p"]
        )
    )


def _max_features(value: str):
    return None if value == "all" else value


def _random_forest(p):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=25,
        max_depth=p["max_depth"],
        min_samples_leaf=p["min_samples_leaf"],
        max_features=_max_features(p["max_features"]),
        max_samples=p["max_samples"],
        criterion=p["criterion"],
        random_state=0,
        n_jobs=1,
    )


def _decision_tree(p):
    from sklearn.tree import DecisionTreeRegressor

    return DecisionTreeRegressor(
        max_depth=p["max_depth"],
        min_samples_leaf=p["min_samples_leaf"],
        max_features=_max_features(p["max_features"]),
        criterion=p["criterion"],
        random_state=0,
    )


def _hist_gradient_boosting(p):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        learning_rate=p["learning_rate"],
        max_leaf_nodes=p["max_leaf_nodes"],
        min_samples_leaf=p["min_samples_leaf"],
        l2_regularization=p["l2_regularization"],
        max_iter=50,
        early_stopping=False,
        random_state=0,
    )


def _log(low: float, high: float) -> Real:
    return Real(low, high, prior="log-uniform")


def _sklearn_problems() -> dict[str, Problem]:
    def problem(name, space, build, dataset, scoring, description):
        classification = scoring == "neg_log_loss"
        objective = CVObjective(build, dataset, scoring, classification)
        return Problem(name, space, objective, None, description)

    problems = [
        problem(
            "svc_breast",
            {"C": _log(1e-2, 1e3), "gamma": _log(1e-5, 1e1)},
            _svc,
            "breast_cancer",
            "neg_log_loss",
            "scaled, Platt-calibrated (3-fold) SVC(C, gamma), breast_cancer, log-loss",
        ),
        problem(
            "elasticnet_diabetes",
            {"alpha": _log(1e-4, 1e2), "l1_ratio": Real(0.0, 1.0)},
            _elasticnet,
            "diabetes",
            "neg_mean_squared_error",
            "ElasticNet(alpha, l1_ratio) on scaled degree-2 features, diabetes, MSE",
        ),
        problem(
            "knn_wine",
            {
                "n_neighbors": Integer(1, 50),
                "weights": Categorical(["uniform", "distance"]),
                "p": Real(1.0, 3.0),
            },
            _knn,
            "wine",
            "neg_log_loss",
            "scaled KNeighborsClassifier(n_neighbors, weights, p), wine, log-loss",
        ),
        problem(
            "rf_wine",
            {
                "max_depth": Integer(1, 20),
                "min_samples_leaf": Integer(1, 20),
                "max_features": Categorical(["sqrt", "log2", "all"]),
                "max_samples": Real(0.1, 1.0),
                "criterion": Categorical(["gini", "entropy"]),
            },
            _random_forest,
            "wine",
            "neg_log_loss",
            "RandomForestClassifier(25 trees; depth, leaf, features, bootstrap "
            "fraction, criterion), wine, log-loss",
        ),
        problem(
            "tree_diabetes",
            {
                "max_depth": Integer(1, 20),
                "min_samples_leaf": Integer(1, 50, prior="log-uniform"),
                "max_features": Categorical(["sqrt", "log2", "all"]),
                "criterion": Categorical(
                    ["squared_error", "absolute_error", "poisson"]
                ),
            },
            _decision_tree,
            "diabetes",
            "neg_mean_squared_error",
            "DecisionTreeRegressor(depth, leaf, features, criterion), diabetes, MSE",
        ),
        problem(
            "hgb_breast",
            {
                "learning_rate": _log(1e-3, 1.0),
                "max_leaf_nodes": Integer(2, 256, prior="log-uniform"),
                "min_samples_leaf": Integer(1, 200, prior="log-uniform"),
                "l2_regularization": _log(1e-6, 1e1),
            },
            _hist_gradient_boosting,
            "breast_cancer",
            "neg_log_loss",
            "HistGradientBoostingClassifier(50 iterations), breast_cancer, log-loss",
        ),
    ]
    return {p.name: p for p in problems}


SYNTHETIC = _synthetic_problems()
SKLEARN = _sklearn_problems()


def get_problems(names, registry: dict[str, Problem]) -> list[Problem]:
    """Look problems up by name, with a message listing the known names.

    Parameters
    ----------
    names : list of str
        Problem names, in the order to run them.
    registry : dict
        :data:`SYNTHETIC` or :data:`SKLEARN`.

    Returns
    -------
    problems : list of Problem
    """
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise SystemExit(
            f"Unknown problem {unknown[0]!r}; choose from {', '.join(registry)}."
        )
    return [registry[n] for n in names]

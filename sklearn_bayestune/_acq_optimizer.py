"""Maximise an acquisition function over a mixed, possibly conditional space.

Algorithm (after BoTorch's ``optimize_acqf`` and Optuna's ``optim_mixed``):

1. Score a pool of candidates at once: scrambled Sobol points, "spray" points
   around the best observations, and every point of a small discrete space.
2. Start local searches from the best pool point and from points drawn with
   probability proportional to ``exp(value - max)`` (roulette selection), so
   starts are good but not all in the same basin.
3. From each start, alternate L-BFGS-B on the continuous columns with an
   exhaustive sweep over each discrete column's choices, until a round brings
   no gain. The subspace column of a conditional space is never changed
   locally: the pool covers every subspace and each has its own starts.
4. Return the best point that is neither observed nor pending; fall back to
   the best such pool point, then to a fresh random point.

The optimiser sees only ``acquisition.value(X)`` (rows of ``X_unit``),
``acquisition.value_and_grad(x)`` and the encoded space (``sample_unit``,
``snap``, ``continuous``, ``categorical``, ``active``, ``unit_choices``,
``n_dims``), so it knows nothing about estimators or the GP.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

# A discrete column with more choices than this is searched as if continuous
# and snapped, rather than swept exhaustively.
MAX_SWEEP_CHOICES = 64
# A finite space up to this size can be listed to find its unseen candidates.
_MAX_ENUMERATED = 10_000


def _row_keys(X):
    # Snapped rows repeat exactly, so bytes identify them; + 0.0 folds -0.0
    # into 0.0.
    X = np.ascontiguousarray(X + 0.0)
    return [row.tobytes() for row in X]


def _is_new(X, excluded):
    """Rows of ``X`` that are not rows of ``excluded``."""
    if excluded is None or len(excluded) == 0:
        return np.ones(len(X), dtype=bool)
    seen = set(_row_keys(excluded))
    return np.array([key not in seen for key in _row_keys(X)], dtype=bool)


def _is_unseen_candidate(space, x, excluded):
    """Whether row ``x`` is new and decodes to a candidate no excluded row is.

    Rows a few ulps apart near a bound decode to one value (u = 2.8e-17 and
    5.6e-17 both to the low end of a log-uniform range), so a new row can
    still be a seen candidate. Only rows that close can collide, unless a
    range is narrower than the float spacing at its size (Real(1e16,
    1e16 + 8)): decode those alone.
    """
    if not _is_new(x[None], excluded)[0]:
        return False
    if excluded is None or len(excluded) == 0:
        return True
    near = excluded[np.max(np.abs(excluded - x), axis=1) < 1e-9]
    if len(near) == 0:
        return True
    params = space.from_unit(np.vstack([x[None], near]))
    return all(seen != params[0] for seen in params[1:])


def _spray(space, X_top, n_per_point, rng, scale=0.1):
    """Perturbations of the best observed rows: local exploration of the incumbents."""
    X = np.repeat(X_top, n_per_point, axis=0)
    active = space.active(X)
    moving = active & space.continuous[None, :]
    X = np.where(moving, X + scale * rng.standard_normal(X.shape), X)
    # Resample one active discrete column per row to move along discrete axes too.
    discrete = active & ~space.continuous[None, :]
    discrete[:, 0] &= space.n_subspaces == 1
    for row in range(len(X)):
        columns = np.flatnonzero(discrete[row])
        if len(columns):
            X[row, rng.choice(columns)] = rng.uniform()
    return space.snap(np.clip(X, 0.0, 1.0) * active + X * ~active)


def _sweepable_columns(space):
    """Discrete columns swept exhaustively: (column, unit choices) pairs.

    The subspace column of a conditional space is left out: switching
    subspaces changes which columns are active, so the pool handles it.
    """
    columns = []
    for j in np.flatnonzero(~space.continuous):
        if j == 0 and space.n_subspaces > 1:
            continue
        choices = space.unit_choices(j)
        if choices is not None and len(choices) <= MAX_SWEEP_CHOICES:
            columns.append((j, choices))
    return columns


def _sweep_discrete(acquisition, space, X, values, columns):
    """Set, row by row, each active discrete column to its best choice."""
    active = space.active(X)
    for j, choices in columns:
        rows = np.flatnonzero(active[:, j])
        if len(rows) == 0:
            continue
        # All (row, choice) pairs in one vectorised evaluation.
        trial = np.repeat(X[rows], len(choices), axis=0)
        trial[:, j] = np.tile(choices, len(rows))
        trial_values = acquisition.value(trial).reshape(len(rows), len(choices))
        best = np.argmax(trial_values, axis=1)
        gain = trial_values[np.arange(len(rows)), best] > values[rows]
        X[rows[gain], j] = choices[best[gain]]
        values[rows[gain]] = trial_values[np.arange(len(rows)), best][gain]
    return X, values


def _descend_continuous(acquisition, space, X, values, maxiter):
    """One L-BFGS-B run on the active continuous columns of all rows at once.

    The sum of the rows' acquisition values is separable, so maximising it
    maximises each row; one stacked call saves the Python overhead of one
    optimiser per start (BoTorch's ``gen_candidates_scipy`` does the same).
    """
    free = space.active(X) & space.continuous[None, :]
    if not free.any():
        return X, values

    def negative_sum(z):
        points = X.copy()
        points[free] = z
        value, grad = acquisition.value_and_grad(points)
        return -float(np.sum(value)), -grad[free]

    result = minimize(
        negative_sum,
        X[free],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * int(free.sum()),
        options={"maxiter": maxiter},
    )
    candidates = X.copy()
    candidates[free] = result.x
    candidates = space.snap(candidates)
    candidate_values = acquisition.value(candidates)
    better = candidate_values > values
    X[better], values[better] = candidates[better], candidate_values[better]
    return X, values


def _local_search(acquisition, space, X, values, *, max_rounds, maxiter):
    """Alternate continuous descent and discrete sweeps until no row improves."""
    columns = _sweepable_columns(space)
    for _ in range(max_rounds if columns else 1):
        before = values.copy()
        X, values = _descend_continuous(acquisition, space, X, values, maxiter)
        X, values = _sweep_discrete(acquisition, space, X, values, columns)
        if not np.any(values > before + 1e-12 * np.maximum(1.0, np.abs(before))):
            break
    return X, values


def _pick_starts(values, subspace_of, n_starts, rng):
    """Best point of each subspace, then roulette draws ∝ exp(value - max)."""
    finite = np.isfinite(values)
    starts = []
    for subspace in np.unique(subspace_of[finite]):
        members = np.flatnonzero(finite & (subspace_of == subspace))
        starts.append(int(members[np.argmax(values[members])]))
    n_more = min(n_starts - len(starts), int(finite.sum()) - len(starts))
    if n_more > 0:
        weights = np.where(finite, np.exp(values - np.max(values[finite])), 0.0)
        weights[starts] = 0.0
        if weights.sum() > 0:
            n_more = min(n_more, int((weights > 0).sum()))
            extra = rng.choice(
                len(values), size=n_more, replace=False, p=weights / weights.sum()
            )
            starts.extend(int(i) for i in extra)
    return starts


def optimize_acquisition(
    acquisition,
    space,
    rng: np.random.Generator,
    *,
    excluded: np.ndarray | None = None,
    X_top: np.ndarray | None = None,
    n_pool: int = 512,
    n_starts: int = 6,
    max_rounds: int = 3,
    maxiter: int = 30,
) -> tuple[np.ndarray, float]:
    """Return the unseen point of ``space`` with the highest acquisition value.

    Parameters
    ----------
    acquisition : object
        Has ``value(X) -> (m,)`` for rows ``X`` of shape (m, d) and
        ``value_and_grad(x) -> (float, (d,))`` for one row.
    space : SearchSpace
        The encoded search space.
    rng : numpy.random.Generator
    excluded : ndarray of shape (k, d), default=None
        Observed and pending rows, never returned.
    X_top : ndarray of shape (t, d), default=None
        The best observed rows, around which spray points are drawn.
    n_pool, n_starts, max_rounds, maxiter : int
        Pool size, number of local searches, alternation rounds per local
        search and L-BFGS-B iterations per round.

    Returns
    -------
    x : ndarray of shape (d,)
        A snapped row, not in ``excluded``.
    value : float
        Its acquisition value (``-inf`` for the random fallback).
    """
    pools = [space.sample_unit(n_pool, rng, method="sobol")]
    if X_top is not None and len(X_top):
        pools.append(_spray(space, X_top, max(1, 64 // len(X_top)), rng))
    if space.is_finite and space.size <= n_pool:
        pools.append(space.enumerate_unit())
    pool = np.unique(np.vstack(pools), axis=0)
    pool = pool[_is_new(pool, excluded)]
    if len(pool) == 0:
        return random_unseen_point(space, rng, excluded), -np.inf
    values = acquisition.value(pool)

    subspace_of = pool[:, 0] if space.n_subspaces > 1 else np.zeros(len(pool))
    starts = _pick_starts(values, subspace_of, n_starts, rng)
    if starts:
        X, local_values = _local_search(
            acquisition,
            space,
            pool[starts].copy(),
            values[starts].copy(),
            max_rounds=max_rounds,
            maxiter=maxiter,
        )
        for i in np.argsort(-local_values):
            if _is_unseen_candidate(space, X[i], excluded):
                return X[i], float(local_values[i])
    for i in np.argsort(-np.where(np.isfinite(values), values, -np.inf), kind="stable"):
        if _is_unseen_candidate(space, pool[i], excluded):
            return pool[i], float(values[i])
    return random_unseen_point(space, rng, excluded), -np.inf


def random_unseen_point(space, rng, excluded, n_tries=100):
    """A random valid row not in ``excluded``.

    Drawn from the priors; after ``n_tries`` seen draws, uniformly among the
    unseen candidates of a small finite space (values of little prior mass
    are left last), else any draw.
    """
    for _ in range(n_tries):
        x = space.sample_unit(1, rng, method="random")
        if _is_new(x, excluded)[0]:
            return x[0]
    if space.is_finite and space.size <= _MAX_ENUMERATED:
        candidates = space.enumerate_unit()
        unseen = candidates[_is_new(candidates, excluded)]
        if len(unseen):
            return unseen[rng.integers(len(unseen))]
    return x[0]

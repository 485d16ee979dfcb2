"""Search spaces: a whole parameter specification, enumerated, sampled and encoded.

:class:`SearchSpace` parses a ``param_grid`` / ``param_distributions`` once: a
dict, or a list of dicts for alternative subspaces, whose values are anything
scikit-learn's ``GridSearchCV`` and ``RandomizedSearchCV`` accept plus the
dimensions of :mod:`sklearn_bayestune._dimensions`. It enumerates and samples
candidates for every searcher and maps them to and from rows ``X_unit`` of the
unit cube for the Bayesian optimiser, which never sees parameter dicts. Use
this module for a whole specification (several keys, subspaces, the flat
encoding and membership checks of candidate dicts); use
:mod:`sklearn_bayestune._dimensions` to define, sample or encode a single
parameter. The dimension names are re-exported here for code that imported
them from this module.

Notation
--------
X_unit : ndarray of shape (n, d)
    Encoded candidates of a :class:`SearchSpace`: one column per distinct
    (key, dimension) pair, each holding that dimension's unit encoding;
    inactive entries hold :data:`INACTIVE`.
params : dict
    One candidate as scikit-learn's ``set_params`` takes it.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Mapping

import numpy as np
from scipy.stats import qmc

from ._dimensions import (
    Categorical,
    Dimension,
    _check_random_state,
    _describe,
    _is_frozen,
    as_dimension,
)

__all__ = ["INACTIVE", "SearchSpace"]

# A finite list-of-dicts space up to this size counts its distinct candidates.
_MAX_DEDUPLICATED = 10_000

# Unit value of a column that does not apply to a row's subspace: outside
# [0, 1], so it never coincides with an active value (SMAC imputes -1).
INACTIVE = -0.5

# Ordered columns with at least this many values are searched by gradient
# and snapped instead of by listing their choices.
_MAX_CHOICES = 1000

# scipy 1.15 renamed the seed argument of the QMC engines to ``rng``.
_SOBOL_SEED = "rng" if "rng" in inspect.signature(qmc.Sobol).parameters else "seed"


def _seed_from(rng) -> int:
    """A 32-bit seed drawn from a ``Generator`` or ``RandomState``."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**32))
    return int(rng.randint(2**32, dtype=np.int64))


# --------------------------------------------------------------------------
# SearchSpace
# --------------------------------------------------------------------------


class SearchSpace:
    """A parameter space: subspaces of dimensions, sampled and encoded.

    The one object the searchers and the Bayesian optimiser use: it parses
    ``param_grid`` / ``param_distributions`` once, enumerates and samples
    candidates, and maps them to and from rows ``X_unit`` of the unit cube.

    Parameters
    ----------
    param_distributions : dict or list of dicts
        Parameter names (str) mapped to what :func:`as_dimension` accepts. A
        list of dicts gives alternative subspaces, as in scikit-learn.
    parameter : str, default="param_distributions"
        The name of the constructor argument the user set, for messages.

    Attributes
    ----------
    subspaces : list of dict
        The subspaces, keys sorted, values converted by :func:`as_dimension`.
    n_subspaces : int
        ``len(subspaces)``.
    encodable : bool
        Whether every value is a :class:`Dimension`; only then can the space
        be encoded (objects with nothing but ``rvs`` cannot). See
        :meth:`check_encodable`.
    is_finite : bool
        Whether a search can propose finitely many candidates: every
        dimension is a lattice or categorical. An unbounded Integer counts,
        since its encoding leaves the prior's tail out (a grid still refuses
        it: it has no last value to list).
    size : int or None
        Number of candidates of a finite space: each value once (a repeated
        category is one candidate, unlike in ``ParameterGrid``), only values
        that decode (not those a prior's far tail collapses onto a
        neighbour), and a candidate that several dicts of a list hold once
        (up to 10,000 candidates); None for an infinite space.

    Notes
    -----
    The flat encoding has one column per distinct (key, dimension) pair: a
    key with an equal dimension in several subspaces shares one column. When
    there are several subspaces, column 0 holds the subspace index as a
    categorical. A column that does not apply to a row's subspace holds
    :data:`INACTIVE` (``-0.5``).

    Examples
    --------
    >>> from sklearn_bayestune._dimensions import Real
    >>> from sklearn_bayestune._space import SearchSpace
    >>> space = SearchSpace([
    ...     {"kernel": ["linear"], "C": Real(1e-2, 1e2, prior="log-uniform")},
    ...     {"kernel": ["rbf"], "C": Real(1e-2, 1e2, prior="log-uniform"),
    ...      "gamma": Real(1e-3, 1.0, prior="log-uniform")},
    ... ])
    >>> space.columns
    [((0, 1), None), ((0, 1), 'C'), ((0,), 'kernel'), ((1,), 'gamma'), ((1,), 'kernel')]
    >>> X_unit = space.to_unit([{"kernel": "linear", "C": 1.0}])
    >>> X_unit
    array([[ 0.25,  0.5 ,  0.5 , -0.5 , -0.5 ]])
    >>> space.from_unit(X_unit)
    [{'C': 1.0, 'kernel': 'linear'}]
    """

    def __init__(self, param_distributions, *, parameter: str = "param_distributions"):
        self.parameter = parameter
        if isinstance(param_distributions, Mapping):
            grids = [param_distributions]
        elif isinstance(param_distributions, (list, tuple)):
            grids = list(param_distributions)
            if not grids:
                raise ValueError(
                    f"{parameter} must be a dict or a non-empty list of dicts; got "
                    "an empty list."
                )
        else:
            raise TypeError(
                f"{parameter} must be a dict or a list of dicts; got "
                f"{_describe(param_distributions)}."
            )
        self.subspaces = []
        for i, grid in enumerate(grids):
            if not isinstance(grid, Mapping):
                raise TypeError(
                    f"{parameter} must be a dict or a list of dicts; element {i} is "
                    f"{_describe(grid)}."
                )
            for key in grid:
                if not isinstance(key, str):
                    raise TypeError(
                        f"{parameter} keys must be parameter names (str); got "
                        f"{_describe(key)}."
                    )
            self.subspaces.append(
                {
                    key: as_dimension(grid[key], key, parameter=parameter)
                    for key in sorted(grid)
                }
            )
        self.n_subspaces = len(self.subspaces)
        self.encodable = all(
            isinstance(dim, Dimension) for sub in self.subspaces for dim in sub.values()
        )
        self.is_finite = all(
            isinstance(dim, Dimension) and dim._n_distinct() is not None
            for sub in self.subspaces
            for dim in sub.values()
        )
        self.size = (
            sum(
                math.prod(dim._n_distinct() for dim in sub.values())
                for sub in self.subspaces
            )
            if self.is_finite
            else None
        )
        if self.encodable:
            self._build_columns()
        if self.is_finite and 1 < self.n_subspaces and self.size <= _MAX_DEDUPLICATED:
            self.size = len(self.enumerate())

    def _build_columns(self):
        """Lay out the flat encoding: columns, their dimensions and activity."""
        dims, owners, keys = [], [], []
        if self.n_subspaces > 1:
            self._subspace_dim = Categorical(list(range(self.n_subspaces)))
            self._subspace_dim._check("subspace")
            dims.append(self._subspace_dim)
            owners.append(list(range(self.n_subspaces)))
            keys.append(None)
        self._key_columns = []
        for s, sub in enumerate(self.subspaces):
            key_columns = {}
            for key, dim in sub.items():
                for j, (k, d) in enumerate(zip(keys, dims)):
                    if k == key and d == dim and s not in owners[j]:
                        owners[j].append(s)
                        break
                else:
                    dims.append(dim)
                    owners.append([s])
                    keys.append(key)
                    j = len(dims) - 1
                key_columns[key] = j
            self._key_columns.append(key_columns)
        self._dims = dims
        self._columns = [(tuple(o), k) for o, k in zip(owners, keys)]
        self._active_mask = np.zeros((self.n_subspaces, len(dims)), dtype=bool)
        for j, owner in enumerate(owners):
            self._active_mask[owner, j] = True
        self._categorical = np.array(
            [d.kind == "categorical" for d in dims], dtype=bool
        )
        self._choices = [self._column_choices(d) for d in dims]
        self._continuous = np.array(
            [not c and ch is None for c, ch in zip(self._categorical, self._choices)],
            dtype=bool,
        )
        self._lattice = np.array(
            [d.kind != "categorical" and d.n_choices is not None for d in dims],
            dtype=bool,
        )

    @staticmethod
    def _column_choices(dim):
        if dim.kind == "categorical":
            return dim.unit_choices()
        if dim.n_choices is None or dim.n_choices >= _MAX_CHOICES:
            return None
        return dim.unit_choices()

    def check_encodable(self) -> None:
        """Raise a TypeError unless every value of the space can be encoded.

        The encoding methods (``to_unit``, ``from_unit``, ``sample_unit``,
        ``snap``, ...) call this first. A space holding an object with only an
        ``rvs`` method can be sampled, as by ``RandomTuneCV``, but not encoded,
        so ``BayesTuneCV`` and ``BayesOptimizer`` cannot search it.

        Raises
        ------
        TypeError
            Naming the first parameter whose value is not a
            :class:`Dimension`.
        """
        if self.encodable:
            return
        for sub in self.subspaces:
            for key, dim in sub.items():
                if _is_frozen(dim):  # says why it could not be encoded
                    as_dimension(dim, key, parameter=self.parameter, encodable=True)
                if not isinstance(dim, Dimension):
                    raise TypeError(
                        f"Parameter {key!r} in {self.parameter} is "
                        f"{_describe(dim)}, which has an rvs method but no cdf and "
                        "ppf; it needs a cdf and ppf to be searched by BayesTuneCV. "
                        "Use a frozen scipy.stats distribution or a "
                        "Real/Integer/Categorical dimension."
                    )

    @property
    def n_dims(self) -> int:
        """Number of columns ``d`` of the encoding."""
        self.check_encodable()
        return len(self._dims)

    @property
    def columns(self) -> list[tuple[tuple[int, ...], str | None]]:
        """(subspace indices, key) of each column; key None for the subspace column."""
        self.check_encodable()
        return self._columns

    @property
    def categorical(self) -> np.ndarray:
        """Boolean mask (d,) of the categorical columns, subspace column included."""
        self.check_encodable()
        return self._categorical

    @property
    def continuous(self) -> np.ndarray:
        """Boolean mask (d,) of the columns to optimise by gradient (then snap).

        Ordered columns without a short list of choices: continuous Reals, and
        lattices with 1000 values or more.
        """
        self.check_encodable()
        return self._continuous

    @property
    def lattice(self) -> np.ndarray:
        """Boolean mask (d,) of the ordered columns with finitely many values.

        Integers and stepped Reals with finite bounds, whatever their number
        of values; the surrogate learns an input warp for each.
        """
        self.check_encodable()
        return self._lattice

    def __repr__(self):
        spec = self.subspaces[0] if self.n_subspaces == 1 else self.subspaces
        return f"SearchSpace({spec!r})"

    # ---- enumeration and sampling ------------------------------------------
    def enumerate(self) -> list[dict]:
        """Every candidate of a finite space.

        The order is scikit-learn's ``ParameterGrid``'s: subspace by subspace,
        keys sorted, the last key varying fastest; each candidate once, as in
        :attr:`size`.

        Returns
        -------
        candidates : list of dict
        """
        return self._enumerated()[0]

    def enumerate_unit(self) -> np.ndarray:
        """The rows of :meth:`enumerate`'s candidates, as a search proposes them.

        Each row is in a subspace where it decodes back to its candidate: with
        a list of dicts, ``to_unit`` puts a candidate in the first dict whose
        bounds hold it, where a prior's tail may have been left out.

        Returns
        -------
        X_unit : ndarray of shape (n_candidates, n_dims)
        """
        return self._enumerated()[1]

    def _enumerated(self):
        if not self.is_finite:
            for sub in self.subspaces:
                for key, dim in sub.items():
                    if not isinstance(dim, Dimension) or dim._n_distinct() is None:
                        raise ValueError(
                            f"Only a finite space can be enumerated; parameter "
                            f"{key!r} in {self.parameter} is {dim!r}, which has "
                            "infinitely many values. Use a list of values, an "
                            "Integer with finite bounds or a Real with a step."
                        )
        candidates, which = [], []
        for s, sub in enumerate(self.subspaces):
            keys = list(sub)
            values = [sub[k]._values_of(sub[k]._distinct_codes()) for k in keys]
            for combination in itertools.product(*values):
                candidates.append(dict(zip(keys, combination)))
                which.append(s)
        rows = self._encode_in(candidates, np.array(which, dtype=np.intp))
        if 1 < self.n_subspaces and len(candidates) <= _MAX_DEDUPLICATED:
            # Overlapping dicts list some candidates twice: keep them once.
            rows = self.canonical(rows)
            first = np.sort(np.unique(rows, axis=0, return_index=True)[1])
            candidates, rows = [candidates[i] for i in first], rows[first]
        return candidates, rows

    def sample(self, n: int, random_state=None) -> list[dict]:
        """Draw ``n`` independent candidates from the priors.

        The subspace of each candidate is drawn uniformly, as scikit-learn's
        ``ParameterSampler`` does; objects with only ``rvs`` are called once
        per candidate.

        Parameters
        ----------
        n : int
            Number of candidates.
        random_state : int, RandomState or Generator, default=None

        Returns
        -------
        candidates : list of dict
        """
        rng = _check_random_state(random_state)
        which = np.minimum(
            (rng.uniform(size=n) * self.n_subspaces).astype(int), self.n_subspaces - 1
        )
        candidates = [None] * n
        for s, sub in enumerate(self.subspaces):
            rows = np.flatnonzero(which == s)
            columns = {}
            for key, dim in sub.items():
                if isinstance(dim, Dimension):
                    columns[key] = dim.from_unit(rng.uniform(size=len(rows)))
                else:
                    columns[key] = [dim.rvs(random_state=rng) for _ in rows]
            for i, row in enumerate(rows):
                candidates[row] = {key: columns[key][i] for key in sub}
        return candidates

    def sample_unit(self, n: int, rng=None, method: str = "random") -> np.ndarray:
        """Draw ``n`` valid encoded rows.

        Each column is drawn uniformly in [0, 1] (so values follow the priors
        and subspaces are equally likely), then the rows are snapped.

        Parameters
        ----------
        n : int
            Number of rows.
        rng : int, RandomState or Generator, default=None
        method : {"random", "sobol"}, default="random"
            ``"sobol"`` draws a scrambled Sobol' sequence over all columns
            (the first ``n`` points of a power-of-2 block), except that the
            subspace column cycles through the subspaces.

        Returns
        -------
        X_unit : ndarray of shape (n, n_dims)
        """
        self.check_encodable()
        rng = _check_random_state(rng)
        if method == "random":
            U = rng.uniform(size=(n, self.n_dims))
        elif method == "sobol":
            if self.n_dims == 0 or n == 0:
                U = np.zeros((n, self.n_dims))
            else:
                engine = qmc.Sobol(
                    self.n_dims, scramble=True, **{_SOBOL_SEED: _seed_from(rng)}
                )
                U = engine.random_base2(max(0, math.ceil(math.log2(n))))[:n]
                if self.n_subspaces > 1:
                    # Round-robin over subspaces, so a short initial design
                    # visits every one of them.
                    U[:, 0] = (np.arange(n) % self.n_subspaces + 0.5) / self.n_subspaces
        else:
            raise ValueError(f"method must be 'random' or 'sobol'; got {method!r}.")
        return self.snap(U)

    # ---- encoding ----------------------------------------------------------
    def _check_X(self, X_unit) -> np.ndarray:
        X = np.asarray(X_unit, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_dims:
            raise ValueError(
                f"X_unit must have shape (n, {self.n_dims}); got {X.shape}."
            )
        if np.isnan(X).any():
            raise ValueError("X_unit must not contain NaN.")
        return X

    def _subspace_of(self, X) -> np.ndarray:
        if self.n_subspaces == 1:
            return np.zeros(len(X), dtype=np.intp)
        return self._subspace_dim._decode(X[:, 0])

    def active(self, X_unit) -> np.ndarray:
        """Which entries of each row apply to that row's subspace.

        Parameters
        ----------
        X_unit : ndarray of shape (n, n_dims)

        Returns
        -------
        active : ndarray of bool, shape (n, n_dims)
        """
        self.check_encodable()
        X = self._check_X(X_unit)
        return self._active_mask[self._subspace_of(X)]

    def snap(self, X_unit) -> np.ndarray:
        """Project rows onto valid encoded candidates.

        Discrete columns go to their cell centres, continuous ones are clipped
        into [0, 1], and columns inactive in a row's subspace (read from
        column 0) are set to :data:`INACTIVE`. Idempotent, and equal to
        ``to_unit(from_unit(X_unit))``.

        Parameters
        ----------
        X_unit : ndarray of shape (n, n_dims)

        Returns
        -------
        X_snapped : ndarray of shape (n, n_dims)
        """
        self.check_encodable()
        X = self._check_X(X_unit)
        out = np.empty_like(X)
        for j, dim in enumerate(self._dims):
            out[:, j] = dim.snap_unit(X[:, j])
        out[~self._active_mask[self._subspace_of(X)]] = INACTIVE
        return out

    def to_unit(self, params_list) -> np.ndarray:
        """Encode candidates as rows of the unit cube.

        Parameters
        ----------
        params_list : list of dict
            Candidates; each is assigned to the first subspace that holds it.

        Returns
        -------
        X_unit : ndarray of shape (n, n_dims)
        """
        self.check_encodable()
        params_list = list(params_list)
        which = np.array([self.check_params(p) for p in params_list], dtype=np.intp)
        return self._encode_in(params_list, which)

    def _encode_in(self, params_list, which):
        """Rows of ``params_list``, each in the subspace ``which`` gives it."""
        X = np.full((len(params_list), self.n_dims), INACTIVE)
        if self.n_subspaces > 1:
            X[:, 0] = self._subspace_dim._encode(which)
        for s, key_columns in enumerate(self._key_columns):
            rows = np.flatnonzero(which == s)
            if rows.size == 0:
                continue
            for key, j in key_columns.items():
                values = [params_list[i][key] for i in rows]
                X[rows, j] = self._dims[j].to_unit(values)
        return X

    def from_unit(self, X_unit) -> list[dict]:
        """Decode rows of the unit cube into candidates, snapping them.

        Parameters
        ----------
        X_unit : ndarray of shape (n, n_dims)

        Returns
        -------
        params_list : list of dict
            One dict per row, keys sorted; the subspace is read from column 0.
        """
        self.check_encodable()
        X = self._check_X(X_unit)
        which = self._subspace_of(X)
        active = self._active_mask[which]
        decoded = []
        for j, dim in enumerate(self._dims):
            rows = np.flatnonzero(active[:, j])
            column = [None] * len(X)
            for i, value in zip(rows, dim.from_unit(X[rows, j])):
                column[i] = value
            decoded.append(column)
        return [
            {key: decoded[j][i] for key, j in self._key_columns[s].items()}
            for i, s in enumerate(which)
        ]

    def unit_choices(self, j: int) -> np.ndarray | None:
        """Unit values of the choices of column ``j``.

        Parameters
        ----------
        j : int
            Column index.

        Returns
        -------
        choices : ndarray or None
            Sorted unit values for a categorical column or an ordered column
            with fewer than 1000 values; None for a continuous column or a
            larger range (search those by gradient, then snap).
        """
        self.check_encodable()
        return self._choices[j]

    # ---- membership --------------------------------------------------------
    def encodings(self, X_unit) -> np.ndarray:
        """``X_unit`` and its candidates' rows in every other subspace listing them.

        Dicts of a list may overlap (``[{"C": [1, 10]}, {"C": [10, 100]}]``):
        a candidate seen in one is seen in all, so a search excludes all its
        rows.
        """
        X = np.asarray(X_unit, dtype=float)
        if self.n_subspaces == 1 or len(X) == 0:
            return X
        params_list = self.from_unit(X[self._decodes_back(X)])
        rows = [X] + [row for _, row in self._listed_rows(params_list)]
        return np.vstack(rows)

    def canonical(self, X_unit) -> np.ndarray:
        """Rows, each re-encoded in the first subspace listing its candidate.

        One row per distinct candidate, for rows that decode back to
        themselves (as proposals do); others may take a neighbour's row.
        """
        X = np.asarray(X_unit, dtype=float)
        if self.n_subspaces == 1 or len(X) == 0:
            return X
        canonical = X.copy()
        assigned = np.zeros(len(X), dtype=bool)
        for i, row in self._listed_rows(self.from_unit(X)):
            if not assigned[i]:
                canonical[i], assigned[i] = row, True
        return canonical

    def _decodes_back(self, X):
        """Rows a proposal can produce: snapping leaves them as they are."""
        return np.all(self.snap(X) == X, axis=1)

    def _listed_rows(self, params_list):
        """``(i, row)`` for each subspace, in order, listing candidate ``i``.

        A subspace lists a candidate when it holds it and its row there
        decodes back to it (not onto a neighbour, far in a prior's tail).
        """
        for s, sub in enumerate(self.subspaces):
            held = [i for i, p in enumerate(params_list) if self._holds(p, sub)]
            if not held:
                continue
            which = np.full(len(held), s)
            rows = self._encode_in([params_list[i] for i in held], which)
            for i, row, ok in zip(held, rows, self._decodes_back(rows)):
                if ok:
                    yield i, row

    @staticmethod
    def _holds(params, sub) -> bool:
        return params.keys() == sub.keys() and all(
            params[key] in dim for key, dim in sub.items()
        )

    def _locate(self, params) -> tuple[int | None, str]:
        """The first subspace holding ``params``, or None and why not."""
        errors = []
        for s, sub in enumerate(self.subspaces):
            where = (
                self.parameter if self.n_subspaces == 1 else f"{self.parameter}[{s}]"
            )
            unknown = sorted(set(params) - set(sub), key=str)
            missing = sorted(set(sub) - set(params))
            if unknown:
                errors.append(
                    (
                        2,
                        f"Unknown parameter {unknown[0]!r}: it is not a key "
                        f"of {where}, whose keys are {list(sub)}.",
                    )
                )
                continue
            if missing:
                errors.append(
                    (
                        1,
                        f"Parameter {missing[0]!r} is missing: {where} has "
                        f"keys {list(sub)}, params has {sorted(params)}.",
                    )
                )
                continue
            for key, dim in sub.items():
                if isinstance(dim, Dimension) and params[key] not in dim:
                    hint = ""
                    if dim.kind == "categorical" and repr(params[key]) in map(
                        repr, dim.values()
                    ):
                        hint = (
                            " Categories that == does not compare (estimators) "
                            "match only as the same object; a copy (e.g. after "
                            "pickling) is another object: pickle asked points "
                            "together with the optimizer."
                        )
                    errors.append(
                        (
                            0,
                            f"Parameter {key!r} = {params[key]!r} is outside "
                            f"{where}: the value must be in {dim!r}.{hint}",
                        )
                    )
                    break
            else:
                return s, ""
        return None, min(errors, key=lambda e: e[0])[1]

    def contains(self, params) -> bool:
        """Whether ``params`` is a candidate of the space.

        Values of objects with only ``rvs`` are not checked.

        Parameters
        ----------
        params : dict

        Returns
        -------
        contained : bool
        """
        return isinstance(params, Mapping) and self._locate(params)[0] is not None

    def check_params(self, params) -> int:
        """Raise a ValueError naming the offending key if ``params`` is not a candidate.

        Parameters
        ----------
        params : dict

        Returns
        -------
        subspace : int
            Index of the first subspace holding ``params``.
        """
        if not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict; got {_describe(params)}.")
        s, message = self._locate(params)
        if s is None:
            raise ValueError(message)
        return s

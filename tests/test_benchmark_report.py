"""The statistics behind the sample-efficiency reports in ``benchmarks/``.

The benchmark scripts are not part of the package; CI runs each once at a tiny
budget. Here the one piece of statistics they print, the permutation test of
the "ahead" table, is checked against exact answers.
"""

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def convergence():
    # The benchmarks pin BLAS threads through the environment when imported,
    # and their modules have generic names (problems, peers): keep both out
    # of the rest of the test session.
    environ, path, modules = dict(os.environ), list(sys.path), set(sys.modules)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import _convergence

        yield _convergence
    finally:
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            if (
                getattr(sys.modules[name], "__file__", "")
                and Path(sys.modules[name].__file__).parent == BENCHMARKS
            ):
                del sys.modules[name]


def test_permutation_p_value_matches_exact_enumeration(convergence):
    # Of the 6 ways to split {1, 2, 3, 4} in two pairs, only the observed one
    # puts the first pair's mean 2 above the second's: p = 1/6.
    p = convergence.permutation_p_value([3.0, 4.0], [1.0, 2.0], np.mean)
    assert p == pytest.approx(1 / 6, abs=0.015)
    # The reverse gap is reached or exceeded by every split.
    assert convergence.permutation_p_value([1.0, 2.0], [3.0, 4.0], np.mean) == 1.0


@pytest.mark.parametrize("statistic", [np.mean, np.median])
def test_permutation_p_value_separates_shift_from_noise(convergence, statistic):
    rng = np.random.default_rng(0)
    theirs = rng.normal(size=20)
    assert convergence.permutation_p_value(theirs + 3.0, theirs, statistic) < 0.001
    same = convergence.permutation_p_value(rng.normal(size=20), theirs, statistic)
    assert 0.05 < same <= 1.0
    # Fixed seed: the same answer twice.
    assert convergence.permutation_p_value(
        theirs + 0.3, theirs, statistic
    ) == convergence.permutation_p_value(theirs + 0.3, theirs, statistic)


def test_behind_table_lists_only_cells_where_another_method_leads(convergence):
    problem = SimpleNamespace(name="toy", checkpoints=())
    rng = np.random.default_rng(1)

    def runs(method, shift):
        return [
            {
                "problem": "toy",
                "method": method,
                "seed": seed,
                "values": list(shift + rng.random(32)),
                "proposal_cpu_s": [0.0],
                "evaluation_cpu_s": [0.0],
            }
            for seed in range(10)
        ]

    # Ahead at 16 (random is shifted up by one there), behind at 32.
    records = runs("random", 0.0) + runs("bayestune", 0.0)
    for r in records[10:]:
        r["values"][:16] = [v + 1.0 for v in r["values"][:16]]
        r["values"][16:] = [v - 1.0 for v in r["values"][16:]]
    methods = ["bayestune", "random"]
    summary = convergence._summarise([problem], methods, records, 32)
    table = convergence._behind_table([problem], records, summary, 32)
    rows = [line for line in table.splitlines() if line.startswith("| toy")]
    assert [row.split(" | ")[1:3] for row in rows] == [
        ["mean @16", "random"],
        ["median @16", "random"],
    ]
    assert all(float(row.rstrip(" |").split(" | ")[-1]) < 0.01 for row in rows)
    # Without the reference method there is nothing to compare.
    only_random = [r for r in records if r["method"] == "random"]
    summary = convergence._summarise([problem], ["random"], only_random, 32)
    assert convergence._behind_table([problem], only_random, summary, 32) == ""
    # Nor in a run shorter than the first checkpoint (the tiny CI run).
    summary = convergence._summarise([problem], methods, records, 8)
    assert convergence._behind_table([problem], records, summary, 8) == ""

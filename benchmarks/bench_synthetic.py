"""Sample efficiency on synthetic functions with known optima.

Runs every method of :mod:`peers` on every problem of
:data:`problems.SYNTHETIC` (Branin, Hartmann-6, Ackley-5, Levy-5,
Rosenbrock-4 and two mixed integer/categorical problems) and reports the best
value found after 16, 32 and 64 evaluations (Hartmann-6 also at 50), mean and
median over seeds. See :mod:`_convergence` for the protocol.

Usage, from the repository root::

    python benchmarks/bench_synthetic.py            # full: 40 seeds x 64 evaluations
    python benchmarks/bench_synthetic.py --tiny     # smoke run: 1 seed x 8, 2 problems
    python benchmarks/bench_synthetic.py --problems branin hartmann6 --seeds 3
"""

import _common  # noqa: F401  (first: pins BLAS/OpenMP to one thread)
import _convergence
from problems import SYNTHETIC

if __name__ == "__main__":
    _convergence.main(
        "synthetic",
        "Synthetic benchmark: best value so far",
        __doc__.splitlines()[0],
        SYNTHETIC,
        seeds=40,
        n_evals=64,
        tiny_problems=("branin", "branin_mixed"),
    )

"""Overhead: CPU time to propose the next point after n observations, in 6-D.

Protocol, for each method and each n:

1. a fresh tuner (seed 0) is fed n - 1 observations with ``observe``: random
   points of the Hartmann-6 space ([0, 1]^6, drawn with seed 0, the same for
   every method) and their Hartmann-6 values, without fitting where the
   library lets us skip it;
2. ``WARMUP`` untimed rounds, then ``REPEATS`` timed rounds, each one
   ``tell`` of the latest observation (the n-th random point, then the
   method's own last proposal) followed by ``ask``: the per-proposal time of
   :mod:`peers` (skopt fits inside ``tell``, the others inside ``ask``);
3. the median CPU seconds of the timed rounds is reported, with its ratio to
   ``bayestune`` at the same n, measured in the same run.

The first proposal after the history is a cold model fit for every method;
the default single warm-up round absorbs it, so the median is the steady
state of a tuning loop: ``bayestune`` and Optuna's GPSampler warm-start their
hyperparameter fit from the previous one (``bayestune`` refits cold every
tenth fit), skopt refits from scratch every time, TPE keeps no model. The
JSON keeps every timed round.

Usage, from the repository root::

    python benchmarks/bench_overhead.py                  # n = 25 .. 200; ours to 1000
    python benchmarks/bench_overhead.py --n 25 50 100    # a quick check
    python benchmarks/bench_overhead.py --problem hartmann6_mixed
    python benchmarks/bench_overhead.py --tiny           # smoke run

``--problem`` times another synthetic problem: the mixed Hartmann-6 has three
of its six coordinates on an integer grid, which bayestune's surrogate warps
(two more hyperparameters each), and a categorical offset. Its report is
``overhead_PROBLEM.md``.
"""

import _common
import numpy as np
import peers
from problems import SYNTHETIC

DEFAULT_N = (25, 50, 100, 200, 500, 1000)
DEFAULT_PROBLEM = "hartmann6"
OURS = "bayestune"


def _parser():
    parser = _common.base_parser(__doc__.splitlines()[0], methods=peers.METHODS)
    parser.add_argument(
        "--n",
        nargs="+",
        type=int,
        default=None,
        help=f"observation counts (default: {' '.join(map(str, DEFAULT_N))}; "
        "--tiny: 12 20)",
    )
    parser.add_argument(
        "--peer-max-n",
        type=int,
        default=200,
        help="largest n for every method other than bayestune (default: 200; "
        "skopt takes seconds per proposal there)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed rounds (default: 15; --tiny: 2)",
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed rounds first (default: 1)"
    )
    parser.add_argument(
        "--problem",
        default=DEFAULT_PROBLEM,
        choices=list(SYNTHETIC),
        help=f"the problem whose points are observed (default: {DEFAULT_PROBLEM})",
    )
    return parser


def _history(problem, n: int):
    """``n`` random points of the problem's space (seed 0) and their values."""
    sampler = peers.make_tuner("random", problem.space, seed=0)
    points = [sampler.ask() for _ in range(n)]
    return points, [problem(p) for p in points]


def _time_proposals(method, problem, points, values, n, *, warmup, repeats):
    """CPU and wall seconds of each timed tell + ask after n observations."""
    tuner = peers.make_tuner(method, problem.space, seed=0, history=True)
    tuner.observe(points[: n - 1], values[: n - 1])
    latest = (points[n - 1], values[n - 1])
    cpu, wall = [], []
    for round_ in range(warmup + repeats):
        with _common.Stopwatch() as watch:
            tuner.tell(*latest)
            params = tuner.ask()
        latest = (params, problem(params))
        if round_ >= warmup:
            cpu.append(watch.cpu)
            wall.append(watch.wall)
    return {"cpu_s": cpu, "wall_s": wall, "median_cpu_s": float(np.median(cpu))}


def _table(methods, ns, timings):
    peers_ = [m for m in methods if m != OURS]
    headers = ["n"] + [f"{m} s" for m in methods]
    if OURS in methods:
        headers += [f"{m} / ours" for m in peers_]
    rows = []
    for n in ns:
        medians = {m: timings[m].get(n, {}).get("median_cpu_s") for m in methods}
        row = [str(n)] + [medians[m] for m in methods]
        if OURS in methods:
            ours = medians[OURS]
            row += [
                None if medians[m] is None or not ours else medians[m] / ours
                for m in peers_
            ]
        rows.append(row)
    return _common.markdown_table(headers, rows)


def main():
    args = _parser().parse_args()
    ns = sorted(args.n or ([12, 20] if args.tiny else DEFAULT_N))
    repeats = args.repeats or (2 if args.tiny else 15)
    if min(ns) < 2 or repeats < 1 or args.warmup < 0:
        raise SystemExit("--n must be >= 2, --repeats >= 1 and --warmup >= 0.")
    methods, skipped = peers.check_methods(args.methods)
    for method, why in skipped.items():
        _common.progress(f"skipping {method}: {why}")
    folder = _common.output_folder(args)
    problem = SYNTHETIC[args.problem]
    points, values = _history(problem, max(ns))
    timings = {}
    for method in methods:
        timings[method] = {}
        max_n = None if method == OURS else args.peer_max_n
        for n in ns:
            if max_n is not None and n > max_n:
                continue
            timings[method][n] = _time_proposals(
                method,
                problem,
                points,
                values,
                n,
                warmup=args.warmup,
                repeats=repeats,
            )
            _common.progress(
                f"{method:<11} n={n:<5} median "
                f"{timings[method][n]['median_cpu_s']:.4f} s"
            )
    table = _table(methods, ns, timings)
    notes = (
        f"Median CPU seconds (one thread) per proposal (tell of the latest value + "
        f"ask) after n observations of random points of {problem.name} "
        f"({problem.description}); {repeats} timed "
        f"rounds after {args.warmup} untimed; ratios are to bayestune in this run. "
        f"Methods other than bayestune stop at n = {args.peer_max_n}."
    )
    if skipped:
        notes += " Skipped: " + "; ".join(f"{m} ({w})" for m, w in skipped.items())
    results = {
        "settings": {
            "n": ns,
            "repeats": repeats,
            "warmup": args.warmup,
            "peer_max_n": args.peer_max_n,
            "problem": problem.name,
            "methods": methods,
            "tiny": args.tiny,
        },
        "skipped": skipped,
        "timings": timings,
    }
    summary = notes + "\n\n" + table
    paths = _common.write_report(
        folder,
        "overhead" if problem.name == DEFAULT_PROBLEM else f"overhead_{problem.name}",
        title=f"Overhead per proposal, {problem.description}",
        results=results,
        summary=summary,
    )
    print(summary)
    _common.progress("wrote " + ", ".join(str(p) for p in paths))


if __name__ == "__main__":
    main()

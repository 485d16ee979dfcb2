"""Long run: BayesTuneCV with n_iter=500 on a cheap estimator, cost per proposal vs n.

Protocol: one ``BayesTuneCV`` search (seed 0, ``cv=3``, ``n_jobs=1``,
``batch_size=1``) of a ``Ridge`` on ``make_regression(200, 10)`` over a 4-D
mixed space (log-uniform ``alpha`` and ``tol``, categorical ``fit_intercept``
and ``solver``), so the fits cost milliseconds and the time is the
optimiser's. Measured, without changing the package:

- every call of ``BayesOptimizer.propose`` is timed (CPU and wall), with the
  number of observations it saw: the *per-proposal time* at n is the median
  (and max) CPU seconds of the 10 proposals made with n - 10 .. n - 1
  observations;
- a callback records, after every finished candidate, the CPU seconds since
  the start, the resident set size and its peak so far (``VmRSS`` and
  ``VmHWM`` of ``/proc/self/status``, else ``ru_maxrss``); ``--tracemalloc`` adds the
  Python heap's current and peak size (it slows every allocation down, so
  timings of such a run are not comparable);
- ``_format_results`` (the ``cv_results_`` assembly) is counted and timed: it
  must run once per fit, whatever n.

Usage, from the repository root::

    python benchmarks/bench_long_run.py            # n_iter 500, report at 50..500
    python benchmarks/bench_long_run.py --tiny     # n_iter 30: a smoke run for CI
    python benchmarks/bench_long_run.py --n-iter 200 --report-at 50 100 200
"""

import _common  # noqa: I001  (pins BLAS threads before numpy is imported)
import resource
import time
import tracemalloc

import numpy as np
from sklearn.datasets import make_regression
from sklearn.linear_model import Ridge

from sklearn_bayestune import BayesTuneCV, Real
from sklearn_bayestune._optimizer import BayesOptimizer

DEFAULT_N_ITER = 500
DEFAULT_REPORT_AT = (50, 100, 200, 300, 400, 500)
TINY_N_ITER = 30
TINY_REPORT_AT = (10, 20, 30)
WINDOW = 10
SPACE = {
    "alpha": Real(1e-4, 1e4, prior="log-uniform"),
    "tol": Real(1e-6, 1e-2, prior="log-uniform"),
    "fit_intercept": [True, False],
    "solver": ["auto", "svd", "cholesky", "lsqr"],
}


def _parser():
    parser = _common.base_parser(__doc__.splitlines()[0], methods=("bayestune",))
    parser.add_argument(
        "--n-iter",
        type=int,
        default=None,
        help=f"candidates (default: {DEFAULT_N_ITER}; --tiny: {TINY_N_ITER})",
    )
    parser.add_argument(
        "--report-at",
        nargs="+",
        type=int,
        default=None,
        help="n at which to report (default: "
        f"{' '.join(map(str, DEFAULT_REPORT_AT))}; --tiny: "
        f"{' '.join(map(str, TINY_REPORT_AT))})",
    )
    parser.add_argument("--cv", type=int, default=3, help="folds (default: 3)")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also record the Python heap (tracemalloc); slows the run",
    )
    return parser


def _status_mib(field: str) -> float | None:
    """``VmRSS`` or ``VmHWM`` (peak) of /proc/self/status in MiB; None if absent."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _rss_mib() -> float | None:
    return _status_mib("VmRSS")


def _max_rss_mib() -> float:
    peak = _status_mib("VmHWM")
    # ru_maxrss (KiB on Linux) where /proc is missing.
    return peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Instruments:
    """Wraps ``BayesOptimizer.propose`` and ``_format_results`` to time them."""

    def __init__(self, trace: bool):
        self.proposals = []  # (n_observed, cpu_s, wall_s)
        self.candidates = []  # one dict per finished candidate
        self.format_calls = []  # (n_candidates, cpu_s)
        self.trace = trace
        self._cpu0 = time.process_time()
        self._originals = {}

    def __enter__(self):
        propose = BayesOptimizer.propose
        format_results = BayesTuneCV._format_results
        self._originals = {"propose": propose, "format": format_results}
        instruments = self

        def timed_propose(optimizer, n):
            n_observed = optimizer.n_observed
            with _common.Stopwatch() as watch:
                proposals = propose(optimizer, n)
            instruments.proposals.append((n_observed, watch.cpu, watch.wall))
            return proposals

        def timed_format(search, candidate_params, n_splits, out, more_results=None):
            with _common.Stopwatch() as watch:
                results = format_results(
                    search, candidate_params, n_splits, out, more_results
                )
            instruments.format_calls.append((len(candidate_params), watch.cpu))
            return results

        BayesOptimizer.propose = timed_propose
        BayesTuneCV._format_results = timed_format
        if self.trace:
            tracemalloc.start()
        self._cpu0 = time.process_time()
        return self

    def __exit__(self, *exc_info):
        BayesOptimizer.propose = self._originals["propose"]
        BayesTuneCV._format_results = self._originals["format"]
        if self.trace:
            tracemalloc.stop()
        return False

    def on_candidate(self, result):
        """The search's callback: one row per finished candidate."""
        row = {
            "n": result.n_done,
            "cpu_s": time.process_time() - self._cpu0,
            "wall_s": result.elapsed,
            "rss_mib": _rss_mib(),
            "max_rss_mib": _max_rss_mib(),
        }
        if self.trace:
            current, peak = tracemalloc.get_traced_memory()
            row["heap_mib"], row["heap_peak_mib"] = current / 2**20, peak / 2**20
        self.candidates.append(row)
        if result.n_done % 50 == 0:
            _common.progress(
                f"n={result.n_done:<4} cpu {row['cpu_s']:7.1f} s  "
                f"peak rss {row['max_rss_mib']:6.1f} MiB"
            )


def _window(proposals, n):
    """CPU seconds of the proposals made with n - WINDOW .. n - 1 observations."""
    return [cpu for seen, cpu, _ in proposals if n - WINDOW <= seen < n]


def _rows(instruments, report_at):
    by_n = {row["n"]: row for row in instruments.candidates}
    rows = []
    for n in report_at:
        if n not in by_n:
            continue
        window = _window(instruments.proposals, n)
        row = by_n[n]
        rows.append(
            {
                "n": n,
                "proposal_median_cpu_s": float(np.median(window)),
                "proposal_max_cpu_s": float(np.max(window)),
                "cumulative_cpu_s": row["cpu_s"],
                "rss_mib": row["rss_mib"],
                "max_rss_mib": row["max_rss_mib"],
                **(
                    {"heap_peak_mib": row["heap_peak_mib"]}
                    if "heap_peak_mib" in row
                    else {}
                ),
            }
        )
    return rows


def _table(rows, trace):
    headers = [
        "n",
        f"proposal CPU s (median of {WINDOW})",
        f"proposal CPU s (max of {WINDOW})",
        "cumulative CPU s",
        "RSS MiB",
        "peak RSS MiB",
    ]
    if trace:
        headers.append("peak Python heap MiB")
    body = []
    for row in rows:
        cells = [
            str(row["n"]),
            row["proposal_median_cpu_s"],
            row["proposal_max_cpu_s"],
            row["cumulative_cpu_s"],
            row["rss_mib"],
            row["max_rss_mib"],
        ]
        if trace:
            cells.append(row["heap_peak_mib"])
        body.append(cells)
    return _common.markdown_table(headers, body)


def main():
    args = _parser().parse_args()
    n_iter = args.n_iter or (TINY_N_ITER if args.tiny else DEFAULT_N_ITER)
    report_at = sorted(
        args.report_at or (TINY_REPORT_AT if args.tiny else DEFAULT_REPORT_AT)
    )
    if n_iter < 1 or args.cv < 2 or min(report_at) < WINDOW:
        raise SystemExit(
            f"--n-iter must be >= 1, --cv >= 2 and every --report-at >= {WINDOW}."
        )
    report_at = [n for n in report_at if n <= n_iter]
    folder = _common.output_folder(args)
    X, y = make_regression(n_samples=200, n_features=10, noise=10.0, random_state=0)
    instruments = _Instruments(trace=args.tracemalloc)
    search = BayesTuneCV(
        Ridge(),
        SPACE,
        n_iter=n_iter,
        cv=args.cv,
        n_jobs=1,
        batch_size=1,
        random_state=0,
        refit=False,
        progress=False,
        callbacks=[instruments.on_candidate],
    )
    with instruments, _common.Stopwatch() as total:
        search.fit(X, y)
    results = search.cv_results_
    params = results["params"]
    n_unique = len({tuple(sorted(p.items())) for p in params})
    fit_cpu = float(np.sum(results["mean_fit_time"] + results["mean_score_time"]))
    proposal_cpu = float(sum(cpu for _, cpu, _ in instruments.proposals))
    rows = _rows(instruments, report_at)
    summary_numbers = {
        "n_iter": n_iter,
        "n_candidates": len(params),
        "n_unique_candidates": n_unique,
        "total_cpu_s": total.cpu,
        "total_wall_s": total.wall,
        "proposal_cpu_s": proposal_cpu,
        "fit_and_score_cpu_s_approx": fit_cpu * args.cv,
        "format_results_calls": len(instruments.format_calls),
        "format_results_cpu_s": [cpu for _, cpu in instruments.format_calls],
        "max_rss_mib": _max_rss_mib(),
        "best_score": float(search.best_score_),
    }
    notes = (
        f"BayesTuneCV(Ridge(), 4-D mixed space, n_iter={n_iter}, cv={args.cv}, "
        "n_jobs=1, batch_size=1, random_state=0) on make_regression(200, 10). "
        f"Proposal CPU seconds (one thread) are over the {WINDOW} proposals "
        "made with n - 10 .. n - 1 observations; cumulative CPU, RSS and peak "
        "RSS are read when the n-th candidate finishes.\n\n"
        f"Whole run: {total.cpu:.1f} CPU s ({total.wall:.1f} s wall), of which "
        f"{proposal_cpu:.1f} s proposing and about {fit_cpu * args.cv:.1f} s "
        f"fitting and scoring; {n_unique} distinct candidates of {len(params)}; "
        f"`_format_results` called {len(instruments.format_calls)} time(s) "
        f"({sum(cpu for _, cpu in instruments.format_calls):.3f} CPU s); peak "
        f"RSS {summary_numbers['max_rss_mib']:.1f} MiB."
    )
    if args.tracemalloc:
        notes += " Run under tracemalloc: timings are inflated."
    table = _table(rows, args.tracemalloc)
    summary = notes + "\n\n" + table
    results_json = {
        "settings": {
            "n_iter": n_iter,
            "report_at": report_at,
            "cv": args.cv,
            "window": WINDOW,
            "tracemalloc": args.tracemalloc,
            "tiny": args.tiny,
            "space": {key: repr(value) for key, value in SPACE.items()},
        },
        "summary": summary_numbers,
        "table": rows,
        "proposals": [
            {"n_observed": seen, "cpu_s": cpu, "wall_s": wall}
            for seen, cpu, wall in instruments.proposals
        ],
        "candidates": instruments.candidates,
    }
    paths = _common.write_report(
        folder,
        "long_run",
        title=f"Long run: BayesTuneCV, n_iter={n_iter}",
        results=results_json,
        summary=summary,
    )
    print(summary)
    _common.progress("wrote " + ", ".join(str(p) for p in paths))


if __name__ == "__main__":
    main()

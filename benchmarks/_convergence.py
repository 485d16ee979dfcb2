"""Best-value-so-far benchmark, shared by ``bench_synthetic`` and ``bench_sklearn``.

Every available method runs on every selected problem for each seed
``0 .. seeds - 1``, all in one process and one invocation, so the methods see
the same machine. For each (problem, method) the report gives the best value
found after 16, 32 and 64 evaluations (the ones within ``--n-evals``, the
problem's extra checkpoints such as Hartmann-6 at 50, and ``--n-evals``
itself), as the mean and the median over seeds, plus the mean CPU seconds per
proposal (see :mod:`peers`) and per objective evaluation. A last table ranks
the methods by median best value at the final checkpoint, averaged over
problems (1 is best).

Each finished run is appended to ``NAME_runs.jsonl`` in the output folder;
``--resume`` reuses the runs found there (same problem, method, seed and
``--n-evals``), so a multi-hour run that was stopped can continue.
"""

import json
from pathlib import Path

import _common
import numpy as np
import peers
from problems import get_problems
from scipy.stats import rankdata

DEFAULT_CHECKPOINTS = (16, 32, 64)
_STATS = ("mean", "median")
# The method whose shortfalls the last table lists and tests.
REFERENCE = "bayestune"
N_PERMUTATIONS = 10_000


def _parser(description, registry, *, seeds, n_evals):
    parser = _common.base_parser(description, methods=peers.METHODS)
    parser.add_argument(
        "--problems",
        nargs="+",
        default=None,
        metavar="PROBLEM",
        help=f"problems to run, of {', '.join(registry)} (default: all)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=None,
        help=f"number of seeds, 0 .. SEEDS-1 (default: {seeds})",
    )
    parser.add_argument(
        "--n-evals",
        type=int,
        default=None,
        help=f"evaluations per run (default: {n_evals})",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the finished runs in NAME_runs.jsonl of the output folder",
    )
    return parser


def _settings(args, registry, *, seeds, n_evals, tiny_problems):
    """Fill the options not given: the defaults, or the tiny ones with --tiny."""
    if args.problems is None:
        args.problems = list(tiny_problems) if args.tiny else list(registry)
    if args.seeds is None:
        args.seeds = 1 if args.tiny else seeds
    if args.n_evals is None:
        args.n_evals = 8 if args.tiny else n_evals
    if args.seeds < 1 or args.n_evals < 1:
        raise SystemExit("--seeds and --n-evals must be positive.")
    return args


def checkpoints(problem, n_evals: int) -> list[int]:
    """Evaluation counts to report for ``problem`` in a run of ``n_evals``."""
    wanted = set(DEFAULT_CHECKPOINTS) | set(problem.checkpoints) | {n_evals}
    return sorted(c for c in wanted if c <= n_evals)


class _RunLog:
    """The JSON-lines file of finished runs (one trace per line)."""

    def __init__(self, path: Path, *, resume: bool):
        self.path = path
        self.done = {}
        if resume and path.exists():
            for line in path.read_text().splitlines():
                record = json.loads(line)
                self.done[self._key(record)] = record
        elif path.exists():
            path.unlink()

    @staticmethod
    def _key(record):
        return (record["problem"], record["method"], record["seed"], record["n_evals"])

    def get(self, problem, method, seed, n_evals):
        return self.done.get((problem, method, seed, n_evals))

    def append(self, record):
        with open(self.path, "a") as f:
            f.write(json.dumps(record) + "\n")


def _run_all(problems, methods, args, log):
    """Every (problem, method, seed) run, as dicts, reusing logged ones."""
    records = []
    for problem in problems:
        for method in methods:
            for seed in range(args.seeds):
                record = log.get(problem.name, method, seed, args.n_evals)
                if record is None:
                    trace = peers.run(method, problem, args.n_evals, seed)
                    record = {**vars(trace), "n_evals": args.n_evals}
                    log.append(record)
                best = min(record["values"])
                _common.progress(
                    f"{problem.name:<20} {method:<11} seed {seed:<3} "
                    f"best {best:.6g}  tuner {sum(record['proposal_cpu_s']):.1f} s  "
                    f"objective {sum(record['evaluation_cpu_s']):.1f} s"
                )
                records.append(record)
    return records


def _runs_of(records, problem_name, method):
    return [r for r in records if (r["problem"], r["method"]) == (problem_name, method)]


def _best_so_far(runs):
    """Array (n_runs, n_evals) of each run's best value so far."""
    return np.array([np.fmin.accumulate(r["values"]) for r in runs])


def _summarise(problems, methods, records, n_evals):
    """Mean and median best-so-far at each checkpoint, per problem and method."""
    summary = {}
    for problem in problems:
        rows = {}
        for method in methods:
            runs = _runs_of(records, problem.name, method)
            best = _best_so_far(runs)
            rows[method] = {
                "best": {
                    c: {
                        "mean": float(best[:, c - 1].mean()),
                        "median": float(np.median(best[:, c - 1])),
                    }
                    for c in checkpoints(problem, n_evals)
                },
                "proposal_cpu_s": float(np.mean([r["proposal_cpu_s"] for r in runs])),
                "evaluation_cpu_s": float(
                    np.mean([r["evaluation_cpu_s"] for r in runs])
                ),
                "n_runs": len(runs),
            }
        summary[problem.name] = rows
    return summary


def _problem_table(problem, summary, n_evals):
    marks = checkpoints(problem, n_evals)
    headers = ["method"]
    for c in marks:
        headers += [f"mean @{c}", f"median @{c}"]
    headers += ["s/proposal", "s/evaluation"]
    rows = []
    for method, row in summary[problem.name].items():
        cells = [method]
        for c in marks:
            cells += [row["best"][c]["mean"], row["best"][c]["median"]]
        cells += [row["proposal_cpu_s"], row["evaluation_cpu_s"]]
        rows.append(cells)
    optimum = "unknown" if problem.optimum is None else f"{problem.optimum:g}"
    return (
        f"### {problem.name}\n\n{problem.description}; optimum {optimum}. "
        "Best value so far (lower is better).\n\n"
        + _common.markdown_table(headers, rows)
    )


def _rank_table(problems, summary, n_evals):
    """Mean rank of each method's median best at n_evals, over problems."""
    methods = list(summary[problems[0].name])
    ranks = {m: [] for m in methods}
    for problem in problems:
        medians = [summary[problem.name][m]["best"][n_evals]["median"] for m in methods]
        for method, rank in zip(methods, rankdata(medians)):  # ties share a rank
            ranks[method].append(rank)
    rows = [[m, float(np.mean(r))] for m, r in ranks.items()]
    return (
        f"### Mean rank over {len(problems)} problems (median best @{n_evals})\n\n"
        + _common.markdown_table(["method", "mean rank"], rows)
    )


def _lowest(values: dict) -> list:
    """Keys of the lowest values (equal to 4 significant digits: a tie, as printed)."""
    low = min(values.values())
    return [k for k, v in values.items() if f"{v:.4g}" == f"{low:.4g}"]


def _winner_table(problems, summary, n_evals):
    """The method(s) with the lowest mean and median at each default checkpoint."""
    marks = [c for c in DEFAULT_CHECKPOINTS if c <= n_evals]
    headers = ["problem"] + [f"{stat} @{c}" for c in marks for stat in _STATS]
    rows = []
    for problem in problems:
        by_method = summary[problem.name]
        cells = [problem.name]
        for c in marks:
            for stat in _STATS:
                values = {m: row["best"][c][stat] for m, row in by_method.items()}
                cells.append(" = ".join(_lowest(values)))
        rows.append(cells)
    title = "### Lowest mean and median at each checkpoint"
    return f"{title}\n\n{_common.markdown_table(headers, rows)}"


def permutation_p_value(
    ours, theirs, statistic, *, n_permutations: int = N_PERMUTATIONS, seed: int = 0
) -> float:
    """One-sided permutation p-value of ``statistic(ours) - statistic(theirs)``.

    The share of random relabellings of the pooled runs (the observed one
    counted in) that put ``ours`` at least as far above ``theirs`` as
    observed: how often seed luck alone, were both sets of runs from one
    distribution, would give a gap this large.

    Parameters
    ----------
    ours, theirs : array-like of shape (n_runs,)
        Best value so far of each run, for the method behind and the leader.
    statistic : callable
        ``numpy.mean`` or ``numpy.median`` (called with ``axis=1``).
    n_permutations : int, default=10_000
    seed : int, default=0

    Returns
    -------
    p : float
        In ``(0, 1]``.
    """
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    pooled = np.concatenate([ours, theirs])
    observed = statistic(ours) - statistic(theirs)
    rng = np.random.default_rng(seed)
    relabelled = pooled[np.argsort(rng.random((n_permutations, len(pooled))), axis=1)]
    k = len(ours)
    gaps = statistic(relabelled[:, :k], axis=1) - statistic(relabelled[:, k:], axis=1)
    # A relative tolerance, so gaps equal to the observed one up to rounding count.
    at_least = gaps >= observed - 1e-12 * max(1.0, abs(observed))
    return float((np.sum(at_least) + 1) / (n_permutations + 1))


def _behind_table(problems, records, summary, n_evals):
    """Each default-checkpoint cell where another method is lower than REFERENCE."""
    marks = [c for c in DEFAULT_CHECKPOINTS if c <= n_evals]
    if REFERENCE not in summary[problems[0].name] or not marks:
        return ""
    rows = []
    for problem in problems:
        by_method = summary[problem.name]
        ours = _best_so_far(_runs_of(records, problem.name, REFERENCE))
        for c in marks:
            for stat in _STATS:
                values = {m: row["best"][c][stat] for m, row in by_method.items()}
                leaders = _lowest(values)
                if REFERENCE in leaders:
                    continue
                leader = min(leaders, key=values.get)
                theirs = _best_so_far(_runs_of(records, problem.name, leader))
                p = permutation_p_value(
                    ours[:, c - 1], theirs[:, c - 1], getattr(np, stat)
                )
                rows.append(
                    [
                        problem.name,
                        f"{stat} @{c}",
                        " = ".join(leaders),
                        values[leader],
                        values[REFERENCE],
                        p,
                    ]
                )
    title = f"### Where another method is ahead of {REFERENCE}"
    if not rows:
        return f"{title}\n\nNowhere: {REFERENCE} has the lowest value in every cell."
    note = (
        "p: one-sided permutation test over the runs "
        f"({N_PERMUTATIONS:,} relabellings): how often seed luck alone would give "
        "a gap at least this large if both methods' runs came from one "
        "distribution. Only a small p (say below 0.05) makes the gap more than "
        "seed-to-seed noise."
    )
    headers = ["problem", "cell", "ahead", "its value", REFERENCE, "p"]
    return f"{title}\n\n{note}\n\n{_common.markdown_table(headers, rows)}"


def _markdown(problems, records, summary, settings, skipped, extra_notes):
    parts = [
        f"Seeds: {settings['seeds']}; evaluations per run: {settings['n_evals']}; "
        "times are mean CPU seconds (one thread) per proposal (tell of the "
        "last value + ask) and per objective evaluation.",
    ]
    if skipped:
        parts.append(
            "Skipped: " + "; ".join(f"{m} ({why})" for m, why in skipped.items())
        )
    parts += extra_notes
    parts += [_problem_table(p, summary, settings["n_evals"]) for p in problems]
    parts.append(_rank_table(problems, summary, settings["n_evals"]))
    parts.append(_winner_table(problems, summary, settings["n_evals"]))
    parts.append(_behind_table(problems, records, summary, settings["n_evals"]))
    return "\n\n".join(p for p in parts if p)


def _objective_stats(problems):
    """Memo and warning counters of the objectives that keep them (CV problems)."""
    stats = {}
    for problem in problems:
        objective = problem.function
        # n_calls == 0: every run of this problem was reused from the run log.
        if getattr(objective, "n_calls", 0):
            stats[problem.name] = {
                "n_calls": objective.n_calls,
                "n_fits": objective.n_fits,
                "fit_cpu_s": objective.fit_seconds,
                "warnings": dict(objective.warnings),
            }
    return stats


def main(name, title, description, registry, *, seeds, n_evals, tiny_problems):
    """Parse the command line, run every method on every problem, write the report.

    Parameters
    ----------
    name : str
        Stem of the output files (``NAME.json``, ``NAME.md``,
        ``NAME_runs.jsonl``).
    title : str
        Title of the markdown report.
    description : str
        The script's purpose, for ``--help``.
    registry : dict
        Problem name mapped to :class:`problems.Problem`.
    seeds, n_evals : int
        Defaults of ``--seeds`` and ``--n-evals``.
    tiny_problems : tuple of str
        The problems of ``--tiny`` (which also sets 1 seed, 8 evaluations).
    """
    parser = _parser(description, registry, seeds=seeds, n_evals=n_evals)
    args = _settings(
        parser.parse_args(),
        registry,
        seeds=seeds,
        n_evals=n_evals,
        tiny_problems=tiny_problems,
    )
    problems = get_problems(args.problems, registry)
    methods, skipped = peers.check_methods(args.methods)
    for method, why in skipped.items():
        _common.progress(f"skipping {method}: {why}")
    if not methods:
        raise SystemExit("No method can run.")
    folder = _common.output_folder(args)
    log = _RunLog(folder / f"{name}_runs.jsonl", resume=args.resume)
    records = _run_all(problems, methods, args, log)
    summary = _summarise(problems, methods, records, args.n_evals)
    settings = {
        "problems": args.problems,
        "methods": methods,
        "seeds": args.seeds,
        "n_evals": args.n_evals,
        "tiny": args.tiny,
    }
    objective_stats = _objective_stats(problems)
    notes = []
    if objective_stats:
        notes.append(
            "Objective evaluations actually run (the rest were memoised) and "
            "warnings counted: "
            + "; ".join(
                f"{k} {v['n_fits']}/{v['n_calls']}"
                + (f" {v['warnings']}" if v["warnings"] else "")
                for k, v in objective_stats.items()
            )
        )
    markdown = _markdown(problems, records, summary, settings, skipped, notes)
    results = {
        "settings": settings,
        "skipped": skipped,
        "problems": {
            p.name: {
                "description": p.description,
                "optimum": p.optimum,
                "checkpoints": checkpoints(p, args.n_evals),
            }
            for p in problems
        },
        "summary": summary,
        "objectives": objective_stats,
        "runs": records,
    }
    paths = _common.write_report(
        folder, name, title=title, results=results, summary=markdown
    )
    print(markdown)
    _common.progress("wrote " + ", ".join(str(p) for p in paths))

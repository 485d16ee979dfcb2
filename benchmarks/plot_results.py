"""Plot the sample-efficiency benchmark runs: regret so far vs evaluations.

Reads ``NAME_runs.jsonl`` written by ``bench_synthetic.py`` (one finished run
a line) and draws, for each problem, the median over seeds of the best value
so far minus the known optimum (log scale), one line per method, with the
25-75 % band. Usage::

    python benchmarks/plot_results.py   # writes docs/benchmarks/synthetic.png
    python benchmarks/plot_results.py --runs PATH --out PNG
"""

import argparse
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
from problems import SYNTHETIC

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks"


def load_runs(path):
    """problem -> method -> array (n_seeds, n_evals) of best value so far."""
    runs = defaultdict(lambda: defaultdict(list))
    for line in Path(path).read_text().splitlines():
        if line.strip():
            run = json.loads(line)
            values = np.asarray(run["values"], dtype=float)
            values = np.where(np.isfinite(values), values, np.inf)
            runs[run["problem"]][run["method"]].append(np.minimum.accumulate(values))
    return {
        problem: {method: np.array(curves) for method, curves in by_method.items()}
        for problem, by_method in runs.items()
    }


def plot(runs, out, min_seeds=5):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = [name for name in SYNTHETIC if name in runs]
    n_cols = 4
    n_rows = math.ceil(len(problems) / n_cols)
    figure, axes = plt.subplots(
        n_rows, n_cols, figsize=(4 * n_cols, 3.2 * n_rows), squeeze=False
    )
    for ax, name in zip(axes.flat, problems):
        optimum = SYNTHETIC[name].optimum
        for method, curves in sorted(runs[name].items()):
            if len(curves) < min_seeds:
                continue  # partial runs of a method are not comparable
            regret = np.maximum(curves - optimum, 1e-6)
            steps = np.arange(1, regret.shape[1] + 1)
            q25, median, q75 = np.percentile(regret, [25, 50, 75], axis=0)
            (line,) = ax.plot(steps, median, label=f"{method} ({len(curves)})")
            ax.fill_between(steps, q25, q75, color=line.get_color(), alpha=0.15)
        ax.set_yscale("log")
        ax.set_title(name)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("best so far - optimum")
    for ax in axes.flat[len(problems) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize="small", title="method (seeds)")
    figure.suptitle("Median regret over seeds (band: 25-75 %)")
    figure.tight_layout()
    figure.savefig(out, dpi=90)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=DOCS / "synthetic_runs.jsonl")
    parser.add_argument("--out", type=Path, default=DOCS / "synthetic.png")
    args = parser.parse_args()
    print(f"wrote {plot(load_runs(args.runs), args.out)}")


if __name__ == "__main__":
    main()

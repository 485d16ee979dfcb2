"""Plumbing shared by the benchmark scripts: threads, arguments, timing, reports.

Import this module before anything that imports numpy: importing it pins the
BLAS and OpenMP pools to one thread (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``VECLIB_MAXIMUM_THREADS``
set to 1), because every number in these benchmarks is single-thread CPU time
(on a shared machine, wall time measures the neighbours).
The peers that use torch also call ``torch.set_num_threads(1)``.

Every script writes two files into its output folder: ``NAME.json`` (all
raw numbers plus :func:`environment`) and ``NAME.md`` (the summary tables,
under a header that states the command, machine, package versions and date).
"""

import os

for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "docs" / "benchmarks"

# Distributions whose versions every report lists ("not installed" if absent).
PACKAGES = (
    "sklearn-bayestune",
    "numpy",
    "scipy",
    "scikit-learn",
    "scikit-optimize",
    "optuna",
    "torch",
    "greenlet",
)


# --------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------


def base_parser(
    description: str, *, methods: tuple[str, ...]
) -> argparse.ArgumentParser:
    """An argument parser with the options every script shares.

    Parameters
    ----------
    description : str
        The script's one-line purpose, shown by ``--help``.
    methods : tuple of str
        All method names; the default of ``--methods``.

    Returns
    -------
    parser : argparse.ArgumentParser
        With ``--methods``, ``--out`` and ``--tiny``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--methods",
        nargs="+",
        default=list(methods),
        choices=methods,
        metavar="METHOD",
        help=f"methods to run, of {', '.join(methods)} (default: all). A peer "
        "that is not installed is reported as skipped.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"folder for NAME.json and NAME.md (default: {DEFAULT_OUT}, or a "
        "new temporary folder with --tiny, so a smoke run never overwrites "
        "the committed results)",
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="smoke run: the smallest settings that exercise every code path",
    )
    return parser


def output_folder(args: argparse.Namespace) -> Path:
    """The folder to write into: ``--out``, else the default for the mode."""
    if args.out is not None:
        folder = args.out
    elif args.tiny:
        folder = Path(tempfile.mkdtemp(prefix="bayestune-bench-"))
    else:
        folder = DEFAULT_OUT
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


class Stopwatch:
    """Context manager measuring CPU (``process_time``) and wall seconds.

    Attributes
    ----------
    cpu : float
        CPU seconds of this process (all its threads) inside the block.
    wall : float
        Wall-clock seconds inside the block.

    Examples
    --------
    >>> with Stopwatch() as watch:
    ...     _ = sum(range(1000))
    >>> watch.cpu >= 0.0
    True
    """

    cpu = wall = 0.0

    def __enter__(self):
        self._cpu0, self._wall0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.cpu = time.process_time() - self._cpu0
        self.wall = time.perf_counter() - self._wall0
        return False


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_revision() -> str:
    """``git describe --always --dirty`` of the repository (read-only), or "unknown"."""
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip()


def environment() -> dict:
    """The command, machine, package versions and date of this run.

    Returns
    -------
    environment : dict
        JSON-serialisable; :func:`write_report` puts it in both outputs.
    """
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "command": " ".join(
            shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv]
        ),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "machine": {
            "cpu": _cpu_model(),
            "cores": os.cpu_count(),
            "load_average": [round(x, 2) for x in load] if load else None,
            "platform": platform.platform(),
            "threads": {
                v: os.environ.get(v)
                for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            },
        },
        "python": platform.python_version(),
        "git": _git_revision(),
        "versions": {name: _version(name) for name in PACKAGES},
    }


# --------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------


def format_number(x, digits: int = 4) -> str:
    """``x`` with ``digits`` significant digits; "-" for None or NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, str):
        return x
    return f"{x:.{digits}g}"


def markdown_table(headers: list[str], rows: list[list]) -> str:
    """A GitHub-flavoured markdown table; numbers go through :func:`format_number`.

    Parameters
    ----------
    headers : list of str
    rows : list of list
        One list per row, as long as ``headers``.

    Returns
    -------
    table : str
    """
    cells = [[format_number(c) for c in row] for row in rows]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def _markdown_header(title: str, env: dict) -> str:
    machine = env["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    return "\n".join(
        [
            f"# {title}",
            "",
            f"- Command: `{env['command']}` (from the repository root)",
            f"- Date: {env['date']}; git {env['git']}",
            f"- Machine: {machine['cpu']}, {machine['cores']} cores, "
            f"load average {machine['load_average']}, {machine['platform']}; "
            "BLAS/OpenMP/torch pinned to 1 thread",
            f"- Python {env['python']}; {versions}",
            "",
            "",
        ]
    )


def write_report(
    folder: Path, name: str, *, title: str, results: dict, summary: str
) -> tuple[Path, Path]:
    """Write ``NAME.json`` and ``NAME.md`` into ``folder``.

    Parameters
    ----------
    folder : Path
        Existing output folder.
    name : str
        Stem of both files (``"overhead"``, ``"synthetic"``, ``"sklearn"``).
    title : str
        Title of the markdown summary.
    results : dict
        JSON-serialisable raw results; stored under ``"results"``.
    summary : str
        Markdown body (tables and notes) written under the header.

    Returns
    -------
    json_path, markdown_path : Path
    """
    env = environment()
    json_path = folder / f"{name}.json"
    markdown_path = folder / f"{name}.md"
    with open(json_path, "w") as f:
        json.dump({"environment": env, "results": results}, f, indent=1)
        f.write("\n")
    markdown_path.write_text(_markdown_header(title, env) + summary + "\n")
    return json_path, markdown_path


def progress(message: str) -> None:
    """One progress line on stderr (stdout carries the tables)."""
    print(message, file=sys.stderr, flush=True)

"""Run scikit-learn's own ``test_search.py`` with our searchers aliased in.

The file is taken from the installed scikit-learn (its wheel ships its tests)
into a temporary folder; after its import block this script inserts::

    from sklearn_bayestune import GridTuneCV as GridSearchCV
    from sklearn_bayestune import RandomTuneCV as RandomizedSearchCV

so every test written for scikit-learn's classes exercises ours. Passing that
suite, on the oldest and the newest supported scikit-learn, is what "drop-in"
means for this package. The file is never copied into this repository.

Usage: ``python tests/sklearn_search_suite.py [extra pytest arguments]``.
The exit status is pytest's.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path

ALIASES = (
    "from sklearn_bayestune import GridTuneCV as GridSearchCV  # noqa\n"
    "from sklearn_bayestune import RandomTuneCV as RandomizedSearchCV  # noqa\n"
)


def aliased_test_search_source() -> str:
    """Source of scikit-learn's test_search.py with our classes aliased in."""
    import sklearn

    path = (
        Path(sklearn.__file__).parent / "model_selection" / "tests" / "test_search.py"
    )
    source = path.read_text()
    tree = ast.parse(source)
    # The import block is the run of imports at the top of the module.
    last_import = None
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last_import = node
        elif last_import is not None:
            break
    lines = source.splitlines(keepends=True)
    cut = last_import.end_lineno
    aliased = "".join(lines[:cut]) + ALIASES + "".join(lines[cut:])
    _check_no_escape(aliased)
    return aliased


def _check_no_escape(source: str) -> None:
    """Fail if the suite could reach scikit-learn's classes other than by name."""
    for escape in ("model_selection.GridSearchCV", "model_selection.RandomizedSearch"):
        if escape in source:
            raise RuntimeError(f"test_search.py uses {escape}, which escapes the alias")


def run(pytest_args: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="sklearn_search_suite_") as tmp:
        tmp = Path(tmp)
        (tmp / "test_search.py").write_text(aliased_test_search_source())
        # scikit-learn's fixtures (global_random_seed, ...) live in its conftest.
        (tmp / "conftest.py").write_text('pytest_plugins = ["sklearn.conftest"]\n')
        (tmp / "pytest.ini").write_text("[pytest]\n")
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(tmp / "test_search.py"),
            "-p",
            "no:cacheprovider",
            *pytest_args,
        ]
        return subprocess.call(command, cwd=tmp)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))

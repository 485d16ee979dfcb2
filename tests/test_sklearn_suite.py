"""scikit-learn's own test_search.py passes with our searchers aliased in."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("sklearn_search_suite.py")
ROOT = SCRIPT.parent.parent


@pytest.mark.slow
def test_sklearn_test_search_passes_with_our_classes():
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "-q"],
        capture_output=True,
        text=True,
        # The package under test, even when it is not installed.
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
            ),
        },
    )
    tail = completed.stdout[-4000:] + completed.stderr[-2000:]
    assert completed.returncode == 0, tail
    summary = re.search(r"(\d+) passed", completed.stdout)
    assert summary is not None, tail
    # Every version we support has well over 100 tests in test_search.py;
    # a near-empty run means the file was not collected properly.
    assert int(summary.group(1)) > 100, tail
    print(completed.stdout.strip().splitlines()[-1])

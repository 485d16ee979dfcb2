import signal
import warnings

import joblib
import numpy
import pytest
import scipy
import sklearn
from threadpoolctl import threadpool_limits


def pytest_report_header(config):
    return (
        f"scikit-learn {sklearn.__version__}, numpy {numpy.__version__}, "
        f"scipy {scipy.__version__}, joblib {joblib.__version__}"
    )


@pytest.fixture
def sigint_raises():
    """SIGINT raises KeyboardInterrupt, even where the runner ignores it.

    A process started in the background by a non-interactive shell inherits
    SIGINT as ignored, and Python then installs no handler; the Ctrl-C tests
    send themselves SIGINT and need the interactive behaviour.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.fixture(scope="module")
def one_blas_thread():
    """One BLAS thread for a module of surrogate tests.

    Threaded OpenBLAS stalls on small matrices when the cores are busy (a GP
    fit took 0.3 s instead of 0.02 s on 2 shared cores).
    """
    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture
def warnings_are_errors():
    """Any warning fails the test: none may escape the surrogate's numerics."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.fixture
def count_journaled_fits():
    """A function counting a checkpoint's lines of finished fits.

    The other lines are the header and one per candidate.
    """

    def count(path):
        if not path.exists():
            return 0
        return sum('"split"' in line for line in path.read_text().splitlines())

    return count

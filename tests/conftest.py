import signal

import joblib
import numpy
import pytest
import scipy
import sklearn


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

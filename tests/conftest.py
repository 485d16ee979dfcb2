import joblib
import numpy
import scipy
import sklearn


def pytest_report_header(config):
    return (
        f"scikit-learn {sklearn.__version__}, numpy {numpy.__version__}, "
        f"scipy {scipy.__version__}, joblib {joblib.__version__}"
    )

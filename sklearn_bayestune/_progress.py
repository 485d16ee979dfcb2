"""Progress of a search on the terminal: fits done, best score, time left.

:class:`ProgressReporter` uses `tqdm <https://tqdm.github.io>`_ when it is
installed (``pip install sklearn-bayestune[progress]``) and otherwise writes
plain text lines. By default it shows only when its output is a terminal, so
scripts, CI logs and scikit-learn's test suite see nothing; it never raises
once running, because a progress display must not stop a search.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

_PLAIN_INTERVAL = 0.5  # seconds between two lines of the plain-text reporter


def _format_seconds(seconds: float) -> str:
    """Format a duration as ``H:MM:SS``, or ``M:SS`` under an hour."""
    seconds = max(0, int(math.ceil(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


def _is_tty(file) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError, OSError):
        # No isatty, or a closed file.
        return False


class ProgressReporter:
    """Report the progress of a search: finished fits, best score, time left.

    Parameters
    ----------
    enabled : bool or "auto", default="auto"
        ``"auto"`` shows progress only when ``file`` is a terminal (a TTY), so
        non-interactive runs print nothing. ``True`` always shows it,
        ``False`` never does; a disabled reporter does no work.
    total : int or None, default=None
        The number of fits planned, if known. It may grow later through
        :meth:`update`, as in a Bayesian search that proposes candidates as it
        goes.
    max_time : float or None, default=None
        The search's time budget in seconds. When given, the time left
        (budget minus the time since the reporter was created) is shown.
    desc : str, default="fits"
        The label in front of the counts.
    file : file-like or None, default=None
        Where to write; ``None`` means ``sys.stderr`` at construction time.

    Notes
    -----
    With tqdm installed, a ``tqdm.tqdm`` bar is written to ``file`` (never a
    notebook widget, so ``file`` is always honoured), with the best score and
    the time left as its postfix. Without it, a line such as
    ``fits: 12/40 (30%), best score 0.9712, 1:23 left`` is written at most
    every 0.5 seconds, rewritten in place with a carriage return on a
    terminal and as separate lines otherwise, and a last line on
    :meth:`close`.

    If writing fails (the file was closed, a broken pipe), the reporter turns
    itself off and later calls do nothing.

    Examples
    --------
    >>> import io
    >>> from sklearn_bayestune._progress import ProgressReporter
    >>> out = io.StringIO()
    >>> with ProgressReporter(enabled=True, total=4, file=out) as progress:
    ...     progress.update(4, best_score=0.75)
    >>> "4/4" in out.getvalue() and "0.75" in out.getvalue()
    True
    """

    def __init__(
        self,
        *,
        enabled: bool | str = "auto",
        total: int | None = None,
        max_time: float | None = None,
        desc: str = "fits",
        file=None,
    ):
        if not (isinstance(enabled, (bool, np.bool_)) or enabled == "auto"):
            raise ValueError(
                f"The 'enabled' parameter of ProgressReporter must be True, "
                f"False or 'auto'; got {enabled!r}. Use 'auto' to show "
                "progress only on a terminal."
            )
        if max_time is not None and not max_time > 0:
            raise ValueError(
                f"The 'max_time' parameter of ProgressReporter must be a "
                f"positive number of seconds or None; got {max_time!r}."
            )
        self.file = sys.stderr if file is None else file
        self.total = total
        self.max_time = max_time
        self.desc = desc
        self.n_done = 0
        self.best_score = None
        self._start = time.monotonic()
        self._last_write = -math.inf
        self._tty = _is_tty(self.file)
        self._bar = None
        self._width = 0  # longest line written in place on a terminal
        if enabled == "auto":
            enabled = self._tty
        self.enabled = bool(enabled)
        if self.enabled:
            self._guarded(self._open_bar)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def update(
        self, n_done: int, best_score: float | None = None, total: int | None = None
    ) -> None:
        """Record progress and show it, if enough time passed since the last.

        Parameters
        ----------
        n_done : int
            Fits finished so far (a count, not an increment).
        best_score : float or None, default=None
            The best mean score so far; ``None`` keeps the last one given.
        total : int or None, default=None
            A new number of fits planned; ``None`` keeps the current one.
        """
        if not self.enabled:
            return
        self.n_done = n_done
        if best_score is not None:
            self.best_score = best_score
        if total is not None:
            self.total = total
        if self._bar is not None:
            self._guarded(self._update_bar)
        else:
            now = time.monotonic()
            if now - self._last_write >= _PLAIN_INTERVAL:
                self._last_write = now
                self._guarded(self._write_plain, final=False)

    def close(self) -> None:
        """Show the final state and stop. Calling it again does nothing."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._guarded(self._close_bar)
        else:
            self._guarded(self._write_plain, final=True)
        self.enabled = False

    def _guarded(self, method, **kwargs) -> None:
        # A progress display must never stop a search: on any failure to
        # write (closed file, broken pipe, a terminal gone) switch off.
        try:
            method(**kwargs)
        except Exception:
            self.enabled = False
            if self._bar is not None:
                # Keep tqdm from writing again when it is garbage-collected.
                self._bar.disable = True
                self._bar = None

    def _time_left(self) -> str | None:
        if self.max_time is None:
            return None
        elapsed = time.monotonic() - self._start
        return _format_seconds(self.max_time - elapsed)

    def _format_best(self) -> str | None:
        if self.best_score is None:
            return None
        return f"{self.best_score:.4g}"

    def _line(self) -> str:
        if self.total is None:
            line = f"{self.desc}: {self.n_done}"
        else:
            line = f"{self.desc}: {self.n_done}/{self.total}"
            if self.total > 0:
                line += f" ({100 * self.n_done / self.total:.0f}%)"
        best = self._format_best()
        if best is not None:
            line += f", best score {best}"
        left = self._time_left()
        if left is not None:
            line += f", {left} left"
        return line

    def _write_plain(self, final: bool) -> None:
        line = self._line()
        if self._tty:
            # Pad so a shorter line fully covers the previous one.
            text = "\r" + line.ljust(self._width) + ("\n" if final else "")
            self._width = max(self._width, len(line))
        else:
            text = line + "\n"
        self.file.write(text)
        self.file.flush()

    def _open_bar(self) -> None:
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self._bar = tqdm(
            total=self.total,
            desc=self.desc,
            file=self.file,
            mininterval=_PLAIN_INTERVAL,
            dynamic_ncols=self._tty,
            unit="fit",
        )

    def _postfix(self) -> str:
        parts = []
        best = self._format_best()
        if best is not None:
            parts.append(f"best={best}")
        left = self._time_left()
        if left is not None:
            parts.append(f"left={left}")
        return ", ".join(parts)

    def _update_bar(self) -> None:
        bar = self._bar
        if self.total != bar.total:
            bar.total = self.total
        bar.set_postfix_str(self._postfix(), refresh=False)
        if self.n_done >= bar.n:
            # tqdm.update rate-limits the redraws (mininterval).
            bar.update(self.n_done - bar.n)
        else:
            bar.n = self.n_done
            bar.refresh()

    def _close_bar(self) -> None:
        bar = self._bar
        self._bar = None
        bar.total = self.total
        bar.n = self.n_done
        bar.set_postfix_str(self._postfix(), refresh=False)
        bar.close()

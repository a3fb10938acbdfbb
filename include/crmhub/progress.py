"""Progress of long work: a bar on a terminal, one log line per phase everywhere else.

``progress_for(label)`` picks the reporter: on an interactive terminal (stderr is a TTY, not ``--json``, not
CI, not an Airflow task) a rich progress bar with rows, rate and phase; otherwise :class:`LogProgress`, which
writes one line per finished phase (``<label>: <phase> done in 3.2 s, 100,000 rows (31,250 rows/s)``) to the
``crmhub.progress`` logger and, when given, to a stream (the CLI passes stderr). Work reports through the
small :class:`Progress` protocol (``phase`` / ``advance``); :data:`NO_PROGRESS` does nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import contextmanager
from typing import IO, Protocol

log = logging.getLogger("crmhub.progress")


class Progress(Protocol):
    def phase(self, name: str, total: int | None = None):  # a context manager around one phase
        ...

    def advance(self, rows: int) -> None: ...


class _NoProgress:
    @contextmanager
    def phase(self, name: str, total: int | None = None):
        yield self

    def advance(self, rows: int) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()


class LogProgress:
    """One line per finished phase: its seconds and, when rows were counted, rows and rows/s."""

    def __init__(self, label: str, stream: IO[str] | None = None):
        self.label = label
        self.stream = stream
        self.rows = 0
        self.lines: list[str] = []

    @contextmanager
    def phase(self, name: str, total: int | None = None):
        self.rows, t0 = 0, time.perf_counter()
        yield self
        seconds = time.perf_counter() - t0
        line = f"{self.label}: {name} done in {seconds:.1f} s"
        if self.rows:
            line += f", {self.rows:,} rows ({self.rows / max(seconds, 1e-9):,.0f} rows/s)"
        self.lines.append(line)
        log.info("%s", line)
        if self.stream is not None:
            print(line, file=self.stream, flush=True)

    def advance(self, rows: int) -> None:
        self.rows += rows


class BarProgress:
    """A rich progress bar (phase, rows, rate, elapsed) on the terminal; one task per phase."""

    def __init__(self, label: str, stream: IO[str]):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self.label = label
        self._bar = RichProgress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("rows  {task.fields[rate]}"), TimeElapsedColumn(), console=Console(file=stream),
            transient=False,
        )
        self._task = None
        self._t0 = 0.0

    @contextmanager
    def phase(self, name: str, total: int | None = None):
        with self._bar:
            self._t0 = time.perf_counter()
            self._task = self._bar.add_task(f"{self.label}: {name}", total=total, rate="")
            try:
                yield self
            finally:
                task = self._bar.tasks[-1]
                self._bar.update(self._task, total=task.completed or task.total or 1,
                                 completed=task.completed or task.total or 1)
                self._task = None

    def advance(self, rows: int) -> None:
        if self._task is None:
            return
        done = self._bar.tasks[-1].completed + rows
        rate = done / max(time.perf_counter() - self._t0, 1e-9)
        self._bar.update(self._task, advance=rows, rate=f"{rate:,.0f}/s")


def interactive(stream: IO[str] | None = None, *, json_output: bool = False) -> bool:
    """True on a terminal a person watches: a TTY, not ``--json``, not CI, not inside an Airflow task."""
    stream = stream or sys.stderr
    if json_output or os.environ.get("CI") or any(k.startswith("AIRFLOW_CTX_") for k in os.environ):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def progress_for(label: str, *, json_output: bool = False, stream: IO[str] | None = None) -> Progress:
    """The reporter for a command run now (see the module doc)."""
    stream = stream or sys.stderr
    if interactive(stream, json_output=json_output):
        return BarProgress(label, stream)
    return LogProgress(label, stream)

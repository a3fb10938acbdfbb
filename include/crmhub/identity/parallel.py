"""Worker processes for the pure-Python stages of a large resolution run.

A run's name parsing (:func:`crmhub.identity.records.prepare`), pair comparison
(:func:`crmhub.identity.comparison.compare`) and checks of many distinct pairs of names
(:func:`crmhub.identity.comparison.per_name_pair`) are pure functions of their input, done item by item in Python:
one core's work however many the machine has. Above a size where starting processes pays, they are split
into parts that forked worker processes compute; the result is the same whatever the number of processes.
Forked, the workers read the parent's data as it is (nothing is sent but the part's bounds) and send back
their part's result.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_shared: tuple[Callable, tuple] | None = None  # the function and data the forked workers read


def processes(workers: int) -> int:
    """Worker processes for ``workers`` (-1: one per CPU core this process may use, as rapidfuzz counts
    threads); 1 where this process may not start any (a daemonic worker, as Celery's prefork pool runs
    tasks) or cannot fork."""
    if workers == 1 or multiprocessing.current_process().daemon or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if workers < 1 else min(workers, cores)


def slices(count: int, workers: int) -> list[slice]:
    """``count`` items as parts for :func:`forked_map`: a few per process (:func:`processes`), so that none
    waits long on one."""
    size = -(-count // (4 * processes(workers))) or 1
    return [slice(k, k + size) for k in range(0, count, size)]


def _call(part: Any) -> Any:
    func, data = _shared
    return func(*data, part)


def forked_map(func: Callable, data: tuple, parts: Iterable, workers: int) -> list:
    """``[func(*data, part) for part in parts]``, computed by :func:`processes` forked worker processes
    when there are two or more (``data`` is read from the parent's memory, not sent)."""
    global _shared
    parts = list(parts)
    count = min(processes(workers), len(parts))
    if count < 2:
        return [func(*data, part) for part in parts]
    _shared = (func, data)
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_call, parts))
    finally:
        _shared = None

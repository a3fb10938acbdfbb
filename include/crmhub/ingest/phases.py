"""Wall-clock time per phase of a load (for the benchmark and for finding where the time goes).

``Phases()`` is a dict of seconds per phase name; ``with phases("check"): ...`` adds to one. The copy
worker thread records its own phases (``encode``, ``copy``) next to the main thread's, so the sum of
all phases exceeds the wall time when the two overlap - that overlap is the point of the worker.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager


class Phases(defaultdict):
    def __init__(self) -> None:
        super().__init__(float)

    @contextmanager
    def __call__(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self[name] += time.perf_counter() - t0

    def rounded(self, digits: int = 3) -> dict[str, float]:
        return {k: round(v, digits) for k, v in self.items()}

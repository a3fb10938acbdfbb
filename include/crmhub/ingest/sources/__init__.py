"""Sources: one small class per kind of input, each with one job: yield ``SourceBatch`` objects."""

from crmhub.ingest.sources.base import Source, SourceBatch

__all__ = ["Source", "SourceBatch"]

"""Exception tree for crmhub. Messages name the file/row/field and, where possible, the fix."""

from __future__ import annotations


class CrmHubError(Exception):
    """Root of every error crmhub raises on purpose."""


class ConfigError(CrmHubError):
    """The integration map (or another config file) is invalid.

    Carries every problem found, each as ``(yaml_path, message)``, so that one run reports them all.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {path}: {msg}" for path, msg in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


class WarehouseError(CrmHubError):
    """The warehouse cannot be reached or migrated."""


class MigrationError(WarehouseError):
    """A migration file failed to apply; names the file."""

    def __init__(self, version: str, filename: str, cause: Exception):
        self.version = version
        self.filename = filename
        super().__init__(f"migration {filename} failed: {cause}")


class RejectedFileError(CrmHubError):
    """A whole input file cannot be parsed as its declared format; names file and line."""

    def __init__(self, path: str, reason: str, line: int | None = None):
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: file rejected: {reason}")


class RejectedLoadError(RejectedFileError):
    """A load refused whole: the source's :class:`RejectedFileError` with the load's recorded summary."""

    def __init__(self, cause: RejectedFileError, summary: object):
        super().__init__(cause.path, cause.reason, cause.line)
        self.summary = summary


class ConnectorFrozenError(CrmHubError):
    """A connector is frozen (schema drift or severe incident) and must be released by its owner."""

    def __init__(self, connector: str, reason: str):
        self.connector = connector
        super().__init__(
            f"connector {connector!r} is frozen ({reason}); release it with `crmhub connector unfreeze {connector}`"
        )


class FrozenError(CrmHubError):
    """Work stopped at a batch boundary (or did not start) because everything is frozen (``crmhub ops freeze --all``)."""

    def __init__(self, kind: str, name: str, reason: str):
        self.kind = kind
        self.name = name
        self.reason = reason
        super().__init__(
            f"{kind} {name!r} stopped: everything is frozen ({reason}); "
            "when it is safe, resume with `crmhub ops thaw --all --reason WHY --by WHO`"
        )

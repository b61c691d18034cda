"""Exceptions wenming raises on purpose; each message names what to fix.

The CLI prints a :class:`WenmingError` as one line and exits non-zero; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class WenmingError(Exception):
    """A problem the user can fix: bad input, a broken plugin, an illegal action."""

    exit_code = 1


class ConfigError(WenmingError):
    """A deployment file (or other input file) is malformed; the message names file, key and value."""


class PluginError(WenmingError):
    """A plugin could not be loaded or contributed something invalid."""

    def __init__(self, plugin: str, message: str, *, dist: str | None = None) -> None:
        self.plugin = plugin
        self.dist = dist
        self.detail = message
        who = f"plugin {plugin!r}" + (f" ({dist})" if dist else "")
        super().__init__(f"{who}: {message}")

    def with_dist(self, dist: str | None) -> PluginError:
        """The same error, labelled with the plugin's distribution and version."""
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new.dist = dist
        who = f"plugin {self.plugin!r}" + (f" ({dist})" if dist else "")
        Exception.__init__(new, f"{who}: {self.detail}")
        return new


class ContributionError(PluginError):
    """One contributed record is invalid; names the plugin, the record and the field."""

    def __init__(
        self,
        plugin: str,
        record: str,
        message: str,
        *,
        field: str | None = None,
        dist: str | None = None,
    ) -> None:
        self.record = record
        self.field = field
        where = f"{record}" + (f", field {field!r}" if field else "")
        super().__init__(plugin, f"{where}: {message}", dist=dist)


class PluginProblems(ContributionError):
    """Several invalid contributions of one plugin, reported together (``problems``)."""

    def __init__(
        self, plugin: str, problems: list[PluginError], *, dist: str | None = None
    ) -> None:
        self.problems = list(problems)
        self.record = ""
        self.field = None
        details = "; ".join(p.detail for p in self.problems)
        PluginError.__init__(self, plugin, f"{len(self.problems)} problems: {details}", dist=dist)


class StorageError(WenmingError):
    """The database is missing, unreachable, or at a schema version this code cannot use."""

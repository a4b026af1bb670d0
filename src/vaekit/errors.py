"""User-facing errors: each becomes one line on stderr and exit status 2 in the CLI."""

from __future__ import annotations


class UserError(Exception):
    """A problem with what the user asked for or gave us (not a bug in vaekit)."""


class ConfigError(UserError):
    """An unknown key, a wrong type or an unknown component name in a config."""


class DataError(UserError):
    """Missing, corrupt or out-of-range data."""


class RunError(UserError):
    """A run folder that is missing, incomplete or corrupt."""


class TrainingError(UserError):
    """Training cannot go on (for example a non-finite loss)."""

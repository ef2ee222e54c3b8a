"""The error hierarchy: every failure a user can cause or meet carries a message, a hint and an exit code.

Core code raises these; the CLI catches them in one place and prints two lines (never a traceback,
unless TSFIX_DEBUG=1).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERRORS_FOUND = 1
    ENVIRONMENT = 2
    INTERRUPTED = 130


class TsfixError(Exception):
    """A failure the user can act on. `hint` says what to do next."""

    exit_code: int = ExitCode.ENVIRONMENT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(TsfixError):
    """Bad arguments or an unknown id."""


class ProjectNotFound(TsfixError):
    """No tsconfig where one was expected."""


class TscNotFound(TsfixError):
    """The project's own TypeScript compiler is missing."""


class TsconfigInvalid(TsfixError):
    """tsc rejected the configuration itself (bad JSON, unknown options, no inputs)."""


class TscFailed(TsfixError):
    """tsc crashed, was killed or timed out: its output cannot be trusted."""


class StoreError(TsfixError):
    """The store cannot be opened, read or written."""


class StoreBusy(StoreError):
    """Another process holds the store's write lock for too long."""


class StoreReadOnly(StoreError):
    """The store (or the folder it needs for its journal) cannot be written: said before any work."""


class StoreFull(StoreError):
    """The disk holding the store filled up during a write; the transaction was rolled back."""


class StoreUnreachable(StoreError):
    """The remote store cannot be reached (network, server down, connection lost)."""


class StoreDenied(StoreError):
    """The remote store refused the credentials or the role may not do this (401/403, RLS)."""


class StoreSchemaMissing(StoreError):
    """The remote store lacks the tsfix schema, or holds an older version of it."""


class StoreTooNew(StoreError):
    """The store records a migration this tsfix does not know: a newer tsfix wrote it, so this one
    could misread or corrupt it."""

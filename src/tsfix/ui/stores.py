"""What `tsfix db migrate`, `tsfix db status` and `tsfix sync` print, for people and as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console

if TYPE_CHECKING:
    from tsfix.store.admin import SchemaStatus, SyncResult


def migrate_summary(console: Console, name: str, applied: list[str]) -> None:
    if applied:
        console.print(f"applied {', '.join(applied)} to {name}")
    else:
        console.print(f"{name} is up to date: nothing to apply")


def db_status_summary(console: Console, status: SchemaStatus) -> None:
    """The schema version (REST stores) or each migration, applied or pending, and the verdict."""
    if status.expected is not None:
        state = "missing" if status.version is None else f"version {status.version}"
        console.print(f"{status.store}: tsfix schema {state} (this tsfix needs {status.expected})")
    for name in status.applied:
        console.print(f"  [green]applied[/]  {name}")
    for name in status.pending:
        console.print(f"  [yellow]pending[/]  {name}")
    if status.up_to_date:
        console.print("up to date")
    else:
        console.print(f"[yellow]not up to date[/]: {status.note or 'run `tsfix db migrate`'}")


def db_status_json(status: SchemaStatus) -> dict[str, Any]:
    return {
        "store": status.store,
        "up_to_date": status.up_to_date,
        "applied": status.applied,
        "pending": status.pending,
        "version": status.version,
        "expected_version": status.expected,
    }


def sync_summary(console: Console, result: SyncResult) -> None:
    n = len(result.uploaded)
    console.print(
        f"uploaded {n} scan{'s' if n != 1 else ''} to {result.store}"
        if n
        else f"nothing to upload to {result.store}"
    )
    for remote, waiting in result.waiting_elsewhere:
        console.print(f"[yellow]{waiting} scan(s) still wait for {remote}[/]")


def sync_json(result: SyncResult) -> dict[str, Any]:
    return {"store": result.store, "uploaded": result.uploaded, "waiting_elsewhere": result.waiting_elsewhere}

"""`tsfix db migrate`, `tsfix db migrations`, `tsfix db status` and `tsfix sync`: a store's schema
(applied, or written as Supabase CLI migrations), and uploads to team stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import JsonOption, PathOption, StoreOption, examples

db_commands = typer.Typer(
    help="Set up and inspect a store's schema (Postgres, Supabase, SQLite).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
commands = typer.Typer()


@db_commands.command(
    "migrate",
    epilog=examples(
        "tsfix db migrate --store postgresql://postgres:secret@db.example.com:5432/postgres",
        'TSFIX_STORE="$DATABASE_URL" tsfix db migrate',
        note="Each migration runs in its own transaction and is recorded; a second run does nothing. "
        "Supabase: use the project's database connection string (REST cannot change the schema).",
    ),
)
def db_migrate_command(store: StoreOption = None, path: PathOption = Path(".")) -> None:
    """Apply the pending schema migrations to a store."""
    from tsfix.store.admin import db_migrate
    from tsfix.ui.common import stdout_console
    from tsfix.ui.stores import migrate_summary

    with exit_codes():
        name, applied = db_migrate(store, path.resolve())
        migrate_summary(stdout_console(), name, applied)


@db_commands.command(
    "migrations",
    epilog=examples(
        "tsfix db migrations supabase/migrations && supabase db push",
        note="Each tsfix migration is written once, versioned after every migration already in the "
        "folder; running it again writes nothing, and a newer tsfix adds only its new migrations.",
    ),
)
def db_migrations_command(
    folder: Annotated[
        Path, typer.Argument(help="The Supabase CLI's migrations folder (created if missing).")
    ],
    as_json: JsonOption = False,
) -> None:
    """Write the schema migrations as Supabase CLI migration files, for `supabase db push`."""
    from tsfix.store.supabase_cli import write_migrations
    from tsfix.ui.common import print_json, safe, stdout_console

    with exit_codes():
        result = write_migrations(folder)
    if as_json:
        print_json({"folder": result.folder, "written": result.written, "present": result.present})
        return
    console = stdout_console()
    for name in result.written:
        console.print(safe(f"wrote {folder / name}"))
    console.print(
        safe(
            f"{len(result.written)} written, {len(result.present)} already there"
            + (" — now `supabase db push`" if result.written else "")
        )
    )


@db_commands.command(
    "status",
    epilog=examples(
        "tsfix db status --store postgresql://…",
        "tsfix db status --store supabase --json",
        note="Exit status: 0 up to date, 1 migrations pending (or no schema), 2 the store cannot be reached.",
    ),
)
def db_status_command(
    store: StoreOption = None, path: PathOption = Path("."), as_json: JsonOption = False
) -> None:
    """Show which schema migrations a store has."""
    from tsfix.store.admin import db_status
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.stores import db_status_json, db_status_summary

    with exit_codes():
        status = db_status(store, path.resolve())
        if as_json:
            print_json(db_status_json(status))
        else:
            db_status_summary(stdout_console(), status)
    raise typer.Exit(0 if status.up_to_date else 1)


@commands.command(
    epilog=examples(
        "tsfix sync --store supabase        # after a scan could not reach the team store",
        "tsfix sync                         # lists what is waiting, and for which store",
        note="Uploads are idempotent: a scan the store already has is not recorded twice.",
    )
)
def sync(store: StoreOption = None, path: PathOption = Path("."), as_json: JsonOption = False) -> None:
    """Upload scans that were kept locally because the team store could not be reached."""
    from tsfix.project import find_project_root
    from tsfix.store.admin import sync_scans
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.stores import sync_json, sync_summary

    with exit_codes():
        result = sync_scans(store, find_project_root(path))
        if as_json:
            print_json(sync_json(result))
        else:
            sync_summary(stdout_console(), result)

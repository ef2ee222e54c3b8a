"""tsfix's Postgres migrations as Supabase CLI migration files: `tsfix db migrations DIR`.

The Supabase CLI applies `supabase/migrations/<YYYYMMDDHHMMSS>_<name>.sql` in version order and
compares versions as timestamps: `supabase db push` refuses (or, told to include all, reorders) a
migration older than the newest one the database has. So a tsfix migration gets its version when it
is first written into the folder — after every migration already there — and keeps it: a file whose
name ends in `_tsfix_<migration>.sql` is that migration, and re-running writes nothing for it. A
newer tsfix adds only its new migrations, after the project's own.

Each file is the migration's SQL as tsfix ships it (it records itself in tsfix_migrations, so
`tsfix db status` and `tsfix db migrate` agree with whatever the CLI applied).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tsfix.errors import UsageError
from tsfix.files import atomic_write
from tsfix.store.migrations import POSTGRES_MIGRATIONS

#: the Supabase CLI's migration file name: a 14-digit timestamp, an underscore, a name
CLI_NAME = re.compile(r"^(?P<version>\d{14})_(?P<name>[^/\\]+)\.sql$")
_OURS = re.compile(r"^\d{14}_tsfix_(?P<migration>\d{4}_\w+)\.sql$")


@dataclass(slots=True)
class Written:
    folder: str
    written: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # already there under their versions


def write_migrations(folder: Path, now: datetime | None = None) -> Written:
    """Write the tsfix migrations `folder` lacks, versioned after everything in it."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder", hint="pass the project's supabase/migrations folder")
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(".sql"))
    have = {m.group("migration"): name for name in existing if (m := _OURS.match(name))}
    versions = [int(m.group("version")) for name in existing if (m := CLI_NAME.match(name))]
    moment = now or datetime.now(UTC)
    result = Written(str(folder))
    for name, sql in POSTGRES_MIGRATIONS.steps():
        if name in have:
            result.present.append(have[name])
            continue
        version = int(moment.strftime("%Y%m%d%H%M%S"))
        if versions and version <= max(versions):  # after every migration already in the folder
            version = _after(max(versions))
        versions.append(version)
        file_name = f"{version}_tsfix_{name}.sql"
        header = f"-- tsfix migration {name}, written by `tsfix db migrations` (keep this name: it is its version)\n"
        atomic_write(folder / file_name, (header + sql).encode("utf-8"), 0o644)
        result.written.append(file_name)
    return result


def _after(version: int) -> int:
    """The next version after `version`: one second later, or one more where it is not a timestamp."""
    try:
        moment = datetime.strptime(str(version), "%Y%m%d%H%M%S")
    except ValueError:
        return version + 1
    return int((moment + timedelta(seconds=1)).strftime("%Y%m%d%H%M%S"))

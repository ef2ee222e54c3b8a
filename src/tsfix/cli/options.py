"""Every option of the CLI, each declared once with its default.

Single options are `Annotated` types that commands reuse (`StoreOption`, `JsonOption` …). A family
of options that travels together is a bundle: a dataclass whose fields are such annotated options
(`StoreOptions`, `TscOptions`, `ErrorFilter`, `ModelOptions`). A command decorated with
`@takes_bundles` declares a parameter of a bundle's type; typer sees the bundle's fields as options,
and the command receives the dataclass built from them.

Renamed options keep their old name as a hidden option for one release (`--timeout` of
`--tsc-timeout` and `--model-timeout`, apply's `-n` of `--dry-run`); their help text says so.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

import typer

from tsfix.errors import UsageError
from tsfix.ids import count
from tsfix.records import ERROR_STATUSES, OPEN_STATUSES

if TYPE_CHECKING:
    from tsfix.project import Project
    from tsfix.suggest import SuggestOptions

R = TypeVar("R")


def takes_bundles(command: Callable[..., R]) -> Callable[..., R]:
    """Let typer see each bundle-typed parameter of `command` as its fields' options, and call
    `command` with the bundles built from them (the sqlite-utils option-decorator pattern)."""
    hints = get_type_hints(command, include_extras=True)
    parameters: list[inspect.Parameter] = []
    bundles: dict[str, tuple[type, list[str]]] = {}
    for parameter in inspect.signature(command).parameters.values():
        kind = hints[parameter.name]
        if isinstance(kind, type) and dataclasses.is_dataclass(kind):
            fields = dataclasses.fields(kind)
            field_hints = get_type_hints(kind, include_extras=True)
            bundles[parameter.name] = (kind, [f.name for f in fields])
            parameters += [
                inspect.Parameter(
                    f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=field_hints[f.name]
                )
                for f in fields
            ]
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=kind))

    @functools.wraps(command)
    def call(**values: Any) -> R:
        for name, (kind, names) in bundles.items():
            values[name] = kind(**{n: values.pop(n) for n in names})
        return command(**values)

    declared = [p.name for p in parameters]
    if len(set(declared)) != len(declared):
        raise TypeError(f"{command.__name__}: an option name is used twice in {declared}")
    call.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    call.__annotations__ = {p.name: p.annotation for p in parameters}
    return call


def split(values: list[str] | None) -> list[str]:
    """`--code TS2322 --code TS2345` and `--code TS2322,TS2345` both work."""
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def examples(*commands: str, note: str | None = None) -> str:
    """A command's help epilog: its examples as a code block, then an optional note."""
    text = "**Examples**\n\n```\n" + "\n".join(commands) + "\n```"
    return text + (f"\n\n{note}" if note else "")


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


# ----------------------------------------------------------------------------- single options

ProjectArgument = Annotated[
    Path, typer.Argument(help="A project folder or a tsconfig file.", show_default="current folder")
]
FolderArgument = Annotated[
    Path, typer.Argument(help="A folder inside the project.", show_default="current folder")
]
IdsArgument = Annotated[
    list[str] | None,
    typer.Argument(metavar="[ID]...", help="Error ids (default: the selection below).", show_default=False),
]
PathOption = Annotated[
    Path, typer.Option("--path", help="A folder inside the project.", show_default="current folder")
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="TSFIX_STORE",
        help="Where to record: `sqlite:///path/tsfix.db`, `postgresql://…` or `supabase`. "
        "Default: `<project>/.tsfix/tsfix.db`.",
        show_default=False,
    ),
]
TeamStoreOption = Annotated[
    str,
    typer.Option(
        "--store",
        envvar="TSFIX_STORE",
        help="The team store: `postgresql://…` or `supabase` (with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY).",
        show_default=False,
    ),
]
ProjectNameOption = Annotated[
    str | None,
    typer.Option(
        "--project-name",
        envvar="TSFIX_PROJECT_NAME",
        help="The key this project's errors are stored under. Default: git remote + folder, "
        "else package.json name.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="text or json.")]
TscOption = Annotated[
    str | None,
    typer.Option(
        "--tsc",
        envvar="TSFIX_TSC",
        help="The tsc to run. Default: the nearest node_modules/.bin/tsc above the tsconfig.",
        show_default=False,
    ),
]
TscTimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--tsc-timeout",
        envvar="TSFIX_TIMEOUT",
        min=0.1,
        help="Stop tsc after this many seconds.",
        show_default=False,
    ),
]
TscTimeoutAlias = Annotated[
    float | None, typer.Option("--timeout", min=0.1, hidden=True, help="Old name of --tsc-timeout.")
]

_STATUSES_HELP = (
    f"Errors with these statuses: {', '.join(ERROR_STATUSES)}, open or all (repeatable, comma-separated)."
)
ListStatusOption = Annotated[
    list[str] | None, typer.Option("--status", "-s", help=_STATUSES_HELP, show_default="open")
]
SuggestStatusOption = Annotated[
    list[str] | None, typer.Option("--status", "-s", help=_STATUSES_HELP, show_default="new")
]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", "-n", parser=count, help="At most this many errors.", show_default=False),
]
MinConfidenceOption = Annotated[
    float | None,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Only fixes at least this confident [default: the calibrated threshold, see README].",
        show_default=False,
    ),
]
PatchOption = Annotated[
    Path | None,
    typer.Option(
        "--patch",
        help="Write the fixes as one unified diff for `git apply` instead of editing the files.",
        show_default=False,
    ),
]
LsTimeoutOption = Annotated[
    float,
    typer.Option("--ls-timeout", min=1, help="Seconds to wait for one answer of the language service."),
]


# ----------------------------------------------------------------------------- bundles


@dataclass(slots=True)
class StoreOptions:
    """Where a project's errors are recorded, and under which key."""

    store: StoreOption = None
    project_name: ProjectNameOption = None

    def project(self, path: Path, compiler: TscOptions | None = None) -> Project:
        """The project at PATH (with --project and --tsc when the command has them), resolved once."""
        from tsfix.project import resolve_project

        return resolve_project(
            path,
            compiler.project if compiler else None,
            tsc=compiler.tsc if compiler else None,
            store=self.store,
            name=self.project_name,
        )


@dataclass(slots=True)
class TscOptions:
    """Which tsconfig and which tsc (scan and ci)."""

    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="The tsconfig to check, relative to PATH.", show_default=False),
    ] = None
    tsc: TscOption = None
    build: Annotated[
        bool,
        typer.Option(
            "--build",
            "-b",
            help="Check a solution-style config's project references (as `tsc --build`, "
            "but emitting only into a temporary folder).",
        ),
    ] = False
    tsc_timeout: TscTimeoutOption = None


@dataclass(slots=True)
class ErrorFilter:
    """Which recorded errors: by code and by file."""

    code: Annotated[
        list[str] | None,
        typer.Option("--code", "-c", help="Only these codes, e.g. TS2322.", show_default=False),
    ] = None
    file: Annotated[
        list[str] | None,
        typer.Option(
            "--file", help="Only these files or folders (relative to the project root).", show_default=False
        ),
    ] = None

    @property
    def codes(self) -> list[str]:
        """`2322` and `ts2322` both mean TS2322."""
        return [c.upper() if c.upper().startswith("TS") else f"TS{c}" for c in split(self.code)]

    @property
    def files(self) -> list[str]:
        return split(self.file)


@dataclass(slots=True)
class ModelOptions:
    """The fixers and the model behind them (suggest, ci and worker)."""

    fixer: Annotated[
        list[str] | None,
        typer.Option(
            "--fixer",
            help="quickfix, repair, search, llama, openai (repeatable).",
            show_default="quickfix, repair, search, + the model",
        ),
    ] = None
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            envvar="TSFIX_MODEL",
            help="A GGUF file or hf:OWNER/REPO:QUANT (llama, fetched once into the Hugging Face cache), or the model name for --engine openai.",
            show_default=False,
        ),
    ] = None
    engine: Annotated[
        str | None, typer.Option("--engine", help="llama or openai.", show_default="llama with --model")
    ] = None
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="TSFIX_BASE_URL",
            help="An OpenAI-compatible server, e.g. http://host:8080/v1.",
            show_default=False,
        ),
    ] = None
    api_key_env: Annotated[
        str, typer.Option("--api-key-env", help="The environment variable holding the server's API key.")
    ] = "TSFIX_OPENAI_API_KEY"
    candidates: Annotated[
        int, typer.Option("--candidates", "-k", min=1, max=16, help="Model samples per error.")
    ] = 3
    no_llm: Annotated[bool, typer.Option("--no-llm", help="Only quick fixes and repairs.")] = False
    n_gpu_layers: Annotated[
        int | None,
        typer.Option(
            "--n-gpu-layers", help="Layers on the GPU (-1 all).", show_default="all with CUDA/Metal, else 0"
        ),
    ] = None
    ctx: Annotated[int, typer.Option("--ctx", min=512, help="The model's context size.")] = 4096
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads", min=1, help="CPU threads for the model.", show_default="llama.cpp's choice"
        ),
    ] = None
    model_timeout: Annotated[
        float,
        typer.Option(
            "--model-timeout",
            min=1,
            help="Seconds per error for the model (`--timeout` still works until the next release).",
        ),
    ] = 60.0
    timeout: Annotated[
        float | None, typer.Option("--timeout", min=1, hidden=True, help="Old name of --model-timeout.")
    ] = None
    ls_timeout: LsTimeoutOption = 120.0
    allow_suppressions: Annotated[
        bool,
        typer.Option(
            "--allow-suppressions",
            help="Keep candidates that add any, @ts-ignore, as unknown as, non-null ! (scored low).",
        ),
    ] = False
    no_ts6: Annotated[
        bool,
        typer.Option(
            "--no-ts6",
            envvar="TSFIX_NO_TS6",
            help="For TypeScript 7 projects, do not also ask TypeScript 6's tsserver for quick fixes.",
        ),
    ] = False
    keep: Annotated[int, typer.Option("--keep", min=1, help="Candidates stored per error.")] = 5
    max_candidates: Annotated[
        int,
        typer.Option("--max-candidates", min=1, help="Candidates verified per error, best ranked first."),
    ] = 24
    error_seconds: Annotated[
        float,
        typer.Option("--error-seconds", min=1, help="Seconds of verification per error."),
    ] = 30.0
    max_seconds: Annotated[
        float | None,
        typer.Option(
            "--max-seconds",
            min=1,
            help="Seconds for the whole run: errors not reached by then stay open for the next run.",
        ),
    ] = None
    format_with: Annotated[
        str | None,
        typer.Option(
            "--format-with",
            help="prettier or biome: the project's own formatter (from its node_modules) on the lines each "
            "verified fix changes. Runs project code: not for untrusted pull requests.",
            show_default="off",
        ),
    ] = None

    def suggest_options(self, **selection: Any) -> SuggestOptions:
        """SuggestOptions from these options and the rest (which errors …)."""
        from tsfix.fixers import resolve_fixers
        from tsfix.suggest import SuggestOptions

        return SuggestOptions(
            fixers=resolve_fixers(split(self.fixer)) or None,
            model=self.model,
            engine=self.engine,
            base_url=self.base_url,
            api_key_env=self.api_key_env,
            candidates=self.candidates,
            no_llm=self.no_llm,
            n_gpu_layers=self.n_gpu_layers,
            ctx=self.ctx,
            threads=self.threads,
            timeout=self.model_timeout if self.timeout is None else self.timeout,
            ls_timeout=self.ls_timeout,
            allow_suppressions=self.allow_suppressions,
            ts6=not self.no_ts6,
            keep=self.keep,
            max_candidates=self.max_candidates,
            error_seconds=self.error_seconds,
            max_seconds=self.max_seconds,
            format_with=self.format_with,
            **selection,
        )


def statuses(values: list[str] | None) -> list[str] | None:
    """--status values as status names: `open` (also when none is given) expands, `all` is None."""
    names = split(values)
    if not names:
        return list(OPEN_STATUSES)
    if "all" in names:
        return None
    out: list[str] = []
    for value in names:
        if value == "open":
            out.extend(OPEN_STATUSES)
        elif value in ERROR_STATUSES:
            out.append(value)
        else:
            raise UsageError(
                f"unknown status {value!r}", hint=f"use {', '.join(ERROR_STATUSES)}, open or all"
            )
    return out

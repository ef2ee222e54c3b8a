"""`tsfix doctor`: one screen on what tsfix will use here and what is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import FormatOption, OutputFormat, PathOption, StoreOption, TscOption, examples

commands = typer.Typer()


@commands.command(
    epilog=examples(
        "tsfix doctor                                    # the project here, no model",
        "tsfix doctor --model hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M",
        "tsfix doctor --store supabase --format json",
        note="Exit status: 0 when everything the given options need is there, 1 otherwise. Nothing is "
        "installed or downloaded, and no secret is printed.",
    )
)
def doctor(
    path: PathOption = Path("."),
    model: Annotated[
        str | None,
        typer.Option(
            "--model", "-m", envvar="TSFIX_MODEL", help="The model to check (a GGUF file or hf: reference)."
        ),
    ] = None,
    store: StoreOption = None,
    tsc: TscOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Say what tsfix will use (Python, Node, the project's TypeScript, llama-cpp-python and its GPU
    backend, the model, the store, the Supabase variables) and how to fix what is missing."""
    from tsfix.doctor import run_checks
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.doctor import doctor_table

    with exit_codes():
        checks = run_checks(path.resolve(), model=model, store=store, tsc=tsc)
        healthy = not any(c.failed for c in checks)
        if output_format is OutputFormat.json:
            print_json({"healthy": healthy, "checks": [c.to_dict() for c in checks]})
        else:
            doctor_table(stdout_console(), checks, healthy)
    raise typer.Exit(0 if healthy else 1)

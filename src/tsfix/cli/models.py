"""`tsfix models`: the GGUF models tsfix can use here, with what their metadata says."""

from __future__ import annotations

from typing import Annotated

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import examples

commands = typer.Typer()


@commands.command(
    epilog=examples(
        "tsfix models                                   # the Hugging Face cache and TSFIX_MODEL",
        "tsfix models ~/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf",
        "tsfix models hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M --json",
        note="Nothing is downloaded: an hf: reference is looked up in the cache only. `--model hf:…` on "
        "suggest, ci or worker downloads it (once).",
    )
)
def models(
    refs: Annotated[
        list[str] | None, typer.Argument(help="More models to describe: GGUF files or hf: references.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the GGUF models in the Hugging Face cache and those named in the environment or here:
    size, architecture, parameters, quantisation and context length, read from each file's metadata."""
    from tsfix.models import known_models
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.models import models_table

    with exit_codes():
        found = known_models(list(refs or []))
        if as_json:
            print_json({"models": [m.to_dict() for m in found]})
        else:
            models_table(stdout_console(), found)
        if any(m.error for m in found if m.source in ("TSFIX_MODEL", "argument")):  # named, not usable
            raise typer.Exit(1)

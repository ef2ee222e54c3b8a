"""What `tsfix models` prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tsfix.models import ModelInfo
from tsfix.ui.common import safe


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n} B"


def human_count(n: int | None) -> str:
    if n is None:
        return "?"
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)


def models_table(console: Console, found: list[ModelInfo]) -> None:
    if not found:
        console.print(
            "no GGUF models found: none in the Hugging Face cache and TSFIX_MODEL is not set — "
            "`--model hf:OWNER/REPO:QUANT` downloads one (e.g. hf:Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF:Q4_K_M)"
        )
        return
    table = Table(show_edge=False, pad_edge=False)
    for column in ("file", "from", "size", "arch", "params", "quant", "context"):
        table.add_column(column, justify="right" if column in ("size", "params", "context") else "left")
    for m in found:
        if not m.error:
            table.add_row(
                safe(m.path.rsplit("/", 1)[-1]),
                safe(m.source),
                human_size(m.size_bytes),
                safe(m.architecture or "?"),
                human_count(m.parameters),
                safe(m.quantisation or "?"),
                str(m.context_length or "?"),
            )
    if table.row_count:
        console.print(table)
    for m in found:
        if m.error:
            console.print(safe(f"{m.path} ({m.source}): {m.error}", style="red"))

"""What `tsfix worker` prints when it stops: errors done, with a fix, lost and given back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

from tsfix.ui.common import safe

if TYPE_CHECKING:
    from tsfix.worker import WorkerReport


def worker_summary(console: Console, report: WorkerReport) -> None:
    why = {"drained": "nothing left to claim", "max-errors": "--max-errors reached", "signal": "stopped"}
    rate = (
        f", {report.done / report.seconds * 60:.1f} errors/minute" if report.seconds and report.done else ""
    )
    console.print(
        safe(
            f"worker {report.worker}: {report.done} errors suggested ({report.with_fix} with a verified fix) "
            f"in {report.batches} batches, {report.seconds:.1f} s{rate}; {why.get(report.stopped, report.stopped)}"
        )
    )
    if report.lost:
        console.print(
            f"[yellow]note:[/] {report.lost} claims ran out and were taken over by another worker "
            "(nothing recorded for them here); a longer --lease avoids that"
        )
    if report.released:
        console.print(f"{report.released} claimed errors given back to the queue")

"""The ui layer: everything tsfix shows a person or prints for a machine.

- common: consoles, safe text (the terminal boundary), JSON output, diffs, the one-line error.
- progress: the spinners and status lines that show the typed events of tsfix.progress.
- scan, errors, suggest, apply, ci, worker, stores: each command's summaries and JSON.

The ci reports (SARIF, JUnit, Markdown …) are built in tsfix.reports, which takes its workflow
annotations from ui.scan; apart from that, only the CLI imports this package.
"""

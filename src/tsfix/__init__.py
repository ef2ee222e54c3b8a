"""tsfix: fix TypeScript compile errors with compiler-verified suggestions.

The CLI is a thin client of this package: `tsfix.scan.scan_project` is what `tsfix scan` runs.
"""

__version__ = "0.1.0"

"""Opening a language service: the project's own TypeScript, and the TypeScript 6 helper for 7.x.

`open_language_service` picks the transport by the project's TypeScript version (tsserver for
5.x/6.x, `tsc --lsp` for 7.x). `typescript6` finds (or installs into tsfix's cache) a TypeScript 6
package whose tsserver offers the quick fixes TypeScript 7 has not ported yet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tsfix.langserver import LanguageService
from tsfix.langserver.framing import LanguageServiceError
from tsfix.progress import InstallingTs6, Progress, Ts6Failed
from tsfix.tsc import TscInfo

TS6_VERSION = "6.0.3"


def tsfix_cache() -> Path:
    """tsfix's cache folder: TSFIX_CACHE, else $XDG_CACHE_HOME/tsfix or ~/.cache/tsfix."""
    base = os.environ.get("TSFIX_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "tsfix"
    )
    return Path(base)


def open_language_service(
    root: Path, tsc: TscInfo, timeout: float, log: Path | None = None
) -> LanguageService:
    """The project's own language service: tsserver for TypeScript 5.x/6.x, `tsc --lsp` for 7.x."""
    if tsc.major is not None and tsc.major >= 7:
        from tsfix.langserver.lsp import LspServer

        return LspServer(root, list(tsc.command), tsc.version, timeout=timeout, log=log)
    if tsc.package_dir is None:
        raise LanguageServiceError(
            f"cannot find the TypeScript package of {tsc.path}",
            hint="tsfix suggest needs the project's typescript package (its lib/tsserver.js)",
        )
    from tsfix.langserver.tsserver import TsServer

    return TsServer(root, tsc.package_dir, tsc.version, timeout=timeout, log=log)


def typescript6(progress: Progress) -> Path | None:
    """A TypeScript 6 package for its tsserver: TSFIX_TS6_PATH, tsfix's cache, or installed there now."""
    configured = os.environ.get("TSFIX_TS6_PATH")
    if configured:
        path = Path(configured)
        path = path.parent.parent if path.name == "tsserver.js" else path
        return path if (path / "lib" / "tsserver.js").is_file() else None
    folder = tsfix_cache() / f"typescript-{TS6_VERSION}"
    package = folder / "node_modules" / "typescript"
    if (package / "lib" / "tsserver.js").is_file():
        return package
    if shutil.which("npm") is None:
        return None
    progress(InstallingTs6(version=TS6_VERSION, folder=str(folder)))
    folder.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(folder),
            f"typescript@{TS6_VERSION}",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            "--loglevel=error",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not (package / "lib" / "tsserver.js").is_file():
        progress(Ts6Failed(error=(result.stderr or result.stdout).strip()[-300:]))
        return None
    return package

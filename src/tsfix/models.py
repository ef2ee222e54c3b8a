"""Model files: `--model` as a path or a Hugging Face reference, and what a GGUF file says about itself.

    --model ~/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf              a file
    --model hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M               a repository and a quantisation
    --model hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/qwen2.5-coder-7b-instruct-q4_k_m.gguf   one file

A reference is downloaded once, with huggingface_hub's progress bar, into the standard Hugging Face
cache (`HF_HUB_CACHE`, `HF_HOME`; ~/.cache/huggingface/hub by default), as llama-cpp-python's
`Llama.from_pretrained` does, and loaded from there afterwards. With `HF_HUB_OFFLINE=1` nothing is
fetched: the reference is resolved from the cache or refused. A quantisation picks the repository's
`.gguf` file whose name carries it (the first part of a split model, whose other parts come with it).

`describe` reads a GGUF's metadata (architecture, parameters, quantisation, context length) with the
`gguf` package, without loading the weights: for `tsfix models` and `tsfix doctor`.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tsfix.errors import TsfixError, UsageError
from tsfix.extras import require

PREFIX = "hf:"
_REPO = r"[A-Za-z0-9][\w.-]*/[\w.-]+"
_SHARD = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.I)


@dataclass(frozen=True, slots=True)
class HfReference:
    repo: str
    filename: str | None = None
    quant: str | None = None

    def __str__(self) -> str:
        return f"{PREFIX}{self.repo}" + (f"/{self.filename}" if self.filename else f":{self.quant}")


def parse_reference(ref: str) -> HfReference:
    """`hf:owner/repo:QUANT` or `hf:owner/repo/path/file.gguf`; UsageError for anything else."""
    body = ref[len(PREFIX) :]
    if m := re.fullmatch(rf"({_REPO}):([\w.-]+)", body):
        return HfReference(m.group(1), quant=m.group(2))
    if (m := re.fullmatch(rf"({_REPO})/(.+\.gguf)", body, re.I)) and ".." not in m.group(2).split("/"):
        return HfReference(m.group(1), filename=m.group(2))
    raise UsageError(
        f"not a Hugging Face model reference: {ref}",
        hint="write hf:OWNER/REPO:QUANT (e.g. hf:Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M) "
        "or hf:OWNER/REPO/FILE.gguf",
    )


def is_reference(model: str | None) -> bool:
    return bool(model) and str(model).startswith(PREFIX)


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _cache_dir() -> str | None:
    return os.environ.get("HF_HUB_CACHE") or None  # else huggingface_hub's default (HF_HOME, ~/.cache)


def resolve_model(model: str) -> Path:
    """The local file of `--model`: the path itself, or the cached (downloaded if needed) file of an
    hf: reference."""
    if not is_reference(model):
        return Path(model).expanduser()
    ref = parse_reference(model)
    hub: Any = require("huggingface_hub")
    import huggingface_hub.errors as errors

    try:
        files = [] if ref.filename else _repo_files(hub, ref.repo)
        if not ref.filename and not files and offline():
            raise errors.LocalEntryNotFoundError(str(ref))
        names = [ref.filename] if ref.filename else _choose(ref, files)
        paths = [
            Path(hub.hf_hub_download(ref.repo, name, cache_dir=_cache_dir(), local_files_only=offline()))
            for name in names
        ]
    except errors.LocalEntryNotFoundError:
        raise UsageError(
            f"{ref} is not in the Hugging Face cache, and HF_HUB_OFFLINE is set",
            hint="run once without HF_HUB_OFFLINE to download it (or pass a local .gguf file)",
        ) from None
    except (errors.RepositoryNotFoundError, errors.GatedRepoError):
        raise UsageError(
            f"no accessible model repository {ref.repo} on the Hugging Face hub",
            hint="check the name; a gated or private one needs `hf auth login` (or HF_TOKEN)",
        ) from None
    except errors.EntryNotFoundError:
        raise UsageError(
            f"{ref.repo} has no file {ref.filename}",
            hint=f"`tsfix models {PREFIX}{ref.repo}` lists its GGUF files",
        ) from None
    except (errors.HfHubHTTPError, OSError) as exc:
        raise TsfixError(
            f"cannot download {ref}: {str(exc).splitlines()[0][:200]}",
            hint="check the network, or set HF_HUB_OFFLINE=1 to use the cache only",
        ) from None
    return paths[0]  # llama.cpp finds the other parts of a split model beside the first


def _repo_files(hub: Any, repo: str) -> list[str]:
    """The repository's files: from the hub, or, offline, from the cache's snapshots."""
    if not offline():
        return list(hub.list_repo_files(repo))
    return sorted({f for _, f in _cached_files(hub, repo)})


def _cached_files(hub: Any, repo: str | None = None) -> list[tuple[str, str]]:
    """(repo, file path in the repo) of every cached model file, optionally of one repository."""
    try:
        info = hub.scan_cache_dir(_cache_dir())
    except hub.CacheNotFound:
        return []
    out = []
    for cached in info.repos:
        if cached.repo_type != "model" or (repo is not None and cached.repo_id != repo):
            continue
        for revision in cached.revisions:
            for file in revision.files:
                relative = file.file_path.relative_to(revision.snapshot_path).as_posix()
                out.append((cached.repo_id, relative))
    return out


def _choose(ref: HfReference, files: list[str]) -> list[str]:
    """The files of `ref.quant`: the one .gguf named with it, or every part of a split one."""
    quant = (ref.quant or "").lower()
    matching = sorted(
        f for f in files if f.lower().endswith(".gguf") and quant in re.split(r"[-_./]", f.lower())
    )
    matching = matching or sorted(f for f in files if f.lower().endswith(".gguf") and quant in f.lower())
    single = [f for f in matching if not _SHARD.search(f)]
    if len(single) == 1:
        return single
    firsts = [f for f in matching if (m := _SHARD.search(f)) and m.group(1) == "00001"]
    if not single and len(firsts) == 1:
        stem = _SHARD.sub("", firsts[0])
        return [firsts[0], *sorted(f for f in matching if f != firsts[0] and _SHARD.sub("", f) == stem)]
    ggufs = sorted(f for f in files if f.lower().endswith(".gguf"))
    which = "several" if matching else "no"
    raise UsageError(
        f"{ref.repo} has {which} GGUF files for {ref.quant}"
        + (f": {', '.join(matching[:4])}" if matching else ""),
        hint=f"name the file: hf:{ref.repo}/FILE.gguf"
        + (f" (it has {', '.join(ggufs[:6])}{' …' if len(ggufs) > 6 else ''})" if ggufs else ""),
    )


# ----------------------------------------------------------------------------- metadata


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a GGUF file says about itself (None where its metadata does not say)."""

    path: str
    source: str  # where it was found: "hf:owner/repo", "TSFIX_MODEL", "argument"
    size_bytes: int
    name: str | None = None
    architecture: str | None = None
    parameters: int | None = None
    quantisation: str | None = None
    context_length: int | None = None
    error: str | None = None  # not readable as GGUF: why

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe(path: Path, source: str) -> ModelInfo:
    """The metadata of a GGUF file, read without loading its weights."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return ModelInfo(str(path), source, 0, error=f"cannot read it: {exc.strerror or exc}")
    gguf: Any = require("gguf")
    try:
        reader = gguf.GGUFReader(str(path), "r")
    except (ValueError, OSError, KeyError, IndexError) as exc:
        return ModelInfo(str(path), source, size, error=f"not a GGUF file llama.cpp reads ({exc})"[:200])

    def field(key: str) -> Any:
        f = reader.fields.get(key)
        try:
            return f.contents() if f is not None else None
        except (ValueError, IndexError, TypeError):
            return None

    arch = field("general.architecture")
    file_type = field("general.file_type")
    quant = None
    if isinstance(file_type, int):
        try:
            quant = gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_")
        except ValueError:
            quant = None
    if quant is None:  # the most common type among the weight matrices
        kinds = Counter(t.tensor_type.name for t in reader.tensors if len(t.shape) >= 2)
        quant = kinds.most_common(1)[0][0] if kinds else None
    context = field(f"{arch}.context_length") if arch else None
    return ModelInfo(
        str(path),
        source,
        size,
        name=field("general.name"),
        architecture=arch,
        parameters=int(sum(int(t.n_elements) for t in reader.tensors)) or None,
        quantisation=quant,
        context_length=int(context) if isinstance(context, int) else None,
    )


def known_models(extra: list[str] | None = None) -> list[ModelInfo]:
    """The GGUF files in the Hugging Face cache, the one TSFIX_MODEL names, and `extra` (paths or
    hf: references, resolved from the cache only: listing downloads nothing)."""
    found: list[ModelInfo] = []
    seen: set[str] = set()

    def add(path: Path, source: str) -> None:
        key = os.path.abspath(path)  # symlinks kept: two cached names may share one blob
        if key not in seen:
            seen.add(key)
            found.append(describe(path, source))

    named = [("TSFIX_MODEL", os.environ["TSFIX_MODEL"])] if os.environ.get("TSFIX_MODEL") else []
    for source, model in [*named, *(("argument", m) for m in extra or [])]:
        if is_reference(model):
            hub: Any = require("huggingface_hub")
            ref = parse_reference(model)
            cached = [f for r, f in _cached_files(hub, ref.repo) if f.lower().endswith(".gguf")]
            if not cached:
                found.append(
                    ModelInfo(model, source, 0, error="not in the Hugging Face cache (not downloaded yet)")
                )
                continue
            try:
                names = [ref.filename] if ref.filename else _choose(ref, cached)[:1]
            except UsageError as exc:
                found.append(ModelInfo(model, source, 0, error=exc.message))
                continue
            path = hub.try_to_load_from_cache(ref.repo, names[0], cache_dir=_cache_dir())
            if isinstance(path, str):
                add(Path(path), source)
            else:
                found.append(
                    ModelInfo(model, source, 0, error="not in the Hugging Face cache (not downloaded yet)")
                )
        else:
            add(Path(model).expanduser(), source)
    if _hub_installed():
        hub = require("huggingface_hub")
        import huggingface_hub.constants

        cache = Path(_cache_dir() or huggingface_hub.constants.HF_HUB_CACHE)
        for repo, relative in _cached_files(hub):
            if relative.lower().endswith(".gguf") and not (
                _SHARD.search(relative) and "-00001-of-" not in relative
            ):
                path = hub.try_to_load_from_cache(repo, relative, cache_dir=str(cache))
                if isinstance(path, str):
                    add(Path(path), f"{PREFIX}{repo}")
    return found


def _hub_installed() -> bool:
    from tsfix.extras import installed

    return installed("huggingface_hub")

"""The optional parts of tsfix, imported on demand, and what to install when one is missing.

`pip install tsfix` needs no compiler: the model runtimes are extras, because llama-cpp-python builds
llama.cpp from source unless a prebuilt wheel fits the machine, and a CI job that never loads a model
should not wait for that. A command that needs a missing extra stops with exit status 2, one line,
and the exact commands that install it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from tsfix.errors import TsfixError

WHEELS = "https://abetlen.github.io/llama-cpp-python/whl"
LLAMA_INSTALL = (
    "CPU: pip install 'tsfix[llama]'"
    f" (prebuilt: --extra-index-url {WHEELS}/cpu)"
    " · NVIDIA: CMAKE_ARGS=\"-DGGML_CUDA=on\" pip install 'tsfix[llama]'"
    f" (prebuilt: --extra-index-url {WHEELS}/cu124)"
    " · Apple: CMAKE_ARGS=\"-DGGML_METAL=on\" pip install 'tsfix[llama]'"
    f" (prebuilt: --extra-index-url {WHEELS}/metal)"
)
_EXTRAS = {
    # module: (what it is for, the extra, the hint)
    "llama_cpp": ("a local GGUF model needs llama-cpp-python", "llama", LLAMA_INSTALL),
    "huggingface_hub": ("an hf: model needs huggingface_hub", "llama", "pip install 'tsfix[llama]'"),
    "gguf": ("reading a model's metadata needs gguf", "llama", "pip install 'tsfix[llama]'"),
    "openai": ("--engine openai needs the openai client", "openai", "pip install 'tsfix[openai]'"),
}


class MissingExtra(TsfixError):
    """An optional dependency is not installed (or cannot be loaded)."""


def require(module: str) -> ModuleType:
    """The module, or MissingExtra saying which extra installs it and how."""
    purpose, extra, hint = _EXTRAS[module]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in (module, None) and not (exc.name or "").startswith(module + "."):
            raise MissingExtra(f"{module} cannot be loaded: {exc}", hint=hint) from None
        raise MissingExtra(f"{purpose}, which is not installed (tsfix's {extra} extra)", hint=hint) from None
    except ImportError as exc:  # installed, but its native library does not load
        raise MissingExtra(f"{module} is installed but cannot be loaded: {exc}", hint=hint) from None


def installed(module: str) -> bool:
    """Whether the module is installed, without importing it (cheap; it may still fail to load)."""
    import importlib.util

    return importlib.util.find_spec(module) is not None


def available(module: str) -> bool:
    """Whether the optional module imports (for tsfix doctor), without raising."""
    try:
        require(module)
    except MissingExtra:
        return False
    return True

"""Installing tsfix without the model runtimes, and what a user is told when a model needs one."""

from __future__ import annotations

import pytest

BROKEN = {"src/a.ts": "export const n: number = 'x'.lenght;\n"}


@pytest.mark.parametrize(
    ("module", "args", "said"),
    [
        ("llama_cpp", ["--model", "m.gguf"], "a local GGUF model needs llama-cpp-python"),
        ("openai", ["--engine", "openai", "--base-url", "http://127.0.0.1:9/v1"], "needs the openai client"),
    ],
)
def test_a_model_without_its_extra_is_exit_2_with_the_commands_that_install_it(
    make_project, tsfix_cli, tmp_path, module: str, args: list[str], said: str
) -> None:
    shadow = tmp_path / "shadow"  # on PYTHONPATH, before site-packages: the module is "not installed"
    shadow.mkdir()
    (shadow / f"{module}.py").write_text(
        f"raise ModuleNotFoundError(\"No module named '{module}'\", name='{module}')\n"
    )
    root = make_project(BROKEN)
    (root / "m.gguf").write_bytes(b"GGUF")
    assert tsfix_cli("scan", cwd=root).returncode == 1
    result = tsfix_cli(
        "suggest", "--no-ts6", *args, cwd=root, env={"PYTHONPATH": str(shadow), "COLUMNS": "400"}
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert said in result.stderr and "not installed" in result.stderr
    extra = "llama" if module == "llama_cpp" else "openai"
    assert f"pip install 'tsfix[{extra}]'" in result.stderr
    if module == "llama_cpp":  # the build flags and the prebuilt wheel indexes for each backend
        for part in (
            'CMAKE_ARGS="-DGGML_CUDA=on"',
            'CMAKE_ARGS="-DGGML_METAL=on"',
            "whl/cpu",
            "whl/cu124",
            "whl/metal",
        ):
            assert part in result.stderr
    # nothing was recorded for the error: it is still open for a run that has the model
    listed = tsfix_cli("list", "--json", cwd=root)
    assert '"status": "new"' in listed.stdout

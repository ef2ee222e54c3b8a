"""Generate a large, realistic TypeScript project with a known number of compile errors.

    python bench/genproject.py OUT --files 2000 --errors-per-file 5
    python bench/genproject.py OUT --files 100 --errors-per-file 1000 --flat   # 100,000 diagnostics

Each module declares an interface, a class with methods, a few functions and imports from a
neighbour module, then breaks in realistic ways: wrong literal types, misspelled members, missing
arguments, missing object properties, implicit any parameters. The errors are spread through
classes, functions and top-level statements so tree-sitter context extraction does real work.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "lib": ["es2022"],
        "module": "esnext",
        "moduleResolution": "bundler",
        "types": [],
        "skipLibCheck": True,
        "noEmit": True,
    },
    "include": ["src"],
}

BREAKERS = [
    # (statement inside a method/function body, expected code)
    ('    const limit: number = "{i}";', "TS2322"),
    ("    const label = this.record.titel;", "TS2551"),
    ('    const joined = combine{n}("a");', "TS2554"),
    ('    const draft: Record{n} = {{ id: {i}, title: "t" }};', "TS2741"),
    ("    const flag: boolean = {i};", "TS2322"),
]


def module_source(n: int, total: int, errors: int) -> str:
    # imports form a shallow tree (mod123 imports mod12), as real code does; a 2,000-deep linear
    # chain of imports overflows TypeScript 5.9's recursive program builder
    neighbour = n // 10 if n >= 10 else (n + 1) % min(total, 10)
    lines = [
        f'import {{ helper{neighbour} }} from "./mod{neighbour}";',
        "",
        f"export interface Record{n} {{",
        "  id: number;",
        "  title: string;",
        "  tags: string[];",
        "}",
        "",
        f"export function helper{n}(value: number): number {{",
        "  return value * 2;",
        "}",
        "",
        f"export function combine{n}(a: string, b: string): string {{",
        "  return a + b;",
        "}",
        "",
        f"export class Service{n} {{",
        f"  constructor(private readonly record: Record{n}) {{}}",
        "",
    ]
    for i in range(errors):
        template, _ = BREAKERS[i % len(BREAKERS)]
        lines += [
            f"  method{i}(): number {{",
            template.format(i=i, n=n),
            f"    return helper{neighbour}({i});",
            "  }",
            "",
        ]
    lines += ["}", "", f'export const instance{n} = new Service{n}({{ id: {n}, title: "x", tags: [] }});', ""]
    return "\n".join(lines)


def flat_source(n: int, errors: int) -> str:
    """Many errors per file, one per line: for stress tests of parsing, context and storage."""
    return "\n".join(f'export const v{n}_{i}: number = "{i}";' for i in range(errors)) + "\n"


def generate(out: Path, files: int, errors_per_file: int, flat: bool = False) -> int:
    """Write the project; return the number of errors tsc will report."""
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    (out / "tsconfig.json").write_text(json.dumps(TSCONFIG, indent=2) + "\n")
    for n in range(files):
        text = flat_source(n, errors_per_file) if flat else module_source(n, files, errors_per_file)
        (src / f"mod{n}.ts").write_text(text)
    return files * errors_per_file


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--errors-per-file", type=int, default=5)
    parser.add_argument("--flat", action="store_true", help="one error per line, nothing else")
    args = parser.parse_args()
    n = generate(args.out, args.files, args.errors_per_file, args.flat)
    print(f"wrote {args.files} files with {n} errors to {args.out}")


if __name__ == "__main__":
    main()

"""Rewrite the golden files: ``make golden`` (or ``python -m tests.golden.update``).

Run it only after an intended change to generated output, then review the
diff before committing. CI never regenerates golden files.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from specgen.api import build_plan
from specgen.compiler.render import render

HERE = Path(__file__).parent


def cases() -> list[Path]:
    return sorted(p for p in HERE.iterdir() if (p / "spec.yaml").is_file())


def expected_files(case: Path) -> dict[str, str]:
    """What the compiler renders for a case today, keyed by path under ``expected/``."""
    plan = build_plan(case / "spec.yaml", case / "expected")
    return {f"{plan.name}/{rel}": text for rel, text in render(plan).items()}


def main() -> None:
    for case in cases():
        target = case / "expected"
        shutil.rmtree(target, ignore_errors=True)
        for rel, text in expected_files(case).items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        print(f"updated {target}")


if __name__ == "__main__":
    main()

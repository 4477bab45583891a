"""Screenshots of `specgen report` on the penguins example, for docs/: a clean and a drifted batch.

    python scripts/report-screenshots.py            # writes docs/report-penguins-{clean,drifted}.png

Runs the committed example (its compiled generated/ tree) through `specgen report`, then opens each
page in Debian's chromium (tests/browser.py; scripts/install-chromium.sh installs it) at 1280 px wide.
The drifted batch is tests/report_cases.py's: bills 6 mm longer, the Biscoe penguins moved to Torgersen,
one impossible body mass and a few missing flipper lengths; it carries the cached predictions and the
labels (every Dream penguin predicted wrong), so the page also shows slice quality and per-class bias.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import chromium, missing, scroll_through  # noqa: E402
from tests.report_cases import drifted_penguins, labelled_penguins  # noqa: E402

EXAMPLE = ROOT / "examples" / "penguins"
DOCS = ROOT / "docs"
#: pixels of page height kept in a screenshot (a longer page keeps its top: verdict, failed checks, worst features)
MAX_HEIGHT = 4000
#: when the drifted page's model was trained (shown as its age)
TRAINED_AT = "2026-10-01T00:00:00Z"


def report(example: Path, current: str, out: Path, *extra: str) -> Path:
    """`specgen report` run inside the example's copy, so the page shows paths as a user would type them."""
    done = subprocess.run([sys.executable, "-m", "specgen", "report", "spec.yaml", "--current", current, "-o",
                           str(out), *extra], capture_output=True, text=True, cwd=example)
    if done.returncode not in (0, 1):
        raise SystemExit(f"specgen report failed: {done.stderr}")
    print(done.stdout.strip())
    return out


def screenshot(context, page_file: Path, png: Path) -> None:
    page = context.new_page()
    page.goto(page_file.as_uri())
    scroll_through(page)  # plots are drawn as they scroll into view
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
    page.screenshot(path=str(png), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height})
    page.close()
    print(f"wrote {png.relative_to(ROOT)}")


def main() -> None:
    why = missing()
    if why:
        raise SystemExit(f"cannot take screenshots: {why}")
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "penguins"
        shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns("__pycache__"))
        data = example / "data"
        drifted_penguins(data / "serving.csv", data / "unlabelled.csv")
        labelled_penguins(example, data / "unlabelled.csv", data / "drifted.csv", wrong_dream=True)
        clean = report(example, "data/serving.csv", Path(tmp) / "clean.html")
        bad = report(example, "data/drifted.csv", Path(tmp) / "drifted.html", "--model-trained-at", TRAINED_AT)
        with chromium() as context:
            screenshot(context, clean, DOCS / "report-penguins-clean.png")
            screenshot(context, bad, DOCS / "report-penguins-drifted.png")


if __name__ == "__main__":
    main()

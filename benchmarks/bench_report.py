"""`specgen report` on wide specs: page size (the budget the browser test holds), time to build the page,
and chromium's time to show the first screen and to scroll through every plot.

Usage: python benchmarks/bench_report.py [--features 50 200 500] [--rows 1000]

Each spec comes from tests/report_cases.py::wide_project (features cycling float / int / category,
10 bins each, a batch shifted so the numeric ones alarm). Build time is the CLI's wall time in a fresh
process (imports included). Then chromium (1280x800) loads the page: "first screen" is the time from
navigation until every plot on the first screen is drawn; "scroll-through" the time from navigation until
a reader who scrolls one screen at a time, waiting on each for its plots, has seen every plot drawn
(tests/browser.py). Needs chromium for those columns (scripts/install-chromium.sh).

Measured 2026-11-30 on the shared 2-core machine (times inflated several-fold by other work), before
and after plots were drawn as they scroll into view (before: every plot at load, 12 at a time):

  plotly.js inline: 4.82 MB (once per page)
                                          first screen s     scroll-through s
  features  page MB KB/feature  build s   before  after      before  after
        50     4.89       1.44      6.9      7.8    4.8         8.1    9.5
       200     5.09       1.36     10.2     15.3    4.6        29.8   41.2
       500     5.49       1.34     16.3     17.1    2.9        98.8  103.4
  (load average 10-14 before, 12-17 after; the wide pages' first screen is the failed-checks table)
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests import browser  # noqa: E402
from tests.report_cases import wide_project  # noqa: E402


def specgen(*args) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "specgen", *map(str, args)], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    return time.perf_counter() - start


def draw_seconds(context, page_file: Path) -> tuple[float, float]:
    """(seconds from navigation until the plots on the first screen are drawn, seconds from navigation
    until a reader scrolling a screen at a time, waiting on each for its plots, has seen every plot drawn)."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(page_file.as_uri())
    browser.wait_screen_drawn(page, timeout=600_000)
    first = time.perf_counter() - start
    browser.scroll_through(page, timeout=600_000)
    seconds = time.perf_counter() - start
    page.close()
    return first, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    from plotly.offline import get_plotlyjs

    plotly_bytes = len(get_plotlyjs().encode())
    print(f"plotly.js inline: {plotly_bytes / 1e6:.2f} MB (once per page)")
    print(f"{'features':>8} {'page MB':>8} {'KB/feature':>10} {'build s':>8} {'first screen s':>14} "
          f"{'scroll-through s':>16}")
    why = browser.missing()
    with tempfile.TemporaryDirectory() as tmp:
        pages = []
        for n in args.features:
            spec, batch = wide_project(Path(tmp) / f"w{n}", n, args.rows)
            specgen("baseline", spec)
            specgen("compile", spec)
            out = Path(tmp) / f"w{n}.html"
            pages.append((n, out, specgen("report", spec, "--current", batch, "-o", out)))
        draws = {}
        if why is None:
            with browser.chromium() as context:
                draws = {n: draw_seconds(context, out) for n, out, _ in pages}
        for n, out, build in pages:
            size = out.stat().st_size
            first, through = (f"{x:.1f}" for x in draws[n]) if n in draws else ("n/a", "n/a")
            print(f"{n:>8} {size / 1e6:8.2f} {(size - plotly_bytes) / n / 1e3:10.2f} {build:8.1f} {first:>14} "
                  f"{through:>16}")
    if why:
        print(f"(no draw times: {why})")


if __name__ == "__main__":
    main()

"""Measure how wide every page of a build is at a phone's width, in headless Chromium.

    .venv/bin/python scripts/page_widths.py                 # build/, 390 px viewport
    .venv/bin/python scripts/page_widths.py --width 1280 --build path/to/build

Opens `index.html`, `codebook.html`, `methodology.html` and every `<theme>/*.html` (one browser,
one page after the other) and prints each page's document width (`scrollWidth`) and the widest
element that sticks out of the viewport. A page wider than the viewport scrolls sideways as a
whole; a wide table should scroll inside its own box instead. Not a test (tests/test_browser.py
holds the pass mark on the demo build); a tool for looking.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
# The widest element whose right edge passes the viewport, as `tag.class` and its width.
WIDEST = """() => {
  let worst = null, edge = document.documentElement.clientWidth;
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.right > edge + 0.5 && (!worst || r.right > worst[1])) {
      worst = [e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''), r.right];
    }
  }
  return [document.documentElement.scrollWidth, worst];
}"""


LANGUAGE_FOLDERS = ("da", "nb", "sv", "fi", "is")


def pages(build: Path) -> list[Path]:
    """Every page of a build, English then each other language's tree: the top-level pages,
    then the reports."""
    found = []
    for root in [build, *(build / code for code in LANGUAGE_FOLDERS)]:
        top = [root / name for name in ("index.html", "codebook.html", "methodology.html")]
        skipped = ("share", "data", *LANGUAGE_FOLDERS)
        reports = sorted(p for p in root.glob("*/*.html") if p.parent.name not in skipped)
        found += [p for p in top if p.is_file()] + reports
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=REPO / "build")
    parser.add_argument("--width", type=int, default=390)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    widths = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 800})
        for path in pages(args.build):
            page.goto(path.as_uri(), wait_until="load")
            width, widest = page.evaluate(WIDEST)
            widths[path] = width
            wide = widest and width > args.width
            culprit = f"  widest: {widest[0]} to {widest[1]:.0f} px" if wide else ""
            print(f"{width:5d} px  {path.relative_to(args.build)}{culprit}")
        browser.close()
    values = list(widths.values())
    over = sum(w > args.width for w in values)
    print(
        f"{len(values)} pages at a {args.width} px viewport: {over} wider than it; widths "
        f"min {min(values)}, median {statistics.median(values):.0f}, max {max(values)} px"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

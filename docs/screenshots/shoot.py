"""Screenshots of the pages issue #15 asks to compare before and after, in Debian's Chromium.

    .venv/bin/python docs/screenshots/shoot.py http://127.0.0.1:8080 docs/screenshots after

Takes the top 1280×900 of: the query page (its first example run), an event, a document,
the map and the timeline, as ``<tag>-<page>.jpg`` in the folder given.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = {
    "query": "/query",
    "event": "/event/lazgi-festival-2022",
    "document": "/doc/000_74681c818d2b02ab",
    "map": "/map",
    "timeline": "/timeline",
}


def main(base: str, folder: Path, tag: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path in PAGES.items():
            page.goto(base + path)
            if name == "query" and page.locator("#run").count():
                page.locator("#run").click()
                page.wait_for_timeout(1500)
            page.screenshot(path=str(folder / f"{tag}-{name}.jpg"), type="jpeg", quality=70)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), sys.argv[3])

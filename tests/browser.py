"""Debian's Chromium, headless, driven by playwright with executable_path (never
`playwright install`: `make test` installs the browser from Debian's packages)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import async_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Chromium as root in a container, with nothing reaching out to Google's servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@asynccontextmanager
async def chromium():
    assert CHROMIUM.exists(), "make test installs Debian's chromium (Makefile: CHROMIUM)"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def axe_problems(page, axe: Path) -> list[dict]:
    """What axe-core finds on the page that is moderate or worse (the page's context must
    bypass its content security policy: axe comes in as a script of the test's own)."""
    await page.add_script_tag(path=str(axe))
    found = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"
    )
    assert isinstance(found, list)  # axe ran
    return [v for v in found if v["impact"] in ("moderate", "serious", "critical")]

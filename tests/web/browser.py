"""The browser side of page tests: Debian's Chromium driven by Playwright, a demo centre served by a real process.

    async def test_x(site, browser):
        page = await open_page(browser, phone=True)
        await log_in(page, site, "hr")
        await shot(page, "hr-home")
"""

from __future__ import annotations

import asyncio
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp

from window_staff import demo

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots are test artefacts (kept out of git by .gitignore).
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return "Debian's Chromium is not installed (.ci/run installs it with apt-get)"
    return None


@dataclass(frozen=True)
class Site:
    """The demo centre served for the browser: its base URL."""

    url: str


def totp_of(username: str) -> str | None:
    """The current TOTP code of a demo user that has a second factor."""
    secret = next((s for name, _, s in demo.DEMO_USERS if name == username), None)
    return pyotp.TOTP(secret).now() if secret else None


async def open_page(browser, *, phone: bool = False):
    """A fresh browser context (no cookies) and page, phone-sized when asked."""
    context = await browser.new_context(viewport=PHONE if phone else DESK, locale="zh-CN", device_scale_factor=1, is_mobile=phone, has_touch=phone)
    return await context.new_page()


async def log_in(page, site: Site, username: str, *, next_path: str = "/app") -> None:
    """Log in through the login form as a demo user (with TOTP when the account has one)."""
    for _ in range(3):
        await page.goto(f"{site.url}/login?next={next_path}")
        await page.fill("#username", username)
        await page.fill("#password", demo.DEMO_PASSWORD)
        code = totp_of(username)
        if code:
            await page.fill("#totp", code)
        await page.click("button[type=submit]")
        await page.wait_for_load_state("networkidle")
        if "/login" not in page.url or not code:
            return
        # Each TOTP code is good once: another test may have just used this one; wait for the next step.
        await asyncio.sleep(30.5 - time.time() % 30)


async def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path

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

import httpx
import pyotp

from window_staff import demo

SESSION_COOKIE = "ws_session"

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
    """The demo centre served for the browser: its base URL and its SQLite file (for moving the clock of a record)."""

    url: str
    database: Path


def _secret_of(username: str) -> str | None:
    return next((s for name, _, s in demo.DEMO_USERS if name == username), None)


# The last TOTP step this process used per (site, user). The server takes each step once and allows one
# step of clock drift either way, so a second login within the same 30 s uses the next step's code
# instead of waiting for it; only a third one waits for the clock.
_LAST_STEP: dict[tuple[str, str], int] = {}


async def next_totp(site: Site, username: str) -> str | None:
    """A TOTP code of the user that this site has not seen used yet (None for a user without a second factor)."""
    secret = _secret_of(username)
    if secret is None:
        return None
    totp, key = pyotp.TOTP(secret), (site.url, username)
    while True:
        current = int(time.time()) // totp.interval
        step = max(current, _LAST_STEP.get(key, current - 1) + 1)
        if step <= current + 1:
            _LAST_STEP[key] = step
            return totp.generate_otp(step)
        await asyncio.sleep(totp.interval + 0.05 - time.time() % totp.interval)


async def open_page(browser, *, phone: bool = False):
    """A fresh browser context (no cookies) and page, phone-sized when asked."""
    context = await browser.new_context(
        viewport=PHONE if phone else DESK, locale="zh-CN", device_scale_factor=1, is_mobile=phone, has_touch=phone
    )
    return await context.new_page()


# One API login per user per test session (per xdist worker, each with its own demo server); every later
# page and API call reuses the session token.
_TOKENS: dict[tuple[str, str], str] = {}


async def token_of(site: Site, username: str) -> str:
    """A session token for a demo user (logged in through the API once, waiting for a fresh TOTP step if needed)."""
    key = (site.url, username)
    if key not in _TOKENS:
        async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
            for _ in range(3):
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"username": username, "password": demo.DEMO_PASSWORD, "totp": await next_totp(site, username)},
                )
                if response.status_code == 200:
                    _TOKENS[key] = response.json()["token"]
                    break
                assert response.status_code == 401, response.text  # that code was used already: try the next one
            else:
                raise AssertionError(f"could not log in as {username}")
    return _TOKENS[key]


async def page_as(browser, site: Site, username: str, *, phone: bool = False, next_path: str | None = None):
    """A fresh browser page carrying the user's session cookie (the login form itself is tested in test_login)."""
    page = await open_page(browser, phone=phone)
    await page.context.add_cookies([{"name": SESSION_COOKIE, "value": await token_of(site, username), "url": site.url}])
    if next_path:
        await page.goto(f"{site.url}{next_path}")
    return page


async def api(site: Site, username: str, method: str, path: str, *, expect: int | None = None, **kwargs) -> dict:
    """Call the JSON API as a demo user; fails the test unless the status is 2xx (or ``expect``)."""
    token = await token_of(site, username)
    async with httpx.AsyncClient(base_url=site.url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        response = await client.request(method, path, **kwargs)
    if expect is not None:
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
    else:
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return (
        response.json()
        if response.content and response.headers.get("content-type", "").startswith(("application/json", "application/problem"))
        else {}
    )


async def log_in(page, site: Site, username: str, *, next_path: str = "/app") -> None:
    """Log in through the login form as a demo user (with TOTP when the account has one)."""
    for _ in range(3):
        await page.goto(f"{site.url}/login?next={next_path}")
        await page.fill("#username", username)
        await page.fill("#password", demo.DEMO_PASSWORD)
        code = await next_totp(site, username)
        if code:
            await page.fill("#totp", code)
        await page.click("button[type=submit]")
        await page.wait_for_load_state("networkidle")
        if "/login" not in page.url or not code:
            return
        # Each TOTP code is good once: if this one was used already, the next attempt takes a later one.


async def wait_for(page, expression: str, *, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression (or async function) until it is truthy.

    Playwright's own wait_for_function re-evaluates its predicate with eval, which the pages' CSP forbids
    (script-src 'self'): it fails whenever the first check is false. page.evaluate is allowed.
    """
    for _ in range(int(timeout / 0.1)):
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not true within {timeout} s: {expression}")


async def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def api_job(site: Site, username: str, path: str, *, timeout: float = 60, **kwargs) -> dict:
    """POST work the API queues (202) and wait for its job to finish; fails the test unless it is done."""
    accepted = await api(site, username, "POST", path, expect=202, **kwargs)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while accepted["state"] not in ("done", "failed"):
        assert loop.time() < deadline, f"{path}: job still {accepted['state']}"
        await asyncio.sleep(0.2)
        accepted = await api(site, username, "GET", accepted["href"])
    assert accepted["state"] == "done", accepted
    return accepted


# axe-core (tests/web/vendor, MPL-2.0, see THIRD_PARTY.md): the accessibility rules the page tests hold every page to.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


async def accessibility_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """The page's axe-core violations of the given impacts, each as its rule id, impact, help and target selectors.

    The pages' CSP (script-src 'self') blocks an injected script tag; page.evaluate is allowed, so axe is evaluated there.
    """
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        """async () => {
            const found = await axe.run(document, {resultTypes: ['violations']});
            return found.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def violations_text(violations: list[dict]) -> str:
    """Violations as a readable list for a failing assertion: rule id, impact, help and up to eight target selectors."""
    lines = []
    for v in violations:
        more = f" (+{len(v['targets']) - 8} more)" if len(v["targets"]) > 8 else ""
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'][:8])}{more}")
    return "\n".join(lines)


async def upload_and_wait(page, name: str, text: str) -> None:
    """Send a CSV through a page's upload form (``#file``, ``#upload-form``) and wait for the import's report (``#report``)."""
    await page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    await page.click("#upload-form button[type=submit]")
    # The job panel follows the import and then reloads the page (htmx): poll across that navigation.
    for _ in range(600):
        await page.wait_for_load_state("load")
        if await page.locator("#report").count():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the import's report did not appear")

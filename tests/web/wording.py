"""What a person reads on a page or in an export, and the machine's words that must never be among it.

A crawler follows every link a role's pages offer (within this site, GET only, a few addresses per shape) and
keeps each page's visible text: text nodes outside scripts and styles, and the labels people read (button
values, placeholders, alt and aria-label, title). The codes are taken from the code itself (rules, states,
roles, leave kinds), so a new rule or state is checked without touching the test.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
from openpyxl import load_workbook

from window_staff.appraisal.domain import STATES as PERIOD_STATES
from window_staff.attendance.domain import LEAVE_KINDS
from window_staff.auth.domain import ROLES
from window_staff.scoring import load_default_rules

_SKIPPED_TAGS = {"script", "style", "template", "noscript"}
_READ_ATTRIBUTES = ("placeholder", "alt", "aria-label", "title")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Addresses that change something even on GET, or leave the session.
_NEVER_FOLLOW = re.compile(r"/logout|/api/|/schema|/static/")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # A login name is what a person types, shown only where accounts are managed: marked translate="no".
        skipped = tag in _SKIPPED_TAGS or values.get("translate") == "no"
        if tag not in _VOID:
            self._stack.append(skipped)
        if skipped:
            self._skip += 1
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for name in _READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not self._stack:
            return
        if self._stack.pop() and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def read_html(html: str) -> tuple[list[str], list[str]]:
    """The visible texts and the link targets of a page."""
    reader = _Reader()
    reader.feed(html)
    return reader.texts, reader.links


def read_export(body: bytes, media_type: str) -> list[str]:
    """Every cell of a CSV or XLSX export as text."""
    if "spreadsheetml" in media_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row if cell]


@dataclass(frozen=True)
class Codes:
    """The machine's words: bare codes (wrong as a whole text) and dotted ones (wrong anywhere)."""

    bare: frozenset[str]
    dotted: frozenset[str]


def known_codes() -> Codes:
    """Every code a person could meet, from the rules and the domains' own vocabularies."""
    rules = load_default_rules()
    bare = {g.code for g in rules.grades} | {c.code for c in rules.categories}
    bare |= set(PERIOD_STATES) | set(ROLES) | set(LEAVE_KINDS) | {"queued", "running", "done", "failed"}
    dotted = {r.id for r in rules.rules}
    return Codes(bare=frozenset(bare), dotted=frozenset(dotted))


_USER_REF = re.compile(r"\buser:\d+")
_HASH = re.compile(r"\b[0-9a-f]{12,}\b")
_FACT_KEY = re.compile(r"\b[a-z]+\.[a-z_]+:\d{4}-\d{2}")
# A month or day written the machine's way (2026-11, 2026-11-06): people read 2026年11月6日.
_ISO_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}(?:-\d{2})?(?![\w-])")
# A page word shown by its key: the translator shows the key when a word is missing.
_WORD_KEY = re.compile(r"^[a-z_]+(\.[a-z_\-]+)+$")


def leaks(texts: list[str], codes: Codes, *, lang: str = "zh") -> list[str]:
    """The texts that show a code, a user reference, a hash, a fact key, a page word's key or a machine-written date.

    A bare code is wrong as a whole text in either language; on a Chinese page it is wrong inside a text too
    (``basic 服务基础标准``), while an English sentence may use the same word ("published") as English.
    """
    found = []
    for text in texts:
        stripped = text.strip()
        bare = stripped in codes.bare or (lang == "zh" and bool(set(re.findall(r"[a-z_]+", text)) & codes.bare))
        if (
            bare
            or _USER_REF.search(text)
            or _HASH.search(text)
            or _FACT_KEY.search(text)
            or _WORD_KEY.match(stripped)
            or _ISO_DATE.search(text)
        ):
            found.append(text)
            continue
        words = set(re.findall(r"[a-z][a-z_]*\.[a-z_]+", text))
        if words & codes.dotted:
            found.append(text)
    return found


@dataclass
class Crawl:
    """What one role saw in one language: page -> the texts that leak codes."""

    pages: int = 0
    exports: int = 0
    leaks: dict[str, list[str]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)


def _shape(url: str) -> str:
    # /app/hr/appraisal/2026-10/sheet/17?offset=20 and .../2026-09/sheet/3 are one shape.
    parts = urlsplit(url)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return re.sub(r"\d+", "N", parts.path) + "?" + query


async def crawl(base: str, *, token: str, lang: str, start: str = "/app", per_shape: int = 2, limit: int = 250) -> Crawl:
    """Follow every link from ``start`` as one signed-in person, reading each page and export once."""
    out, codes = Crawl(), known_codes()
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = deque([start])
    cookies = {"ws_session": token, "ws_lang": lang}
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60, follow_redirects=True) as client:
        while queue and out.pages + out.exports < limit:
            path = queue.popleft()
            response = await client.get(path)
            if response.status_code >= 400:
                out.failures[path] = response.status_code
                continue
            media_type = response.headers.get("content-type", "")
            if media_type.startswith("text/html"):
                out.pages += 1
                texts, links = read_html(response.text)
            else:
                out.exports += 1
                texts, links = read_export(response.content, media_type), []
            if found := leaks(texts, codes, lang=lang):
                out.leaks[path] = found
            for link in links:
                target = urljoin(base + path, link)
                parts = urlsplit(target)
                if target.startswith(base) and not _NEVER_FOLLOW.search(parts.path) and parts.path.startswith(("/app", "/board", "/rate")):
                    local = parts.path + (f"?{parts.query}" if parts.query else "")
                    shape = _shape(local)
                    if local not in seen and shapes.get(shape, 0) < per_shape:
                        seen.add(local)
                        shapes[shape] = shapes.get(shape, 0) + 1
                        queue.append(local)
    return out

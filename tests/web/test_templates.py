"""Every page obeys the one Content-Security-Policy: no inline script, style or event handler in any template."""

from __future__ import annotations

import re
from pathlib import Path

from window_staff.web.pages import HEADERS

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "window_staff" / "templates"


def test_the_policy_allows_scripts_and_styles_from_this_server_only() -> None:
    policy = HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe" not in policy


def test_no_template_carries_inline_script_style_or_handlers() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)", r"<style", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, text, re.IGNORECASE):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_every_post_form_carries_the_form_token_first() -> None:
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag, after in re.findall(r"(<form\b[^>]*>)(.{0,20})", path.read_text(encoding="utf-8"), re.DOTALL):
            if 'method="post"' in tag.lower() and not after.startswith("{{ csrf_field() }}"):
                missing.append(f"{path.relative_to(TEMPLATES)}: {tag[:60]}")
    assert missing == []

"""Every page and export a role can reach, in both languages, in its reader's words: no code, user reference or hash."""

from __future__ import annotations

import pytest

from tests.web.browser import token_of
from tests.web.wording import crawl, known_codes, leaks, read_html

ROLES = ("staff", "hr", "approver", "inspector", "lead", "auditor", "delegate", "admin")


def test_the_detector_catches_codes_user_references_hashes_and_fact_keys() -> None:
    codes = known_codes()
    texts = ["published", "扣分 att.late", "user:2:hr", "规则 626b5a075166", "attendance.late:2026-11-06:am", "hr.did.compute"]
    fine = ["已发布", "Published", "The month is published"]
    assert leaks(texts + fine, codes, lang="en") == texts


def test_on_a_chinese_page_a_code_inside_a_text_is_caught() -> None:
    assert leaks(["basic 服务基础标准", "等次 excellent"], known_codes(), lang="zh") == ["basic 服务基础标准", "等次 excellent"]


def test_the_reader_keeps_visible_text_and_labels_but_not_scripts() -> None:
    html = '<p>已发布</p><script>var s="published"</script><input type="submit" value="批准"><a href="/app/x" title="查看">x</a>'
    texts, links = read_html(html + '<td translate="no">hr</td><td>张敏</td>')
    assert texts == ["已发布", "批准", "查看", "x", "张敏"] and links == ["/app/x"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", ROLES)
async def test_every_page_a_role_reaches_is_in_words(site, role, lang) -> None:
    seen = await crawl(site.url, token=await token_of(site, role), lang=lang)
    assert seen.pages > 1
    assert not seen.failures, f"links leading to an error: {seen.failures}"
    assert not seen.leaks, "\n".join(f"{page}: {texts[:8]}" for page, texts in seen.leaks.items())

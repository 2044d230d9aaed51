"""The hall's screen over many windows: one screenful of at most 16, turning to the next by itself; a screenful of
busy windows (two people on duty, long names and posts, a queue, stars) fits 1920x1080 with nothing cut off."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

import window_staff
from tests.factories import make_site, make_window
from tests.web.browser import shot
from window_staff.web.controllers.hall import PEOPLE_ON_CARD, PER_PAGE, Card, screenful
from window_staff.web.i18n import translator

HALL = {"width": 1920, "height": 1080}
PACKAGE = Path(window_staff.__file__).parent


def _card(number: int, *, people: int = 0) -> Card:
    crowd = [
        {"name": "欧阳娜仁其其格", "post": "综合受理窗口首席代表（兼业务指导）", "employee_no": f"GY{number:04d}{i}", "photo": None}
        for i in range(people)
    ]
    return Card(
        number=f"A{number:02d}",
        name="不动产登记与税费综合受理窗口",
        department="人力资源和社会保障局",
        open=True,
        people=crowd,
        stars=Decimal("4.6"),
        ratings=128,
        serving="A123",
        waiting=12,
    )


def test_a_hall_of_up_to_one_screenful_is_one_screen() -> None:
    cards = [_card(n) for n in range(PER_PAGE)]
    assert screenful(cards, page=1) == (cards, 1, 1)


def test_more_windows_take_more_screens_and_a_screen_beyond_them_shows_the_first() -> None:
    cards = [_card(n) for n in range(PER_PAGE + 3)]
    assert screenful(cards, page=2) == (cards[PER_PAGE:], 2, 2)
    assert screenful(cards, page=7) == (cards[:PER_PAGE], 1, 2)


async def test_a_screenful_of_busy_windows_fits_1920x1080_with_nothing_cut_off(browser) -> None:
    env = Environment(loader=FileSystemLoader(PACKAGE / "templates"), autoescape=True)
    html = env.get_template("hall/hall.html").render(
        lang="zh",
        _=translator("zh"),
        site_name="贵阳县政务服务中心",
        cards=[_card(n, people=3) for n in range(PER_PAGE)],
        now=datetime(2026, 12, 7, 9, 30),
        refresh=15,
        next_url="/hall/GY?page=2",
        page=1,
        pages=2,
        people_on_card=PEOPLE_ON_CARD,
    )
    css = (PACKAGE / "web" / "static" / "hall.css").read_text(encoding="utf-8")
    page = await browser.new_page(viewport=HALL)
    await page.set_content(html.replace('<link rel="stylesheet" href="/static/hall.css">', f"<style>{css}</style>"))
    assert await page.evaluate("document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth")
    cut = await page.evaluate(
        "[...document.querySelectorAll('article.window')].filter(a => a.scrollHeight > a.clientHeight + 1).map(a => a.dataset.window)"
    )
    assert cut == []
    assert await page.locator("article.window .person").count() == PER_PAGE * PEOPLE_ON_CARD
    assert await page.locator("article.window .more").first.inner_text() == "另有 1 人在岗"
    await shot(page, "hall-1920-busy")


async def test_a_big_halls_screen_turns_its_pages_by_itself(client, app_ctx) -> None:
    # Its own database (not the shared demo, whose site list other pages' defaults read).
    hall = await make_site(app_ctx)
    windows = [await make_window(app_ctx, site_id=hall.id) for _ in range(PER_PAGE + 2)]
    first = (await client.get(f"/hall/{hall.code}")).text
    assert first.count('<article class="window') == PER_PAGE
    assert f'content="15;url=/hall/{hall.code}?page=2"' in first
    second = (await client.get(f"/hall/{hall.code}", params={"page": 2})).text
    assert [f'data-window="{w.number}"' in second for w in windows[PER_PAGE:]] == [True, True]
    assert second.count('<article class="window') == 2 and "第 2 / 2 屏" in second
    assert f'content="15;url=/hall/{hall.code}?page=1"' in second

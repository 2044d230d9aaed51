"""The hall's screens (电子显示屏): public, read-only pages of who serves at each window now, and the photos they show.

"On duty" is the live board of the Today page (attendance/live.py: today's accepted check-ins and the rota), so the
screen and HR's page never disagree. The page refreshes itself with a meta refresh: no script at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from window_staff.attendance.service import today as attendance_today
from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC
from window_staff.evaluations.service.stars import window_stars
from window_staff.org import service as org
from window_staff.queues import service as queues
from window_staff.web.i18n import add_words
from window_staff.web.pages import HEADERS, render

REFRESH_SECONDS = 30
# A hall screen shows at most this many windows at once (4 by 4 at 1920x1080, read across a hall); a bigger hall's
# screen turns its pages by itself, each shown for ROTATE_SECONDS (no script: the meta refresh names the next page).
PER_PAGE = 16
ROTATE_SECONDS = 15
# People shown on one window's card on the hall's screen (the window's own screen shows everyone).
PEOPLE_ON_CARD = 2

add_words(
    {
        "hall.title": {"zh": "窗口服务公示", "en": "Who serves at each window"},
        "hall.on_duty": {"zh": "当前在岗", "en": "On duty now"},
        "hall.nobody": {"zh": "暂无工作人员在岗", "en": "Nobody on duty now"},
        "hall.closed": {"zh": "本时段未开放", "en": "Not open now"},
        "hall.employee_no": {"zh": "工号", "en": "Staff no."},
        "hall.stars": {"zh": "本月群众满意度", "en": "Citizens' rating this month"},
        "hall.no_ratings": {"zh": "本月暂无评价", "en": "No ratings yet this month"},
        "hall.ratings": {"zh": "条评价", "en": "ratings"},
        "hall.window": {"zh": "窗口", "en": "Window"},
        "hall.updated": {"zh": "更新于", "en": "Updated"},
        "hall.serving": {"zh": "正在办理", "en": "Now serving"},
        "hall.waiting": {"zh": "等候{n}人", "en": "{n} waiting"},
        "hall.rate_us": {"zh": "欢迎扫码评价（好差评）", "en": "Rate our service: scan the code at the window"},
        "hall.page": {"zh": "第 {page} / {pages} 屏", "en": "Screen {page} of {pages}"},
        "hall.more_people": {"zh": "另有 {n} 人在岗", "en": "{n} more on duty"},
    }
)


@dataclass(frozen=True, slots=True)
class Card:
    """One window as the screen shows it."""

    number: str
    name: str
    department: str
    open: bool
    people: list[dict[str, Any]]
    stars: Decimal | None
    ratings: int
    serving: str | None = None  # the ticket at the window now
    waiting: int | None = None  # tickets waiting for the window's categories (None: the window takes no tickets)

    @property
    def full_stars(self) -> int:
        """Whole stars to draw: the mean level rounded half up (the figure beside them is exact to 0.1)."""
        return int(self.stars.to_integral_value(ROUND_HALF_UP)) if self.stars is not None else 0


async def _cards(ctx: AppContext, site_id: int, *, only_number: str | None = None) -> tuple[list[Card], Any]:
    windows = [w for w in await org.windows_at_site(site_id) if only_number is None or w["number"] == only_number]
    today = await attendance_today.today_at(ctx, site_id=site_id, windows=[w["id"] for w in windows])
    departments = await org.department_codes(sorted({w["department"] for w in windows}))
    on_duty = {w["id"]: today.board.at_window.get(w["id"], []) for w in windows}
    photos = await org.public_photo_consents([s for ids in on_duty.values() for s in ids])
    first = today.day.replace(day=1)
    stars = await window_stars([w["id"] for w in windows], first=first, last=today.day)
    queue = await queues.queue_now_at(ctx, site_id=site_id)
    cards = []
    for w in windows:
        people = []
        for staff_id in on_duty[w["id"]]:
            posting = today.postings.get(staff_id)
            if posting is not None:
                token = photos.get(staff_id, (None, None))[0]
                people.append({"name": posting.name, "post": posting.post, "employee_no": posting.employee_no, "photo": token})
        shown, count = stars.get(w["id"], (None, 0))
        cards.append(
            Card(
                number=w["number"],
                name=w["name"],
                department=departments.get(w["department"], ("", ""))[1],
                open=w["id"] in today.board.open_windows or bool(people),
                people=people,
                stars=shown,
                ratings=count,
                serving=queue.serving.get(w["id"]),
                waiting=queue.waiting_for_window.get(w["id"]),
            )
        )
    return cards, today


def screenful(cards: list[Card], *, page: int) -> tuple[list[Card], int, int]:
    """The cards of one screen, its number (1 when asked for one that does not exist) and how many screens there are."""
    pages = max(1, -(-len(cards) // PER_PAGE))
    page = page if 1 <= page <= pages else 1
    return cards[(page - 1) * PER_PAGE : page * PER_PAGE], page, pages


async def _site(ctx: AppContext, code: str) -> tuple[int, str]:
    site_id = await org.site_id_by_code(code)
    if site_id is None:
        raise NotFoundException()
    return site_id, (await org.get_site(ctx, site_id)).name


class HallController(Controller):
    """Public screens for the hall; nothing here needs a login and nothing here changes anything."""

    include_in_schema = False
    path = "/hall"

    @get("/{site_code:str}", opt=PUBLIC)
    async def hall(self, ctx: AppContext, request: Request, site_code: str, page: int = 1) -> Template:
        """The whole hall (1920x1080): every window with who is on duty now, their photo and post, and the window's stars;
        over PER_PAGE windows, one screenful (``?page=``) at a time, turning to the next by itself."""
        site_id, site_name = await _site(ctx, site_code)
        cards, today = await _cards(ctx, site_id)
        shown, page, pages = screenful(cards, page=page)
        # A page number beyond the hall (windows were closed since) shows the first screenful rather than an error.
        following = page % pages + 1
        return render(
            request,
            "hall/hall.html",
            principal=None,
            site_name=site_name,
            cards=shown,
            now=today.local_now,
            refresh=REFRESH_SECONDS if pages == 1 else ROTATE_SECONDS,
            next_url=f"/hall/{quote(site_code, safe='')}?page={following}" if pages > 1 else "",
            page=page,
            pages=pages,
            people_on_card=PEOPLE_ON_CARD,
        )

    @get("/{site_code:str}/windows/{number:str}", opt=PUBLIC)
    async def window(self, ctx: AppContext, request: Request, site_code: str, number: str) -> Template:
        """The small screen above one window (亮牌上岗): who serves here now, with photo, post and staff number."""
        site_id, site_name = await _site(ctx, site_code)
        cards, today = await _cards(ctx, site_id, only_number=number)
        if not cards:
            raise NotFoundException()
        return render(
            request,
            "hall/window.html",
            principal=None,
            site_name=site_name,
            card=cards[0],
            now=today.local_now,
            refresh=REFRESH_SECONDS,
        )

    @get("/photos/{token:str}", opt=PUBLIC)
    async def photo(self, ctx: AppContext, token: str) -> Response[bytes]:
        """A public photo by its token (``….jpg``); an unknown or withdrawn one is a 404."""
        image = await org.public_photo(token.removesuffix(".jpg"))
        if image is None:
            raise NotFoundException()
        # Short caching: a withdrawn photo leaves the screens within minutes.
        return Response(image, media_type="image/jpeg", headers={**HEADERS, "Cache-Control": "public, max-age=300"})

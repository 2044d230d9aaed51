"""The demo centre has what the README promises."""

from window_staff import demo
from window_staff.attendance.tables import SiteHours
from window_staff.auth.domain import ROLES
from window_staff.auth.tables import UserRole
from window_staff.org.tables import Department, Site, Staff, Window
from window_staff.terminals.tables import Terminal


async def test_demo_centre_has_sites_departments_staff_roles_terminals_and_hours(ctx):
    await demo.seed(ctx)
    kinds = sorted(r["kind"] for r in await Site.select(Site.kind))
    assert kinds == ["county_centre", "township_centre", "township_centre"]
    assert await Department.count() >= 6 and await Window.count() >= 6
    assert await Staff.count() >= 30
    assert {r["role"] for r in await UserRole.select(UserRole.role)} == set(ROLES)
    assert await Terminal.count().where(Terminal.status == "approved") == 2
    year = ctx.clock.now().year
    hours = await SiteHours.select().where(SiteHours.site == (await Site.select(Site.id).where(Site.code == demo.DEMO_SITE).first())["id"])
    covered = sum((h["valid_to"] - h["valid_from"]).days + 1 for h in hours if h["valid_from"].year == year)
    assert {h["valid_from"].year for h in hours} == {year - 1, year} and covered in (365, 366)


async def test_seeding_twice_changes_nothing(ctx):
    await demo.seed(ctx)
    before = await Staff.count()
    await demo.seed(ctx)
    assert await Staff.count() == before


async def test_the_demo_board_shows_a_published_finding_and_departments_have_heads(ctx):
    from window_staff.common.pagination import PageParams
    from window_staff.inspections.service import board as service_board
    from window_staff.org import service as org

    await demo.seed(ctx)
    board = await service_board.board(ctx, PageParams(limit=10, offset=0))
    assert board.total == 1 and board.items[0].person.endswith("某")
    departments = (await org.list_departments(ctx, PageParams(limit=50, offset=0))).items
    assert any(d.head_staff_id for d in departments)


async def test_last_months_appraisal_is_computed_and_open_for_appeals(ctx):
    from window_staff.appraisal import service as appraisal

    await demo.seed(ctx)
    [period] = await appraisal.list_periods(ctx)
    assert (period.state, period.staff) == ("appeals", await Staff.count())
    assert period.month < f"{appraisal.local_today(ctx):%Y-%m}"

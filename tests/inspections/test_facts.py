"""Published findings become ``inspection.finding`` facts for appraisal; embargoed ones give none."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from tests.inspections.support import log_finding, make_inspected_staff, make_visit, publish, published_finding
from window_staff.inspections import service
from window_staff.scoring.vocabulary import Fact


def _local_day(finding):
    # The sites of the factories are in Asia/Shanghai: the fact's month is the local one.
    return finding.observed_at.astimezone(ZoneInfo("Asia/Shanghai")).date()


async def test_a_published_finding_is_a_fact_of_its_month(ctx):
    _, staff, finding = await published_finding(ctx, kind="open", item="badge_worn", severity="major")
    facts = await service.month_facts(ctx, staff_ids=[staff.id], month=_local_day(finding))
    assert facts == [
        Fact(
            id=f"inspection.finding:{finding.id}",
            kind="inspection.finding",
            staff_id=staff.id,
            occurred_on=facts[0].occurred_on,
            fields={"item": "badge_worn", "severity": "major", "visit_kind": "open", "positive": False},
        )
    ]


async def test_an_unpublished_undercover_finding_gives_no_fact(ctx):
    scene = await make_visit(ctx, kind="undercover")
    staff = await make_inspected_staff(ctx, scene)
    finding = await log_finding(ctx, scene, staff_id=staff.id)
    assert await service.month_facts(ctx, staff_ids=[staff.id], month=_local_day(finding)) == []


async def test_a_draft_of_an_open_visit_gives_no_fact(ctx):
    scene = await make_visit(ctx, kind="open")
    staff = await make_inspected_staff(ctx, scene)
    finding = await log_finding(ctx, scene, staff_id=staff.id)
    assert await service.month_facts(ctx, staff_ids=[staff.id], month=_local_day(finding)) == []


async def test_the_undercover_fact_appears_once_published(ctx):
    scene = await make_visit(ctx, kind="undercover")
    staff = await make_inspected_staff(ctx, scene)
    finding = await log_finding(ctx, scene, staff_id=staff.id)
    await publish(ctx, scene, finding.id)
    facts = await service.month_facts(ctx, staff_ids=[staff.id], month=_local_day(finding))
    assert [f.fields["visit_kind"] for f in facts] == ["undercover"]


async def test_a_finding_observed_in_another_month_is_left_out(ctx):
    _, staff, finding = await published_finding(ctx)
    later = _local_day(finding).replace(day=1) + timedelta(days=40)
    assert await service.month_facts(ctx, staff_ids=[staff.id], month=later) == []


async def test_the_month_is_the_site_local_month(ctx):
    # 16:30 UTC on the last day of a month is 00:30 of the next month in Asia/Shanghai.
    from datetime import UTC, datetime

    ctx.clock.at = datetime(2025, 3, 31, 16, 28, tzinfo=UTC)
    scene = await make_visit(ctx)
    staff = await make_inspected_staff(ctx, scene)
    finding = await log_finding(ctx, scene, staff_id=staff.id, observed_at=datetime(2025, 3, 31, 16, 30, tzinfo=UTC))
    await publish(ctx, scene, finding.id)
    assert await service.month_facts(ctx, staff_ids=[staff.id], month="2025-03") == []
    assert [f.occurred_on.isoformat() for f in await service.month_facts(ctx, staff_ids=[staff.id], month="2025-04")] == ["2025-04-01"]


async def test_only_the_asked_staff_get_facts(ctx):
    _, staff, finding = await published_finding(ctx)
    _, other, _ = await published_finding(ctx)
    facts = await service.month_facts(ctx, staff_ids=[staff.id], month=_local_day(finding))
    assert {f.staff_id for f in facts} == {staff.id}

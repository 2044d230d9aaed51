"""month_facts: one evaluation.delegate fact per staff member and campaign: own results, else the window's, else the department's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.evaluations.support_delegates import FIRST, evaluate_by, make_campaign, make_world
from window_staff.evaluations.service import campaigns as service_campaigns, delegates as service_delegates
from window_staff.scoring.vocabulary import fact_problems


async def test_a_staff_target_gets_its_own_score_and_count(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    campaign = await make_campaign(ctx, world, targets=[("staff", me)])
    await evaluate_by(ctx, world, campaign.id, ("staff", me), [5, 5, 4, 4])
    facts = await service_delegates.month_facts(ctx, staff_ids=[me, world.staff[1].id], month=FIRST)
    assert list(facts) == [me]
    [fact] = facts[me]
    assert (fact.id, fact.kind, fact.occurred_on) == (f"evaluation.delegate:{campaign.id}", "evaluation.delegate", date(2025, 3, 20))
    assert fact.fields == {"score": Decimal("90.00"), "count": 4}


async def test_the_fact_passes_the_scoring_vocabulary(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    campaign = await make_campaign(ctx, world, targets=[("staff", me)])
    await evaluate_by(ctx, world, campaign.id, ("staff", me), [5, 3, 4])
    [fact] = (await service_delegates.month_facts(ctx, staff_ids=[me], month=FIRST))[me]
    assert fact_problems(fact) == [] and type(fact.fields["score"]) is Decimal and fact.fields["score"].as_tuple().exponent == -2


async def test_too_few_own_answers_fall_back_to_the_window(ctx):
    world = await make_world(ctx)
    me, colleague = (s.id for s in world.staff)
    campaign = await make_campaign(ctx, world, targets=[("staff", me), ("window", world.window.id)])
    await evaluate_by(ctx, world, campaign.id, ("staff", me), [1, 1])
    await evaluate_by(ctx, world, campaign.id, ("window", world.window.id), [4, 4, 4])
    facts = await service_delegates.month_facts(ctx, staff_ids=[me, colleague], month=FIRST)
    assert facts[me][0].fields == facts[colleague][0].fields == {"score": Decimal("80.00"), "count": 3}


async def test_without_own_or_window_results_the_department_counts(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    campaign = await make_campaign(ctx, world, targets=[("window", world.window.id), ("department", world.window.department_id)])
    await evaluate_by(ctx, world, campaign.id, ("window", world.window.id), [5])
    await evaluate_by(ctx, world, campaign.id, ("department", world.window.department_id), [3, 3, 3])
    [fact] = (await service_delegates.month_facts(ctx, staff_ids=[me], month=FIRST))[me]
    assert fact.fields == {"score": Decimal("60.00"), "count": 3}


async def test_drafts_and_other_months_give_no_facts(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    draft = await make_campaign(ctx, world, targets=[("staff", me)], open_it=False)
    april = await make_campaign(ctx, world, targets=[("staff", me)], month="2025-04")
    await evaluate_by(ctx, world, april.id, ("staff", me), [5, 5, 5])
    assert draft.status == "draft"
    assert await service_delegates.month_facts(ctx, staff_ids=[me], month=FIRST) == {}


async def test_a_closed_campaign_still_counts_and_its_fact_stays_in_the_month(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    campaign = await make_campaign(ctx, world, targets=[("staff", me)], month="2025-02", closes_on=date(2025, 3, 20))
    await evaluate_by(ctx, world, campaign.id, ("staff", me), [5, 5, 5])
    await service_campaigns.move_campaign(ctx, principal=world.hr, campaign_id=campaign.id, action="close")
    [fact] = (await service_delegates.month_facts(ctx, staff_ids=[me], month=date(2025, 2, 1)))[me]
    assert fact.occurred_on == date(2025, 2, 28) and fact.fields["score"] == Decimal("100.00")


async def test_a_province_sized_list_of_staff_ids_is_read_in_bounded_chunks(ctx):
    world = await make_world(ctx)
    me = world.staff[0].id
    campaign = await make_campaign(ctx, world, targets=[("window", world.window.id)])
    await evaluate_by(ctx, world, campaign.id, ("window", world.window.id), [5, 4, 3])
    ids = [me, *range(10_000_000, 10_100_000)]  # 100,001 ids: one IN-list of them would pass SQLite's 32,766 parameters
    facts = await service_delegates.month_facts(ctx, staff_ids=ids, month=FIRST)
    assert list(facts) == [me] and facts[me][0].fields == {"score": Decimal("80.00"), "count": 3}

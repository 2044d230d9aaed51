"""Small builders of inspection data, through the services (shared by every inspections test module).

scene = await make_visit(ctx, kind="undercover")            # lead, inspector, site, window, started visit
staff = await make_staff(ctx, window=scene.window)
finding = await log_finding(ctx, scene, staff_id=staff.id)   # a draft
await publish(ctx, scene, finding.id)                        # ends an undercover visit first
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx

from tests.factories import TestUser, login, make_staff, make_user, make_window
from window_staff.common.context import AppContext
from window_staff.common.principal import Principal
from window_staff.inspections import service
from window_staff.inspections.schemas.visits import FindingIn, FindingOut, VisitIn, VisitOut
from window_staff.inspections.service import review as service_review
from window_staff.org.schemas import StaffOut, WindowOut


def principal(user: TestUser, *roles: str) -> Principal:
    """The principal of a test user holding ``roles`` (what a session would resolve to)."""
    return Principal(user_id=user.id, username=user.username, roles=frozenset(roles), staff_id=user.staff_id)


def ensure_rules(ctx: AppContext) -> None:
    """Load the rules into a service-level context (the app's lifespan does it for ``app_ctx``)."""
    if "scoring.rules" not in ctx.resources:
        from window_staff.app import load_rules_at_start

        load_rules_at_start(ctx)


@dataclass
class Scene:
    """A visit with its lead, one inspector, and the window it covers."""

    visit: VisitOut
    window: WindowOut
    lead: TestUser
    inspector: TestUser

    @property
    def lead_p(self) -> Principal:
        """The lead as a principal."""
        return principal(self.lead, "inspection_lead")

    @property
    def inspector_p(self) -> Principal:
        """The inspector as a principal."""
        return principal(self.inspector, "inspector")


async def make_lead(ctx: AppContext) -> TestUser:
    """A user holding the inspection_lead role."""
    return await make_user(ctx, "inspection_lead")


async def make_inspector(ctx: AppContext) -> TestUser:
    """A user holding the inspector role."""
    return await make_user(ctx, "inspector")


async def make_visit(
    ctx: AppContext,
    *,
    kind: str = "open",
    window: WindowOut | None = None,
    inspector: TestUser | None = None,
    lead: TestUser | None = None,
    start: bool = True,
    planned_at: datetime | None = None,
) -> Scene:
    """A visit planned by a lead for one inspector at one window (new ones unless given); started unless ``start=False``."""
    ensure_rules(ctx)
    window = window or await make_window(ctx)
    lead = lead or await make_lead(ctx)
    inspector = inspector or await make_inspector(ctx)
    data = VisitIn(
        kind=kind, site_id=window.site_id, planned_at=planned_at or ctx.clock.now(), inspector_ids=[inspector.id], window_ids=[window.id]
    )  # type: ignore[arg-type]
    visit = await service.plan_visit(ctx, data, principal=principal(lead, "inspection_lead"))
    scene = Scene(visit=visit, window=window, lead=lead, inspector=inspector)
    if start:
        scene.visit = await service.move_visit(ctx, visit.id, action="start", principal=scene.inspector_p)
    return scene


async def make_inspected_staff(ctx: AppContext, scene: Scene) -> StaffOut:
    """A staff member posted at the scene's window."""
    return await make_staff(ctx, window=scene.window)


async def log_finding(
    ctx: AppContext,
    scene: Scene,
    *,
    staff_id: int | None = None,
    item: str = "badge_worn",
    severity: str = "minor",
    note: str = "",
    observed_at: datetime | None = None,
    window_id: int | None = None,
) -> FindingOut:
    """A draft finding logged by the scene's inspector (window-only unless ``staff_id``)."""
    data = FindingIn(
        window_id=window_id or scene.window.id,
        staff_id=staff_id,
        item=item,
        severity=severity,  # type: ignore[arg-type]
        observed_at=observed_at or ctx.clock.now(),
        note=note,
    )
    return await service.log_finding(ctx, scene.visit.id, data, principal=scene.inspector_p)


async def end_visit(ctx: AppContext, scene: Scene) -> None:
    """End the scene's visit when it is still in progress."""
    if scene.visit.status == "in_progress":
        scene.visit = await service.move_visit(ctx, scene.visit.id, action="end", principal=scene.inspector_p)


async def publish(ctx: AppContext, scene: Scene, finding_id: int) -> FindingOut:
    """The lead publishes a finding (an undercover visit is ended first, as the rule requires)."""
    if scene.visit.kind == "undercover":
        await end_visit(ctx, scene)
    return await service_review.publish_finding(ctx, finding_id, principal=scene.lead_p)


async def published_finding(
    ctx: AppContext, *, kind: str = "open", item: str = "badge_worn", severity: str = "minor"
) -> tuple[Scene, StaffOut, FindingOut]:
    """A new visit, a staff member at its window, and a published finding about them."""
    scene = await make_visit(ctx, kind=kind)
    staff = await make_inspected_staff(ctx, scene)
    finding = await log_finding(ctx, scene, staff_id=staff.id, item=item, severity=severity)
    return scene, staff, await publish(ctx, scene, finding.id)


async def headers_for(client: httpx.AsyncClient, ctx: AppContext, user: TestUser) -> dict[str, str]:
    """Log an existing test user in through the API (moves the clock past the TOTP step)."""
    headers = await login(client, ctx, user)
    ctx.clock.advance(seconds=30)  # type: ignore[attr-defined]
    return headers

"""Routes of delegate evaluations (作风监督评议): HR's delegates and campaigns, the delegate's form, the results.

Delegate routes take a delegate session (``Authorization: Bearer``), resolved apart from staff
sessions: a staff token is refused there, and a delegate token is refused everywhere else.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter

from window_staff.auth.errors import SessionInvalid
from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC, provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE
from window_staff.evaluations.schemas.delegates import (
    MONTH_PATTERN,
    CampaignBriefOut,
    CampaignIn,
    CampaignOut,
    CampaignResultsOut,
    DelegateCampaignOut,
    DelegateIn,
    DelegateOut,
    DelegateSessionOut,
    EvaluationIn,
    EvaluationReceiptOut,
    InvitationIn,
    InvitationIssuedOut,
    InvitationStatusOut,
    RedeemIn,
)
from window_staff.evaluations.service import campaigns as service_campaigns, delegates as service_delegates
from window_staff.evaluations.service.delegates import DelegateCaller

_deps = {"principal": Provide(provide_principal), "page": PAGE}
can_manage = roles("hr")
can_read = roles(*service_campaigns.READER_ROLES)
# Staff reach the results route too; the service scopes them to their own staff target.
can_read_results = roles(*service_campaigns.READER_ROLES, "staff")
_SCOPE_KEY = "delegate_caller"


async def delegate_of(connection: ASGIConnection) -> DelegateCaller:
    """The delegate behind the bearer token, resolved once per request (the header only: no cookie to ride along)."""
    cached = connection.scope.get(_SCOPE_KEY)
    if isinstance(cached, DelegateCaller):
        return cached
    header = connection.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not token:
        raise SessionInvalid()
    caller = await service_delegates.resolve_session(connection.app.state.ctx, token=token)
    connection.scope[_SCOPE_KEY] = caller  # type: ignore[literal-required]
    return caller


async def delegate_session(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: a valid, unexpired delegate session of an active delegate."""
    await delegate_of(connection)


async def provide_delegate(request: ASGIConnection) -> DelegateCaller:
    """Dependency: the delegate (the guard has already resolved it)."""
    return await delegate_of(request)


class DelegateAdminController(Controller):
    """HR keeps the list of invited evaluators."""

    path = "/api/v1/evaluations/delegates"
    tags = ["evaluations"]
    dependencies = _deps

    @post("", guards=[can_manage], request_max_body_size=4096)
    async def create_delegate(self, ctx: AppContext, principal: Principal, data: DelegateIn) -> DelegateOut:
        """Register a delegate (人大代表, 政协委员, 工商企业界人士 ...)."""
        return await service_campaigns.create_delegate(ctx, principal=principal, data=data)

    @get("", guards=[can_manage])
    async def list_delegates(self, ctx: AppContext, page: PageParams, active: bool | None = None) -> Page[DelegateOut]:
        """Delegates by name."""
        return await service_campaigns.list_delegates(ctx, params=page, active=active)

    @post("/{delegate_id:int}/deactivate", guards=[can_manage], status_code=200, request_max_body_size=1024)
    async def deactivate(self, ctx: AppContext, principal: Principal, delegate_id: int) -> DelegateOut:
        """Deactivate a delegate: their invitations and sessions stop working."""
        return await service_campaigns.deactivate_delegate(ctx, principal=principal, delegate_id=delegate_id)


class CampaignController(Controller):
    """Campaigns: HR creates, opens, closes and invites; HR, approvers and auditors read; staff read their own results."""

    path = "/api/v1/evaluations/campaigns"
    tags = ["evaluations"]
    dependencies = _deps

    @post("", guards=[can_manage], request_max_body_size=65536)
    async def create_campaign(self, ctx: AppContext, principal: Principal, data: CampaignIn) -> CampaignOut:
        """Create a draft campaign: month, dates, targets, form (default: the five "alike" dimensions)."""
        return await service_campaigns.create_campaign(ctx, principal=principal, data=data)

    @get("", guards=[can_read])
    async def list_campaigns(
        self, ctx: AppContext, page: PageParams, month: Annotated[str | None, Parameter(pattern=MONTH_PATTERN, required=False)] = None
    ) -> Page[CampaignBriefOut]:
        """Campaigns, newest first."""
        return await service_campaigns.list_campaigns(ctx, params=page, month=month)

    @get("/{campaign_id:int}", guards=[can_read])
    async def get_campaign(self, ctx: AppContext, campaign_id: int) -> CampaignOut:
        """One campaign with its form and targets."""
        return await service_campaigns.get_campaign(ctx, campaign_id=campaign_id)

    @post("/{campaign_id:int}/open", guards=[can_manage], status_code=200, request_max_body_size=1024)
    async def open_campaign(self, ctx: AppContext, principal: Principal, campaign_id: int) -> CampaignOut:
        """Open a draft campaign for evaluations."""
        return await service_campaigns.move_campaign(ctx, principal=principal, campaign_id=campaign_id, action="open")

    @post("/{campaign_id:int}/close", guards=[can_manage], status_code=200, request_max_body_size=1024)
    async def close_campaign(self, ctx: AppContext, principal: Principal, campaign_id: int) -> CampaignOut:
        """Close an open campaign."""
        return await service_campaigns.move_campaign(ctx, principal=principal, campaign_id=campaign_id, action="close")

    @post("/{campaign_id:int}/invitations", guards=[can_manage], request_max_body_size=1024)
    async def invite(self, ctx: AppContext, principal: Principal, campaign_id: int, data: InvitationIn) -> InvitationIssuedOut:
        """Invite a delegate: the link token and one-time code are in this response only."""
        return await service_campaigns.issue_invitation(ctx, principal=principal, campaign_id=campaign_id, data=data)

    @get("/{campaign_id:int}/invitations", guards=[can_manage])
    async def invitations(self, ctx: AppContext, campaign_id: int, page: PageParams) -> Page[InvitationStatusOut]:
        """Who was invited and how many targets each has answered (never what)."""
        return await service_campaigns.list_invitations(ctx, campaign_id=campaign_id, params=page)

    @get("/{campaign_id:int}/results", guards=[can_read_results])
    async def results(self, ctx: AppContext, principal: Principal, campaign_id: int) -> CampaignResultsOut:
        """Results per target, anonymous; below the policy's min_answers only the count."""
        return await service_campaigns.campaign_results(ctx, principal=principal, campaign_id=campaign_id)


class DelegateController(Controller):
    """The delegate's own routes: redeem the invitation, read the form, submit evaluations."""

    path = "/api/v1/delegate"
    tags = ["delegate"]
    dependencies = {"caller": Provide(provide_delegate)}

    # Public: the invitation's token and code are the credential (one answer for every failure).
    @post("/redeem", opt=PUBLIC, status_code=200, request_max_body_size=1024)
    async def redeem(self, ctx: AppContext, data: RedeemIn) -> DelegateSessionOut:
        """Trade the invitation's link token and one-time code for a short session."""
        return await service_delegates.redeem(ctx, data=data)

    @get("/campaign", guards=[delegate_session])
    async def campaign(self, ctx: AppContext, caller: DelegateCaller) -> DelegateCampaignOut:
        """The campaign's title, form and targets (with what the caller has already evaluated)."""
        return await service_delegates.delegate_campaign(ctx, caller=caller)

    @post("/evaluations", guards=[delegate_session], request_max_body_size=8192)
    async def evaluate(self, ctx: AppContext, caller: DelegateCaller, data: EvaluationIn) -> EvaluationReceiptOut:
        """Evaluate one target of the campaign (once per target)."""
        return await service_delegates.submit_evaluation(ctx, caller=caller, data=data)

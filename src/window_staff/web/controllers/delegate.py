"""Delegate pages (作风监督评议, phone first): redeem the invitation, evaluate the campaign's targets, thank-you.

Delegates have no staff account. These routes are public; the invitation's token and one-time code are the
credential, traded for a delegate session kept in its own cookie (HttpOnly, SameSite=strict, path /delegate)
that only these pages read. A missing or expired delegate session sends the visitor back to the start page.
"""

from __future__ import annotations

from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from window_staff.auth.errors import SessionInvalid
from window_staff.common.context import AppContext
from window_staff.common.csrf import SESSION_COOKIE_OPT
from window_staff.common.errors import DomainError
from window_staff.common.guards import PUBLIC
from window_staff.common.web import cookie_max_age, is_https
from window_staff.errors import status_of
from window_staff.evaluations.errors import AlreadyEvaluated, CampaignStateConflict, InvitationInvalid
from window_staff.evaluations.schemas.delegates import EvaluationIn, RedeemIn
from window_staff.evaluations.service import delegates as service_delegates
from window_staff.evaluations.service.delegates import DelegateCaller
from window_staff.web.i18n import add_words, lang_of, translator
from window_staff.web.pages import refusal_of, render

DELEGATE_COOKIE = "ws_delegate"
# Public (no staff session), run on the delegate's own session cookie: its forms carry that session's form token.
_DELEGATE_PAGE = {**PUBLIC, SESSION_COOKIE_OPT: DELEGATE_COOKIE}
COOKIE_PATH = "/delegate"
_FORM_LIMIT = 8192
_KINDS = ("staff", "window", "department")

add_words(
    {
        "dg.title": {"zh": "作风监督评议", "en": "Service conduct evaluation"},
        "dg.start_intro": {"zh": "请输入邀请短信或信函中的一次性验证码。", "en": "Enter the one-time code from your invitation."},
        "dg.code": {"zh": "一次性验证码", "en": "One-time code"},
        "dg.start": {"zh": "开始评议", "en": "Start"},
        "dg.no_token": {
            "zh": "邀请链接不完整，请使用邀请中的完整链接。",
            "en": "The invitation link is incomplete; use the full link from your invitation.",
        },
        "dg.invalid": {"zh": "邀请链接或验证码无效、已使用或已过期。", "en": "The invitation link or code is not valid, used or expired."},
        "dg.campaign_closed": {"zh": "本次评议当前不在开放时间内。", "en": "This evaluation is not open at the moment."},
        "dg.session_gone": {
            "zh": "评议会话已结束，请重新使用邀请链接进入。",
            "en": "Your evaluation session has ended; open your invitation link again.",
        },
        "dg.period": {"zh": "评议时间", "en": "Open"},
        "dg.intro": {
            "zh": "请对以下对象逐项评价（1 非常不满意 至 5 非常满意）。评价不记名，被评议人看不到您的身份。",
            "en": "Rate each target on every item (1 very dissatisfied to 5 very satisfied). Answers are anonymous.",
        },
        "dg.overall": {"zh": "总体评价", "en": "Overall"},
        "dg.comment": {"zh": "意见建议（选填）", "en": "Comments (optional)"},
        "dg.submit": {"zh": "提交评价", "en": "Submit"},
        "dg.done_badge": {"zh": "已评价", "en": "Done"},
        "dg.saved": {"zh": "已提交对“{label}”的评价。", "en": "Your evaluation of “{label}” was saved."},
        "dg.already": {"zh": "您已评价过该对象。", "en": "You have already evaluated this target."},
        "dg.incomplete": {"zh": "请为每一项和总体评价选择分值。", "en": "Choose a rating for every item and the overall rating."},
        "dg.all_done": {"zh": "全部对象均已评价，感谢参与！", "en": "Every target is done. Thank you!"},
        "dg.finish": {"zh": "完成", "en": "Finish"},
        "dg.thanks": {"zh": "感谢您参与作风监督评议！", "en": "Thank you for taking part!"},
        "dg.thanks_more": {"zh": "您的评价已保存。可以关闭此页面。", "en": "Your answers are saved. You may close this page."},
        "dg.scale.1": {"zh": "非常不满意", "en": "Very dissatisfied"},
        "dg.scale.2": {"zh": "不满意", "en": "Dissatisfied"},
        "dg.scale.3": {"zh": "基本满意", "en": "Fairly satisfied"},
        "dg.scale.4": {"zh": "满意", "en": "Satisfied"},
        "dg.scale.5": {"zh": "非常满意", "en": "Very satisfied"},
        "dg.kind.staff": {"zh": "工作人员", "en": "Staff member"},
        "dg.kind.window": {"zh": "窗口", "en": "Window"},
        "dg.kind.department": {"zh": "部门", "en": "Department"},
    }
)


async def _caller(ctx: AppContext, request: Request) -> DelegateCaller:
    token = request.cookies.get(DELEGATE_COOKIE)
    if not token:
        raise SessionInvalid()
    return await service_delegates.resolve_session(ctx, token=token)


def _back_to_start() -> Redirect:
    response = Redirect("/delegate/start?gone=1", status_code=303)
    response.delete_cookie(DELEGATE_COOKIE, path=COOKIE_PATH)
    return response


def _start_page(request: Request, *, token: str, message: str | None, status: int = 200) -> Template:
    return render(request, "delegate/start.html", principal=None, token=token, message=message, status=status)


async def _form_page(
    ctx: AppContext, request: Request, caller: DelegateCaller, *, message: str | None = None, notice: str | None = None, status: int = 200
) -> Template:
    campaign = await service_delegates.delegate_campaign(ctx, caller=caller)
    scale = list(range(campaign.form.scale_min, campaign.form.scale_max + 1))
    return render(
        request,
        "delegate/form.html",
        principal=None,
        campaign=campaign,
        scale=scale,
        message=message,
        notice=notice,
        status=status,
        all_done=all(t.evaluated for t in campaign.targets),
    )


class DelegatePagesController(Controller):
    """The delegate's pages: start with the invitation, evaluate, done."""

    include_in_schema = False

    @get("/delegate/start", opt=PUBLIC)
    async def start_form(self, request: Request) -> Template:
        """The code form; the link's token rides along in a hidden field."""
        words = translator(lang_of(request))
        token = request.query_params.get("token", "")
        message = words("dg.session_gone") if request.query_params.get("gone") else (None if token else words("dg.no_token"))
        return _start_page(request, token=token, message=message)

    @post("/delegate/start", opt=PUBLIC, request_max_body_size=_FORM_LIMIT)
    async def start(self, ctx: AppContext, request: Request) -> Response:
        """Redeem the invitation; the delegate session goes into its own cookie."""
        words = translator(lang_of(request))
        form = await request.form()
        token, code = str(form.get("token", "")).strip(), str(form.get("code", "")).strip()
        try:
            data = msgspec.convert({"token": token, "code": code}, RedeemIn)
            session = await service_delegates.redeem(ctx, data=data)
        except msgspec.ValidationError:
            return _start_page(request, token=token, message=words("dg.invalid"), status=401)
        except InvitationInvalid:
            return _start_page(request, token=token, message=words("dg.invalid"), status=401)
        except CampaignStateConflict:
            return _start_page(request, token=token, message=words("dg.campaign_closed"), status=409)
        except DomainError as exc:
            return _start_page(request, token=token, message=refusal_of(request, exc), status=status_of(exc))
        response = Redirect("/delegate", status_code=303)
        response.set_cookie(
            DELEGATE_COOKIE,
            session.token,
            httponly=True,
            samesite="strict",
            secure=is_https(request),
            max_age=cookie_max_age(session.expires_at, now=ctx.clock.now()),
            path=COOKIE_PATH,
        )
        return response

    @get("/delegate", opt=_DELEGATE_PAGE)
    async def form(self, ctx: AppContext, request: Request) -> Response:
        """The campaign's targets, each with its form, or marked done."""
        try:
            caller = await _caller(ctx, request)
        except SessionInvalid:
            return _back_to_start()
        words = translator(lang_of(request))
        saved = request.query_params.get("saved")
        return await _form_page(ctx, request, caller, notice=words("dg.saved").format(label=saved) if saved else None)

    @post("/delegate/evaluations/{kind:str}/{target_id:int}", opt=_DELEGATE_PAGE, request_max_body_size=_FORM_LIMIT)
    async def evaluate(self, ctx: AppContext, request: Request, kind: str, target_id: int) -> Response:
        """Submit one target's evaluation; back to the list (or the thank-you page when all are done)."""
        try:
            caller = await _caller(ctx, request)
        except SessionInvalid:
            return _back_to_start()
        words = translator(lang_of(request))
        form = await request.form()
        campaign = await service_delegates.delegate_campaign(ctx, caller=caller)
        try:
            scores = {d.code: int(str(form.get(f"score.{d.code}", ""))) for d in campaign.form.dimensions}
            data = msgspec.convert(
                {
                    "target_kind": kind,
                    "target_id": target_id,
                    "scores": scores,
                    "overall": int(str(form.get("overall", ""))),
                    "comment": str(form.get("comment", "")),
                },
                EvaluationIn,
            )
        except (ValueError, msgspec.ValidationError):
            return await _form_page(ctx, request, caller, message=words("dg.incomplete"), status=422)
        try:
            await service_delegates.submit_evaluation(ctx, caller=caller, data=data)
        except AlreadyEvaluated:
            return await _form_page(ctx, request, caller, message=words("dg.already"), status=409)
        except CampaignStateConflict:
            return await _form_page(ctx, request, caller, message=words("dg.campaign_closed"), status=409)
        except DomainError as exc:
            return await _form_page(ctx, request, caller, message=refusal_of(request, exc), status=status_of(exc))
        remaining = [t for t in campaign.targets if not t.evaluated and (t.kind, t.id) != (kind, target_id)]
        if not remaining:
            return Redirect("/delegate/done", status_code=303)
        label = next((t.label for t in campaign.targets if (t.kind, t.id) == (kind, target_id)), "")
        return Redirect(f"/delegate?saved={quote(label)}", status_code=303)

    @get("/delegate/done", opt=PUBLIC)
    async def done(self, request: Request) -> Template:
        """Thank you."""
        return render(request, "delegate/done.html", principal=None)

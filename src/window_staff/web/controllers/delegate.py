"""Delegate pages (作风监督评议, phone first): redeem the invitation, evaluate the campaign's targets, thank-you.

The targets are asked one at a time (第2/3项) with Back and Next; the answers already given ride along in hidden
fields of each step (nothing is stored before the last step's submit), so the pages work without script.

Delegates have no staff account. These routes are public; the invitation's token and one-time code are the
credential, traded for a delegate session kept in its own cookie (HttpOnly, SameSite=strict, path /delegate)
that only these pages read. A missing or expired delegate session sends the visitor back to the start page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
# A step carries every pending target's answers (comments included) back and forth.
_STEP_LIMIT = 256 * 1024
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
        "dg.submit": {"zh": "提交全部评价", "en": "Submit all"},
        "dg.progress": {"zh": "第{i}/{n}项", "en": "{i} of {n}"},
        "dg.back": {"zh": "上一项", "en": "Back"},
        "dg.next": {"zh": "下一项", "en": "Next"},
        "dg.submit_hint": {
            "zh": "这是最后一项。提交后全部评价一并保存，不能再修改。",
            "en": "This is the last one. Submitting saves every answer at once; they cannot be changed afterwards.",
        },
        "dg.step_incomplete": {
            "zh": "第{i}项尚未评完，请为每一项和总体评价选择分值。",
            "en": "Item {i} is not finished: choose a rating for every line.",
        },
        "dg.done_badge": {"zh": "已评价", "en": "Done"},
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


def _key(target: Any) -> str:
    return f"{target.kind}-{target.id}"


def _answers_of(form: Mapping[str, Any], targets: list[Any], codes: list[str], scale: list[int]) -> dict[str, dict[str, Any]]:
    """Each pending target's answers as posted (ratings outside the scale are dropped): {key: {code|overall: int, comment: str}}."""
    allowed = {str(v): v for v in scale}
    out: dict[str, dict[str, Any]] = {}
    for t in targets:
        key = _key(t)
        mine: dict[str, Any] = {}
        for code in [*codes, "overall"]:
            value = allowed.get(str(form.get(f"a.{key}.{code}", "")))
            if value is not None:
                mine[code] = value
        mine["comment"] = str(form.get(f"a.{key}.comment", ""))
        out[key] = mine
    return out


def _complete(answers: dict[str, Any], codes: list[str]) -> bool:
    return all(code in answers for code in [*codes, "overall"])


async def _form_page(
    ctx: AppContext,
    request: Request,
    caller: DelegateCaller,
    *,
    step: int = 0,
    answers: dict[str, dict[str, Any]] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Template:
    campaign = await service_delegates.delegate_campaign(ctx, caller=caller)
    scale = list(range(campaign.form.scale_min, campaign.form.scale_max + 1))
    pending = [t for t in campaign.targets if not t.evaluated]
    step = max(0, min(step, len(pending) - 1))
    return render(
        request,
        "delegate/form.html",
        principal=None,
        campaign=campaign,
        scale=scale,
        pending=pending,
        step=step,
        target=pending[step] if pending else None,
        answers=answers or {},
        key=_key,
        message=message,
        status=status,
        all_done=not pending,
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
        return await _form_page(ctx, request, caller)

    @post("/delegate/steps", opt=_DELEGATE_PAGE, request_max_body_size=_STEP_LIMIT)
    async def step(self, ctx: AppContext, request: Request) -> Response:
        """Back, Next (the current target must be complete) or, on the last step, submit every pending target's evaluation."""
        try:
            caller = await _caller(ctx, request)
        except SessionInvalid:
            return _back_to_start()
        words = translator(lang_of(request))
        form = await request.form()
        campaign = await service_delegates.delegate_campaign(ctx, caller=caller)
        pending = [t for t in campaign.targets if not t.evaluated]
        if not pending:
            return Redirect("/delegate/done", status_code=303)
        codes = [d.code for d in campaign.form.dimensions]
        answers = _answers_of(form, pending, codes, list(range(campaign.form.scale_min, campaign.form.scale_max + 1)))
        current = str(form.get("step", "0"))
        step = max(0, min(int(current) if current.isdigit() else 0, len(pending) - 1))
        go = str(form.get("go", "next"))
        if go == "back":
            return await _form_page(ctx, request, caller, step=step - 1, answers=answers)
        if not _complete(answers[_key(pending[step])], codes):
            message = words("dg.step_incomplete").format(i=step + 1)
            return await _form_page(ctx, request, caller, step=step, answers=answers, message=message, status=422)
        if go != "submit" or step < len(pending) - 1:
            return await _form_page(ctx, request, caller, step=step + 1, answers=answers)
        missing = next((i for i, t in enumerate(pending) if not _complete(answers[_key(t)], codes)), None)
        if missing is not None:
            message = words("dg.step_incomplete").format(i=missing + 1)
            return await _form_page(ctx, request, caller, step=missing, answers=answers, message=message, status=422)
        for t in pending:
            mine = answers[_key(t)]
            try:
                data = msgspec.convert(
                    {
                        "target_kind": t.kind,
                        "target_id": t.id,
                        "scores": {code: mine[code] for code in codes},
                        "overall": mine["overall"],
                        "comment": mine["comment"],
                    },
                    EvaluationIn,
                )
                await service_delegates.submit_evaluation(ctx, caller=caller, data=data)
            except AlreadyEvaluated:
                continue  # a second tab submitted it first: the stored one stands
            except msgspec.ValidationError:
                return await _form_page(ctx, request, caller, step=step, answers=answers, message=words("dg.incomplete"), status=422)
            except CampaignStateConflict:
                return await _form_page(ctx, request, caller, step=step, answers=answers, message=words("dg.campaign_closed"), status=409)
            except DomainError as exc:
                return await _form_page(
                    ctx, request, caller, step=step, answers=answers, message=refusal_of(request, exc), status=status_of(exc)
                )
        return Redirect("/delegate/done", status_code=303)

    @get("/delegate/done", opt=PUBLIC)
    async def done(self, request: Request) -> Template:
        """Thank you."""
        return render(request, "delegate/done.html", principal=None)

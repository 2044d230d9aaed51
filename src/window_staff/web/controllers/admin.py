"""The administrator's page: users and roles, terminals, the audit chain's state, the non-secret settings."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.auth import service as auth_service
from window_staff.auth.domain import ROLES
from window_staff.auth.schemas import UserCreateIn, UserUpdateIn
from window_staff.common import audit
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.errors import status_of
from window_staff.org import service as org
from window_staff.settings import Settings
from window_staff.terminals import service as terminals
from window_staff.web.confirm import confirmed
from window_staff.web.i18n import add_words, lang_of, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

add_words(
    {
        "admin.users": {"zh": "用户", "en": "Users"},
        "admin.roles": {"zh": "角色", "en": "Roles"},
        "admin.display_name": {"zh": "姓名", "en": "Display name"},
        "admin.active": {"zh": "启用", "en": "Active"},
        "admin.inactive": {"zh": "停用", "en": "Disabled"},
        "admin.mfa": {"zh": "动态验证码", "en": "Authenticator"},
        "admin.yes": {"zh": "是", "en": "yes"},
        "admin.no": {"zh": "否", "en": "no"},
        "admin.create_user": {"zh": "新建用户", "en": "Create a user"},
        "admin.create": {"zh": "创建", "en": "Create"},
        "admin.created": {"zh": "已创建用户", "en": "User created"},
        "admin.totp_once": {
            "zh": "请立即将此地址录入身份验证器（只显示一次）",
            "en": "Enter this in the authenticator app now (shown once)",
        },
        "admin.terminals": {"zh": "签到终端", "en": "Terminals"},
        "admin.no_terminals": {"zh": "暂无终端", "en": "No terminals"},
        "admin.serial": {"zh": "序列号", "en": "Serial"},
        "admin.name": {"zh": "名称", "en": "Name"},
        "admin.status": {"zh": "状态", "en": "Status"},
        "admin.approve": {"zh": "批准", "en": "Approve"},
        "admin.revoke": {"zh": "吊销", "en": "Revoke"},
        "admin.audit": {"zh": "审计链", "en": "Audit chain"},
        "admin.audit_ok": {"zh": "完整", "en": "OK"},
        "admin.audit_events": {"zh": "条事件已校验", "en": "events checked"},
        "admin.audit_broken": {"zh": "审计链断裂，首个异常记录", "en": "The chain is broken at row"},
        "admin.settings": {"zh": "系统设置（只读）", "en": "Settings (read-only)"},
        "admin.setting": {"zh": "设置项", "en": "Setting"},
        "admin.value": {"zh": "值", "en": "Value"},
        "admin.done": {"zh": "已完成", "en": "Done"},
        "admin.role.staff": {"zh": "窗口人员", "en": "Staff"},
        "admin.role.inspector": {"zh": "检查员", "en": "Inspector"},
        "admin.role.inspection_lead": {"zh": "检查负责人", "en": "Inspection lead"},
        "admin.role.hr": {"zh": "人事", "en": "HR"},
        "admin.role.approver": {"zh": "审批人", "en": "Approver"},
        "admin.role.delegate": {"zh": "评议代表", "en": "Delegate"},
        "admin.role.auditor": {"zh": "审计", "en": "Auditor"},
        "admin.role.admin": {"zh": "管理员", "en": "Administrator"},
        "admin.edit_user": {"zh": "修改用户", "en": "Edit user"},
        "admin.save": {"zh": "保存", "en": "Save"},
        "admin.staff_link": {"zh": "对应的工作人员", "en": "Staff member of this account"},
        "admin.staff_link_hint": {
            "zh": "工作人员登录后查看本人考勤、考核和消息，须先将账号与其人员信息关联。填写工号后保存；清空工号则解除关联。",
            "en": "A staff member sees their own attendance, appraisal and messages only once the account is linked to their record. "
            "Enter the employee no. and save; clear it to unlink.",
        },
        "admin.staff_none": {"zh": "尚未关联工作人员", "en": "Not linked to a staff member"},
        "admin.staff_employee_no": {"zh": "工号", "en": "Employee no."},
        "admin.staff_linked": {"zh": "已关联工作人员", "en": "Staff member linked"},
        "admin.staff_unlinked": {"zh": "已解除关联", "en": "Link removed"},
        "admin.staff_unknown": {"zh": "没有此工号的人员", "en": "No staff member has this employee number"},
        "admin.saved": {"zh": "已保存", "en": "Saved"},
        "admin.active_hint": {"zh": "停用后该用户的所有会话立即结束", "en": "Disabling ends all of the user's sessions at once"},
        "admin.activate": {"zh": "启用该用户", "en": "Enable the user"},
        "admin.deactivate": {"zh": "停用该用户", "en": "Disable the user"},
        "admin.totp_reset": {"zh": "重置动态验证码", "en": "Reset the authenticator"},
        "admin.totp_reset_hint": {
            "zh": "旧验证码立即失效，该用户所有会话结束",
            "en": "The old authenticator stops working and the user's sessions end",
        },
        "admin.totp_was_reset": {"zh": "动态验证码已重置", "en": "The authenticator was reset"},
        "admin.reset_link": {"zh": "发放密码重置链接", "en": "Issue a password-reset link"},
        "admin.reset_link_hint": {
            "zh": "链接24小时内有效、仅可使用一次；请当面或通过可信渠道交给本人。用户设置新密码后，其所有登录将退出。",
            "en": "The link works once within 24 hours; hand it to the person directly. Setting a new password ends all their sessions.",
        },
        "admin.reset_link_once": {"zh": "重置链接（只显示这一次）：", "en": "Reset link (shown this once):"},
        "admin.back": {"zh": "返回系统管理", "en": "Back to administration"},
        "admin.tstatus.pending": {"zh": "待批准", "en": "Awaiting approval"},
        "admin.tstatus.approved": {"zh": "已批准", "en": "Approved"},
        "admin.tstatus.revoked": {"zh": "已吊销", "en": "Revoked"},
    }
)

_LIST = PageParams(limit=200, offset=0)
_FORM_LIMIT = 16_384
# Shown on the page; never the vault key, key files, the database URL (it may hold a password) or the public URL's secrets.
# The settings the administrator sees, in words (the README lists the WINDOW_STAFF_* variable behind each).
_SHOWN: dict[str, tuple[str, str]] = {
    "database_engine": ("数据库类型", "Database"),
    "data_dir": ("数据目录", "Data folder"),
    "rules_dir": ("考核规则目录", "Rules folder"),
    "host": ("监听地址", "Listening address"),
    "port": ("端口", "Port"),
    "session_ttl_hours": ("登录有效期（小时）", "Session length (hours)"),
    "login_max_failures": ("登录失败次数上限", "Failed logins before waiting"),
    "login_window_seconds": ("登录失败计数时段（秒）", "Failed-login window (seconds)"),
    "page_size_max": ("每页最多条数", "Most rows per page"),
    "body_limit_bytes": ("请求大小上限（字节）", "Largest request (bytes)"),
    "upload_limit_bytes": ("上传文件大小上限（字节）", "Largest upload (bytes)"),
    "target_far": ("目标误识率", "Target false-accept rate"),
    "biometric_calibration": ("生物识别校准文件", "Biometric calibration file"),
    "match_policy": ("比对方式", "Matching policy"),
    "fingerprint_extractor": ("指纹特征提取方式", "Fingerprint minutiae extractor"),
    "face_image_limit_bytes": ("人脸照片大小上限（字节）", "Largest face photo (bytes)"),
    "face_max_pixels": ("人脸照片像素上限", "Most pixels of a face photo"),
    "face_max_decoded_pixels": ("人脸照片解码像素上限", "Most decoded pixels of a face photo"),
    "face_working_px": ("人脸处理尺寸（像素）", "Face working size (pixels)"),
    "face_min_px": ("人脸最小尺寸（像素）", "Smallest face (pixels)"),
    "fingerprint_min_cylinders": ("指纹最少有效区域数", "Fewest usable fingerprint regions"),
    "face_max_templates": ("每人人脸模板上限", "Face templates per person"),
    "fingerprint_max_templates": ("每人指纹模板上限", "Fingerprint templates per person"),
    "face_enrol_photos": ("人脸采集照片数", "Face photos at enrolment"),
    "fingerprint_enrol_fingers": ("指纹采集手指数", "Fingers at enrolment"),
    "fingerprint_enrol_impressions": ("每指采集次数", "Impressions per finger"),
    "demo": ("演示模式", "Demo mode"),
}


def visible_settings(settings: Settings, *, lang: str) -> list[tuple[str, str]]:
    """The non-secret settings as (name in words, value): the database engine's kind, paths, limits and thresholds."""
    url = settings.resolved_database_url
    kind = url.split(":", 1)[0].split("+", 1)[0] if ":" in url else "unknown"
    values: dict[str, object] = {"database_engine": {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(kind, kind)}
    values.update((name, getattr(settings, name)) for name in _SHOWN if hasattr(settings, name))
    en = lang == "en"
    rows = []
    for name, value in values.items():
        shown = ("Yes" if en else "是") if value is True else ("No" if en else "否") if value is False else str(value)
        rows.append((_SHOWN[name][1 if en else 0], shown))
    return rows


class AdminPages(Controller):
    """Users, terminals, audit chain and settings for the administrator."""

    include_in_schema = False
    path = "/app/admin"

    async def _page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        *,
        message: str | None = None,
        notice: str | None = None,
        totp_uri: str | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        users = (await auth_service.list_users(ctx, _LIST)).items
        terms = (await terminals.list_terminals(ctx, _LIST)).items
        chain = await audit.verify(ctx.engine)
        return render(
            request,
            "admin/index.html",
            principal=principal,
            status=status,
            users=users,
            terminals=terms,
            chain=chain,
            settings_rows=visible_settings(ctx.settings, lang=lang_of(request)),
            roles=ROLES,
            message=message,
            notice=notice,
            totp_uri=totp_uri,
            form=form or {},
            confirm=request.query_params.get("confirm"),
        )

    @get("", guards=[page_roles("admin")], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """The administration page."""
        notice = "admin.done" if request.query_params.get("done") else None
        return await self._page(ctx, request, await principal_of(request), notice=notice)

    @post("/users", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def create_user(self, ctx: AppContext, request: Request) -> Template:
        """Create a user; the page shows the TOTP address once (so it is rendered here, not redirected)."""
        principal = await principal_of(request)
        form = await request.form()
        values = {
            "username": str(form.get("username", "")).strip(),
            "display_name": str(form.get("display_name", "")).strip(),
            "roles": [str(r) for r in form.getall("roles", [])],
        }
        try:
            data = _user_in(values, password=str(form.get("password", "")))
            user, uri = await auth_service.create_user(ctx, data, actor=principal.actor)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=422, form=values)
        return await self._page(ctx, request, principal, notice="admin.created", totp_uri=uri, form={"created": user.username})

    async def _user_page(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        user_id: int,
        *,
        message: str | None = None,
        notice: str | None = None,
        totp_uri: str | None = None,
        reset_url: str | None = None,
        status: int = 200,
    ) -> Template:
        user = await auth_service.get_user(ctx, user_id)
        linked = (await org.staff_labels([user.staff_id])).get(user.staff_id) if user.staff_id is not None else None
        return render(
            request,
            "admin/user.html",
            principal=principal,
            status=status,
            user=user,
            linked=linked,
            roles=ROLES,
            message=message,
            notice=notice,
            totp_uri=totp_uri,
            reset_url=reset_url,
            confirm=request.query_params.get("confirm"),
        )

    @get("/users/{user_id:int}", guards=[page_roles("admin")], opt=PAGE)
    async def user(self, ctx: AppContext, request: Request, user_id: int) -> Template:
        """One user: display name, roles, active; reset the authenticator."""
        done = request.query_params.get("done")
        notice = {"linked": "admin.staff_linked", "unlinked": "admin.staff_unlinked"}.get(done or "", "admin.saved") if done else None
        return await self._user_page(ctx, request, await principal_of(request), user_id, notice=notice)

    @post("/users/{user_id:int}", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def update_user(self, ctx: AppContext, request: Request, user_id: int) -> Template | Redirect:
        """Change a user's display name, roles or activity (disabling ends their sessions)."""
        principal = await principal_of(request)
        try:
            await auth_service.update_user(
                ctx, user_id, _user_update_in(await request.form()), actor=principal.actor, actor_user_id=principal.user_id
            )
        except DomainError as exc:
            return await self._user_page(ctx, request, principal, user_id, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/admin/users/{user_id}?done=1", status_code=303)

    @post("/users/{user_id:int}/staff", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def link_staff(self, ctx: AppContext, request: Request, user_id: int) -> Template | Redirect:
        """Link the account to the staff member with this employee number (an empty one unlinks it)."""
        principal = await principal_of(request)
        employee_no = str((await request.form()).get("employee_no", "")).strip()[:32]
        staff_id = (await org.staff_ids_by_employee_no([employee_no])).get(employee_no) if employee_no else None
        if employee_no and staff_id is None:
            words = translator(lang_of(request))
            return await self._user_page(ctx, request, principal, user_id, message=words("admin.staff_unknown"), status=422)
        try:
            await auth_service.link_staff(ctx, user_id, staff_id=staff_id, actor=principal.actor)
        except DomainError as exc:
            return await self._user_page(ctx, request, principal, user_id, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/admin/users/{user_id}?done={'linked' if staff_id else 'unlinked'}", status_code=303)

    @post(
        ["/users/{user_id:int}/activate", "/users/{user_id:int}/deactivate"],
        guards=[page_roles("admin")],
        opt=PAGE,
        request_max_body_size=_FORM_LIMIT,
    )
    async def set_active(self, ctx: AppContext, request: Request, user_id: int) -> Template | Redirect:
        """Enable a user, or disable them from the confirmation step (their sessions end at once)."""
        change = request.url.path.rsplit("/", 1)[-1]
        if change == "deactivate" and not confirmed(await request.form()):
            return Redirect(f"/app/admin/users/{user_id}?confirm=deactivate#confirm-deactivate", status_code=303)
        principal = await principal_of(request)
        try:
            await auth_service.update_user(
                ctx, user_id, UserUpdateIn(active=change == "activate"), actor=principal.actor, actor_user_id=principal.user_id
            )
        except DomainError as exc:
            return await self._user_page(ctx, request, principal, user_id, message=refusal_of(request, exc), status=status_of(exc))
        return Redirect(f"/app/admin/users/{user_id}?done=1", status_code=303)

    @post("/users/{user_id:int}/totp-reset", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def reset_totp(self, ctx: AppContext, request: Request, user_id: int) -> Template | Redirect:
        """A new authenticator secret from the confirmation step, shown once on this page (so it is rendered here, not redirected)."""
        if not confirmed(await request.form()):
            return Redirect(f"/app/admin/users/{user_id}?confirm=totp-reset#confirm-totp-reset", status_code=303)
        principal = await principal_of(request)
        uri = await auth_service.reset_totp(ctx, user_id, actor=principal.actor)
        return await self._user_page(ctx, request, principal, user_id, notice="admin.totp_was_reset", totp_uri=uri)

    @post("/users/{user_id:int}/password-reset", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def issue_password_reset(self, ctx: AppContext, request: Request, user_id: int) -> Template | Redirect:
        """A one-time password-reset link from the confirmation step, shown once on this page for the administrator to hand over."""
        if not confirmed(await request.form()):
            return Redirect(f"/app/admin/users/{user_id}?confirm=password-reset#confirm-password-reset", status_code=303)
        principal = await principal_of(request)
        issued = await auth_service.issue_reset(ctx, user_id, actor=principal.actor)
        return await self._user_page(ctx, request, principal, user_id, reset_url=issued.url)

    @post("/terminals/{terminal_id:int}/approve", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def approve(self, ctx: AppContext, request: Request, terminal_id: int) -> Template | Redirect:
        """Approve a registered terminal."""
        principal = await principal_of(request)
        try:
            await terminals.approve(ctx, terminal_id, actor=principal.actor)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=409)
        return Redirect("/app/admin?done=1", status_code=303)

    @post("/terminals/{terminal_id:int}/revoke", guards=[page_roles("admin")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def revoke(self, ctx: AppContext, request: Request, terminal_id: int) -> Template | Redirect:
        """Revoke a terminal from its confirmation step (a revoked terminal stays revoked)."""
        if not confirmed(await request.form()):
            return Redirect(f"/app/admin?confirm=revoke-{terminal_id}#confirm-revoke-{terminal_id}", status_code=303)
        principal = await principal_of(request)
        try:
            await terminals.revoke(ctx, terminal_id, actor=principal.actor)
        except DomainError as exc:
            return await self._page(ctx, request, principal, message=refusal_of(request, exc), status=409)
        return Redirect("/app/admin?done=1", status_code=303)


def _user_update_in(form: Any) -> UserUpdateIn:
    """The edit form as the API's update input: name and roles (enabling and disabling have their own steps)."""
    try:
        return msgspec.convert(
            {"display_name": str(form.get("display_name", "")).strip(), "roles": [str(r) for r in form.getall("roles", [])]},
            UserUpdateIn,
        )
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), code="user_input_invalid") from None


def _user_in(values: dict[str, Any], *, password: str) -> UserCreateIn:
    """The form as the API's input, validated by the same schema (a refusal is a DomainError with the reason)."""
    try:
        return msgspec.convert(
            {"username": values["username"], "password": password, "display_name": values["display_name"], "roles": values["roles"]},
            UserCreateIn,
        )
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), code="user_input_invalid") from None

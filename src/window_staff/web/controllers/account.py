"""One's own password: change it (current password, and a code for accounts with a second factor); set a new one through a reset link."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Template

from window_staff.auth import service as auth
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError
from window_staff.common.guards import PUBLIC, principal_of
from window_staff.common.web import client_ip
from window_staff.errors import status_of
from window_staff.web.i18n import add_words, lang_of, translator
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

_FORM_LIMIT = 4096

add_words(
    {
        "pw.change": {"zh": "修改密码", "en": "Change password"},
        "pw.reset": {"zh": "重置密码", "en": "Reset password"},
        "pw.old": {"zh": "当前密码", "en": "Current password"},
        "pw.new": {"zh": "新密码（至少10位）", "en": "New password (at least 10 characters)"},
        "pw.again": {"zh": "再次输入新密码", "en": "New password again"},
        "pw.totp": {"zh": "动态验证码", "en": "Authenticator code"},
        "pw.mismatch": {"zh": "两次输入的新密码不一致", "en": "The two new passwords differ"},
        "pw.changed": {"zh": "密码已修改，其他设备上的登录已退出。", "en": "Password changed; your other sessions have ended."},
        "pw.was_reset": {"zh": "密码已重置，请用新密码登录。", "en": "Password reset; log in with the new password."},
    }
)


class AccountPages(Controller):
    """The password pages."""

    include_in_schema = False

    @get("/app/password", guards=[page_roles()], opt=PAGE)
    async def change_form(self, ctx: AppContext, request: Request) -> Template:
        """The form to change one's own password."""
        principal = await principal_of(request)
        me = await auth.get_me(ctx, principal)
        return render(request, "web/password_change.html", principal=principal, mfa=me.mfa, message=None, done=False)

    @post("/app/password", guards=[page_roles()], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def change(self, ctx: AppContext, request: Request) -> Template:
        """Change the password; the form again with the reason when refused."""
        principal = await principal_of(request)
        me = await auth.get_me(ctx, principal)
        form = await request.form()
        new, again = str(form.get("new_password", "")), str(form.get("new_password_again", ""))
        words = translator(lang_of(request))
        if new != again:
            return render(
                request, "web/password_change.html", principal=principal, mfa=me.mfa, message=words("pw.mismatch"), status=422, done=False
            )
        try:
            await auth.change_password(
                ctx,
                principal,
                old=str(form.get("old_password", "")),
                new=new,
                totp=str(form.get("totp", "")).strip() or None,
                ip=client_ip(request),
            )
        except DomainError as exc:
            message = refusal_of(request, exc)
            return render(
                request, "web/password_change.html", principal=principal, mfa=me.mfa, message=message, status=status_of(exc), done=False
            )
        return render(request, "web/password_change.html", principal=principal, mfa=me.mfa, message=words("pw.changed"), done=True)

    @get("/password-reset", opt=PUBLIC)
    async def reset_form(self, ctx: AppContext, request: Request) -> Template:
        """The form behind a reset link (or why the link does not work)."""
        token = request.query_params.get("token", "")
        try:
            await auth.check_reset(ctx, token)
        except DomainError as exc:
            return render(
                request, "web/password_reset.html", principal=None, token="", message=refusal_of(request, exc), status=404, done=True
            )
        return render(request, "web/password_reset.html", principal=None, token=token, message=None, done=False)

    @post("/password-reset", opt=PUBLIC, request_max_body_size=_FORM_LIMIT)
    async def reset(self, ctx: AppContext, request: Request) -> Template:
        """Set the new password through the link; every session of the account ends."""
        form = await request.form()
        token = str(form.get("token", ""))
        new, again = str(form.get("new_password", "")), str(form.get("new_password_again", ""))
        words = translator(lang_of(request))
        if new != again:
            return render(
                request, "web/password_reset.html", principal=None, token=token, message=words("pw.mismatch"), status=422, done=False
            )
        try:
            await auth.reset_password(ctx, token, new=new, ip=client_ip(request))
        except DomainError as exc:
            done = exc.code == "reset_link_invalid"
            return render(
                request,
                "web/password_reset.html",
                principal=None,
                token=token,
                message=refusal_of(request, exc),
                status=status_of(exc),
                done=done,
            )
        return render(request, "web/password_reset.html", principal=None, token="", message=words("pw.was_reset"), done=True)

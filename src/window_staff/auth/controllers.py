"""Auth and user-administration routes."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import Provide

from window_staff.auth import service
from window_staff.auth.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetIssuedOut,
    StaffLinkIn,
    TotpResetOut,
    UserCreatedOut,
    UserCreateIn,
    UserOut,
    UserUpdateIn,
)
from window_staff.common.context import AppContext
from window_staff.common.guards import PUBLIC, SESSION_COOKIE, authenticated, provide_principal, roles
from window_staff.common.pagination import Page, PageParams
from window_staff.common.principal import Principal
from window_staff.common.web import PAGE, client_ip, cookie_max_age, is_https


class AuthController(Controller):
    """Log in, log out, who am I."""

    path = "/api/v1/auth"
    tags = ["auth"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/login", opt=PUBLIC, request_max_body_size=4096)
    async def login(self, ctx: AppContext, request: Request, data: LoginIn) -> Response[LoginOut]:
        """Open a session: password, plus a TOTP code for accounts with a second factor."""
        token, expires, me = await service.login(ctx, username=data.username, password=data.password, totp=data.totp, ip=client_ip(request))
        response = Response(LoginOut(token=token, expires_at=expires, user=me), status_code=200)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=is_https(request),
            max_age=cookie_max_age(expires, now=ctx.clock.now()),
            path="/",
        )
        return response

    @post("/logout", guards=[authenticated], status_code=204)
    async def logout(self, ctx: AppContext, principal: Principal) -> Response[None]:
        """End this session."""
        await service.logout(ctx, principal)
        response: Response[None] = Response(None, status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @post("/password", guards=[authenticated], status_code=204, request_max_body_size=4096)
    async def change_password(self, ctx: AppContext, request: Request, principal: Principal, data: PasswordChangeIn) -> None:
        """Change one's own password: the current one, plus a fresh code for accounts with a second factor; other sessions end."""
        await service.change_password(ctx, principal, old=data.old_password, new=data.new_password, totp=data.totp, ip=client_ip(request))

    @post("/password-reset", opt=PUBLIC, status_code=204, request_max_body_size=4096)
    async def reset_password(self, ctx: AppContext, request: Request, data: PasswordResetIn) -> None:
        """Set a new password through a one-time reset link; every session of the account ends."""
        await service.reset_password(ctx, data.token, new=data.new_password, ip=client_ip(request))

    @get("/me", guards=[authenticated])
    async def me(self, ctx: AppContext, principal: Principal) -> MeOut:
        """The logged-in user."""
        return await service.get_me(ctx, principal)


class UserController(Controller):
    """User administration (admin only)."""

    path = "/api/v1/users"
    tags = ["users"]
    guards = [roles("admin")]
    dependencies = {"principal": Provide(provide_principal), "page": PAGE}

    @get("/")
    async def list_users(self, ctx: AppContext, page: PageParams) -> Page[UserOut]:
        """All users."""
        return await service.list_users(ctx, page)

    @post("/", request_max_body_size=8192)
    async def create_user(self, ctx: AppContext, principal: Principal, data: UserCreateIn) -> UserCreatedOut:
        """Create a user; the TOTP URI is returned once when the roles need it."""
        user, uri = await service.create_user(ctx, data, actor=principal.actor)
        return UserCreatedOut(user=user, totp_uri=uri)

    @get("/{user_id:int}")
    async def get_user(self, ctx: AppContext, user_id: int) -> UserOut:
        """One user."""
        return await service.get_user(ctx, user_id)

    @patch("/{user_id:int}", request_max_body_size=8192)
    async def update_user(self, ctx: AppContext, principal: Principal, user_id: int, data: UserUpdateIn) -> UserOut:
        """Change roles, name or activity; disabling ends every session of the user."""
        return await service.update_user(ctx, user_id, data, actor=principal.actor, actor_user_id=principal.user_id)

    @put("/{user_id:int}/staff", request_max_body_size=1024)
    async def link_staff(self, ctx: AppContext, principal: Principal, user_id: int, data: StaffLinkIn) -> UserOut:
        """Link the account to a staff record (``{"staff_id": null}`` unlinks it); one active account per person."""
        return await service.link_staff(ctx, user_id, staff_id=data.staff_id, actor=principal.actor)

    @post("/{user_id:int}/password-reset", status_code=201, request_max_body_size=1024)
    async def issue_password_reset(self, ctx: AppContext, principal: Principal, user_id: int) -> PasswordResetIssuedOut:
        """Issue a one-time password-reset link (24 h) to hand to the user; earlier unused links stop working."""
        return await service.issue_reset(ctx, user_id, actor=principal.actor)

    @post("/{user_id:int}/totp-reset", status_code=200)
    async def reset_totp(self, ctx: AppContext, principal: Principal, user_id: int) -> TotpResetOut:
        """Issue a new TOTP secret (shown once) and end the user's sessions."""
        return TotpResetOut(totp_uri=await service.reset_totp(ctx, user_id, actor=principal.actor))

"""Links handed to people outside the centre (a delegate's invitation, a window's rating code) as absolute addresses."""

from __future__ import annotations

from litestar import Request


def public_link(request: Request, path: str) -> tuple[str, bool]:
    """``WINDOW_STAFF_PUBLIC_URL`` + path, and True; without that setting this page's own origin + path, and False
    (the page then says the printed address is the one HR reached, so a code made on an internal address is noticed)."""
    public = request.app.state.ctx.settings.public_url.rstrip("/")
    if public:
        return f"{public}{path}", True
    return f"{str(request.base_url).rstrip('/')}{path}", False

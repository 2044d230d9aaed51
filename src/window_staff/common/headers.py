"""Security headers every answer carries unless its route set its own (pages set theirs in ``web.pages``).

- ``X-Content-Type-Options: nosniff`` on everything: a JSON body or an uploaded photo is never sniffed into HTML.
- ``Cache-Control: no-store`` on the API (``/api/``): answers hold personal data and must not sit in a shared
  or browser cache. A route that says otherwise (evidence photos: ``private, no-store``) keeps its own.
Static files keep their caching (they hold no personal data).
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/api/"


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    """Add nosniff to every HTTP answer and no-store to API answers, where the route has not set them."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        api = scope.get("path", "").startswith(API_PREFIX)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware

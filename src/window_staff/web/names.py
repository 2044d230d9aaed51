"""Who did something, in people's words: the audit trail's actors (``user:7:zhangmin``, ``terminal:WS-01``, ``system``).

Records name their actor as the audit chain does; pages show the person's display name instead, or what kind of
actor it was (系统, 考勤终端, 群众评价…). Display names are kept per process and read again at most once a minute
(page guards refresh them before a page is built, because templates cannot wait on the database).
"""

from __future__ import annotations

import re
import time
from typing import Any

from window_staff.auth import service as auth
from window_staff.common.context import AppContext
from window_staff.web.i18n import add_words, translator

REFRESH_SECONDS = 60.0
NAMES = "web.user_names"
_USER = re.compile(r"^user:(\d+)(?::.*)?$")

add_words(
    {
        "actor.system": {"zh": "系统", "en": "System"},
        "actor.terminal": {"zh": "考勤终端", "en": "Attendance terminal"},
        "actor.citizen": {"zh": "办事群众", "en": "Citizen"},
        "actor.delegate": {"zh": "特邀评议代表", "en": "Invited delegate"},
        "actor.unknown_user": {"zh": "已删除的用户", "en": "A removed user"},
    }
)

# The kind before the colon, as the services write it, and the words for it.
_KINDS = {"system": "actor.system", "cli": "actor.system", "leader": "actor.system", "terminal": "actor.terminal"}
_KINDS |= {"citizen": "actor.citizen", "delegate": "actor.delegate"}


class NameBook:
    """Users' display names by id, as of the last refresh."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.loaded_at = float("-inf")

    async def refresh(self, *, force: bool = False) -> None:
        """Read the names again when they are older than a minute (or when ``force``)."""
        if force or time.monotonic() - self.loaded_at > REFRESH_SECONDS:
            self.names = await auth.user_names()
            self.loaded_at = time.monotonic()

    def who(self, actor: str | None, lang: str) -> str:
        """The actor in words: a person's display name, or the kind of actor it was."""
        if not actor:
            return ""
        words = translator(lang)
        if match := _USER.match(actor):
            return self.names.get(int(match.group(1))) or words("actor.unknown_user")
        return words(_KINDS.get(actor.split(":", 1)[0], "actor.system"))


def name_book(ctx: AppContext) -> NameBook:
    """The process's name book."""
    book = ctx.resources.get(NAMES)
    if book is None:
        book = ctx.resources[NAMES] = NameBook()
    return book


def who(context: Any, actor: str | None) -> str:
    """Template callable ``{{ who(actor) }}``: the actor in the page's language."""
    request = context.get("request")
    ctx = request.app.state.ctx if request is not None else None
    book = name_book(ctx) if ctx is not None else NameBook()
    return book.who(actor, context.get("lang", "zh"))

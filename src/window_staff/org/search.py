"""Finding people as HR types them: part of a name, pinyin initials (``wl`` finds 王磊), an employee number,
a window or a department. Pure: the initials are worked out here and stored with the person so a database
of either engine can search them with a plain LIKE."""

from __future__ import annotations

import re

from pypinyin import Style, pinyin

# A surname such as 单 (shan/dan) or 曾 (zeng/ceng) has several readings: each reading of the first character
# is kept, the other characters take their usual reading (so noise stays small), up to this many.
MAX_READINGS = 8
MAX_QUERY = 40
_SPACE = re.compile(r"\s+")


def initials(name: str) -> str:
    """The name's pinyin initials in lower case, each reading of the surname apart (``单雄`` -> ``dx cx sx``)."""
    text = _SPACE.sub("", name)
    usual = [r[0].lower() for r in pinyin(text, style=Style.FIRST_LETTER, errors="default")]
    if not usual:
        return ""
    # A run of Latin letters or digits comes back whole: its own letters are what people type.
    surname = pinyin(text[0], style=Style.FIRST_LETTER, heteronym=True)[0] if "\u3400" <= text[0] <= "\u9fff" else []
    firsts = list(dict.fromkeys([usual[0], *(r.lower() for r in surname if r)]))[:MAX_READINGS]
    rest = "".join(usual[1:])
    return " ".join(first + rest for first in firsts)


def normalise(query: str | None) -> str:
    """The query as it is matched: trimmed, lower case, inner spaces dropped, LIKE wildcards removed, bounded."""
    text = _SPACE.sub("", (query or "").strip().lower())
    return text.replace("%", "").replace("_", "").replace("\\", "")[:MAX_QUERY]


def matches(query: str, *, name: str, employee_no: str, window: str = "", department: str = "") -> bool:
    """True when a normalised query finds this person (the same test the database search makes)."""
    if not query:
        return True
    fields = (name.lower(), employee_no.lower(), window.lower(), department.lower())
    return any(query in f for f in fields) or query in initials(name)

"""The staff month page's punches in words: when, sign-in or sign-out, where (the terminal) and how (人脸+指纹, 刷卡+密码, 补卡)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from window_staff.attendance.leave_rules import canonical_kind
from window_staff.attendance.schemas import MonthPunchOut
from window_staff.common import periods
from window_staff.web.i18n import add_words, day_words, translator

MISSED = "missed_punch"  # the source (and verify mode) of an approved 补卡

add_words(
    {
        "me.prev_month": {"zh": "‹ 上月", "en": "‹ Previous month"},
        "me.next_month": {"zh": "下月 ›", "en": "Next month ›"},
        "me.no_next_month": {"zh": "下月尚未开始", "en": "The next month has not begun"},
        "me.punches": {"zh": "打卡明细", "en": "Punches"},
        "me.no_punches": {"zh": "本月没有打卡记录。", "en": "No punches this month."},
        "me.ask_missed": {"zh": "申请补卡", "en": "Ask for 补卡"},
        "me.missed_mark": {"zh": "补卡", "en": "补卡 (missed punch)"},
        "me.p.in": {"zh": "签到", "en": "Sign-in"},
        "me.p.out": {"zh": "签退", "en": "Sign-out"},
        "me.p.any": {"zh": "打卡", "en": "Punch"},
        "me.no_terminal": {"zh": "非终端记录", "en": "not at a terminal"},
        "me.how.face": {"zh": "人脸", "en": "face"},
        "me.how.fingerprint": {"zh": "指纹", "en": "fingerprint"},
        "me.how.card": {"zh": "刷卡", "en": "card"},
        "me.how.rf-card": {"zh": "射频卡", "en": "RF card"},
        "me.how.pin": {"zh": "工号", "en": "staff number"},
        "me.how.password": {"zh": "密码", "en": "PIN"},
        "me.how.finger-vein": {"zh": "指静脉", "en": "finger vein"},
        "me.how.palm": {"zh": "掌纹", "en": "palm"},
        "me.how.manual": {"zh": "人工补录（待核实）", "en": "recorded by hand (to be attested)"},
        "me.how.missed_punch": {"zh": "补卡（经审批）", "en": "补卡: missed punch, approved"},
        "me.how.other": {"zh": "其他方式", "en": "another way"},
        "me.how.or": {"zh": "或", "en": " or "},
        "me.t.leave_counted": {"zh": "请假，计入请假天数(半天)", "en": "Leave counted as leave (half days)"},
        "me.t.leave_present": {
            "zh": "公出、培训及视同出勤的假(半天)",
            "en": "Official business, training and leave counted as attendance (half days)",
        },
    }
)


def how_words(verify_mode: str, *, lang: str) -> str:
    """How a punch was verified, in words: face+fingerprint -> 人脸+指纹, card+pin -> 刷卡+工号, missed_punch -> 补卡（经审批）."""
    words = translator(lang)
    if verify_mode in ("manual", MISSED):
        return words(f"me.how.{verify_mode}")
    alternatives = []
    for option in verify_mode.split("|"):
        parts = [p for p in re.split(r"\+", option) if p]
        known = [words(f"me.how.{p}") if f"me.how.{p}" in _KNOWN else words("me.how.other") for p in parts]
        alternatives.append("+".join(known) or words("me.how.other"))
    return words("me.how.or").join(alternatives)


_KNOWN = {f"me.how.{p}" for p in ("face", "fingerprint", "card", "rf-card", "pin", "password", "finger-vein", "palm")}


def punch_days(punches: list[MonthPunchOut], *, terminals: dict[int, str], zone: str, lang: str) -> list[dict[str, object]]:
    """The month's punches grouped by local day: each with its time, in or out, where and how, and whether it is a 补卡."""
    words = translator(lang)
    tz = ZoneInfo(zone)
    days: dict[date, list[dict[str, object]]] = {}
    for p in punches:
        local = p.at.astimezone(tz)
        # an approved 补卡 was made at no terminal: its "how" says what it is
        where = terminals.get(p.terminal_id, "") if p.terminal_id is not None else words("me.no_terminal")
        days.setdefault(local.date(), []).append(
            {
                "time": f"{local:%H:%M}",
                "kind": words(f"me.p.{p.kind}") if p.kind in ("in", "out", "any") else words("me.p.any"),
                "where": "" if p.source == MISSED else where,
                "how": how_words(p.verify_mode, lang=lang),
                "missed": p.source == MISSED,
            }
        )
    return [{"day": day_words(d, lang, year=False), "iso": d.isoformat(), "punches": items} for d, items in sorted(days.items())]


def leave_split(leave_by_kind: dict[str, int], *, counting: frozenset[str]) -> tuple[int, int]:
    """Leave half days as the rules count them: those counted as leave, and those counted as attendance (公出, 培训, 年休假 ...)."""
    counted = sum(n for kind, n in leave_by_kind.items() if canonical_kind(kind) in counting)
    return counted, sum(leave_by_kind.values()) - counted


def neighbours(month: str, *, this_month: str) -> tuple[str, str | None]:
    """The previous month, and the next one unless it has not begun."""
    first = periods.parse_month(month)
    prev = periods.month_key((first - timedelta(days=1)).replace(day=1))
    following = periods.month_key(periods.month_end(first) + timedelta(days=1))
    return prev, following if following <= this_month else None

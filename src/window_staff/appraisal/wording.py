"""A sheet's lines in plain sentences (zh-CN and English) a staff member, HR and payroll can check.

Pure: the same stored line items the CLI's ``appraisal explain`` prints (fact, day, units, escalation factor,
points, fields), told as people say them: days as 11月6日 / 6 November, never fact keys, rule ids, hashes
or category codes. The rule's own description (rules/*.toml) says why a deduction is what it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from window_staff.common.dates import day_words
from window_staff.scoring.rules import ChecklistItem, Rule

_SESSION = {"zh": {"am": "上午", "pm": "下午"}, "en": {"am": "morning", "pm": "afternoon"}}
_VISIT = {"zh": {"open": "明查", "undercover": "暗访"}, "en": {"open": "an open visit", "undercover": "an undercover visit"}}
_SEVERITY = {"zh": {"major": "较重", "serious": "严重"}, "en": {"major": "major", "serious": "serious"}}
_LEVEL = {
    "zh": {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"},
    "en": {1: "very dissatisfied", 2: "dissatisfied", 3: "fairly satisfied", 4: "satisfied", 5: "very satisfied"},
}
_RATES = {
    "service.onsite_rate": ("现场办结率", "On-site completion rate"),
    "service.ontime_rate": ("按时办结率", "On-time completion rate"),
    "service.satisfaction_rate": ("群众满意度", "Satisfaction rate"),
}
# Facts that sum up the whole month: told without a day.
_MONTHLY = frozenset({"evaluation.delegate", *_RATES})


@dataclass(frozen=True, slots=True)
class Item:
    """One fact behind a line, as the sheet stores it."""

    fact_id: str
    day: date
    units: Decimal
    factor: Decimal
    points: Decimal
    fields: Mapping[str, object]


def day_text(day: date, *, lang: str) -> str:
    """A day as people write it: 11月6日 / 6 November."""
    return day_words(day, lang, year=False)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def points_text(points: Decimal, *, lang: str) -> str:
    """扣0.40分 / 加1.00分; −0.40 / +1.00 (a true minus sign)."""
    magnitude = f"{abs(points):f}"
    if lang == "en":
        return ("−" if points < 0 else "+") + magnitude
    return ("扣" if points < 0 else "加") + magnitude + "分"


def _when(day: date, fields: Mapping[str, object], *, lang: str) -> str:
    session = _SESSION[lang].get(str(fields.get("session")))
    if lang == "en":
        return f"on the {session} of {day_text(day, lang=lang)}" if session else f"on {day_text(day, lang=lang)}"
    return day_text(day, lang=lang) + (session or "")


def _what(rule: Rule, item: Item, *, lang: str, checklist: Mapping[str, ChecklistItem], titles: Mapping[str, tuple[str, str]]) -> str:
    """What happened, with when (zh: 11月6日上午迟到18分钟; en: Late 18 minutes on the morning of 6 November)."""
    f, en = item.fields, lang == "en"
    when = _when(item.day, f, lang=lang)
    minutes = f.get("minutes")
    match rule.fact:
        case "attendance.late":
            return f"Late {minutes} minutes {when}" if en else f"{when}迟到{minutes}分钟"
        case "attendance.early_leave":
            return f"Left {minutes} minutes early {when}" if en else f"{when}早退{minutes}分钟"
        case "attendance.away_from_post":
            return f"Away from the post for {minutes} minutes {when}" if en else f"{when}擅自离岗{minutes}分钟"
        case "attendance.absent":
            return f"Absent without leave {when}" if en else f"{when}旷工"
        case "attendance.missing_punch":
            sign_out = f.get("direction") == "out"
            if en:
                return ("No sign-out " if sign_out else "No sign-in ") + when
            return when + ("漏签退" if sign_out else "漏签到")
        case "attendance.missed_punch":
            sign_out = f.get("direction") == "out"
            if en:
                return (
                    f"{'Sign-out' if sign_out else 'Sign-in'} by an approved missed punch (补卡) {when}, number {f.get('nth')} this month"
                )
            return when + ("补卡签退" if sign_out else "补卡签到") + f"（经审批，本月第{f.get('nth')}次）"
        case "inspection.finding":
            return _finding(rule, item, when=when, lang=lang, checklist=checklist)
        case "evaluation.delegate":
            score, count = f.get("score"), f.get("count")
            if en:
                return f"Delegate evaluations this month averaged {score} ({count} evaluations)"
            return f"本月作风监督评议平均{score}分（共{count}份）"
        case "rating.citizen":
            level = _LEVEL[lang].get(int(str(f.get("level", 0))), str(f.get("level")))
            return f"A citizen rated the service “{level}” {when}" if en else f"{when}群众评价“{level}”"
        case "rating.bad_review_case":
            if en:
                return f"A bad-review case due {when} was not rectified and answered on time"
            return f"{when}到期的差评整改未按期完成并反馈"
        case "appeal.adjustment":
            zh_title, en_title = titles.get(str(f.get("rule_id")), ("", ""))
            if en:
                return f"Appeal about “{en_title}” upheld {when}" if en_title else f"Appeal upheld {when}"
            return f"{when}关于“{zh_title}”的申诉经审核予以支持" if zh_title else f"{when}申诉经审核予以支持"
        case kind if kind in _RATES:
            name = _RATES[kind][1 if en else 0]
            rate, count = f.get("rate"), f.get("transactions")
            return f"{name} this month {rate} % ({count} cases)" if en else f"本月{name}{rate}%（共{count}件）"
    title = rule.title_en if en else rule.title_zh
    return f"{title} {when}" if en else f"{when}{title}"


def _finding(rule: Rule, item: Item, *, when: str, lang: str, checklist: Mapping[str, ChecklistItem]) -> str:
    f, en = item.fields, lang == "en"
    visit = _VISIT[lang].get(str(f.get("visit_kind")), "")
    severity = _SEVERITY[lang].get(str(f.get("severity")))
    listed = checklist.get(str(f.get("item")))
    if f.get("positive"):
        what = (listed.title_en if en else listed.title_zh) if listed else (rule.title_en if en else rule.title_zh)
        return f"Commended on {visit} {when}: {what}" if en else f"{when}{visit}表扬：{what}"
    what = rule.title_en if en else rule.title_zh
    if severity:
        what += f" ({severity})" if en else f"（{severity}）"
    return f"Found on {visit} {when}: {what}" if en else f"{when}{visit}发现：{what}"


def _counted_as(rule: Rule, item: Item, *, lang: str) -> str:
    per_unit = rule.per_unit
    if per_unit is None or per_unit.field != "minutes" or item.units == 1:
        return ""
    units, size = f"{item.units.normalize():f}", f"{per_unit.size.normalize():f}"
    return f" (counted as {units} × {size} minutes)" if lang == "en" else f"（按{units}个{size}分钟计）"


def item_sentence(
    rule: Rule,
    item: Item,
    *,
    occurrence: int,
    lang: str = "zh",
    checklist: Mapping[str, ChecklistItem] | None = None,
    titles: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """One fact of a line as a sentence: when, what, the how-many-th time, escalation, points.

    zh: 11月10日上午迟到16分钟（按2个10分钟计），本月第3次，按规则加倍扣0.80分
    en: Late 16 minutes on the morning of 10 November (counted as 2 × 10 minutes), the 3rd time this month:
    doubled by the rule, −0.80
    """
    lang = "en" if lang == "en" else "zh"
    what = _what(rule, item, lang=lang, checklist=checklist or {}, titles=titles or {}) + _counted_as(rule, item, lang=lang)
    # The count matters where the rule escalates: it is why the same lateness costs more the third time.
    nth = occurrence if rule.escalation and rule.fact not in _MONTHLY else None
    factor = item.factor.normalize()
    if lang == "en":
        how = "" if factor == 1 else ("doubled by the rule, " if factor == 2 else f"{factor:f} times by the rule, ")
        if rule.fact == "appeal.adjustment":
            return f"{what}: {abs(item.points):f} restored" if item.points > 0 else f"{what}: {points_text(item.points, lang=lang)}"
        return what + (f", the {ordinal(nth)} time this month" if nth else "") + f": {how}{points_text(item.points, lang=lang)}"
    how = "" if factor == 1 else ("按规则加倍" if factor == 2 else f"按规则按{factor:f}倍")
    if rule.fact == "appeal.adjustment":
        return f"{what}，恢复{abs(item.points):f}分" if item.points > 0 else f"{what}，{points_text(item.points, lang=lang)}"
    return what + (f"，本月第{nth}次" if nth else "") + f"，{how}{points_text(item.points, lang=lang)}"


def line_sentence(rule: Rule | None, *, occurrences: int, points: Decimal, uncapped: Decimal, veto: bool, lang: str = "zh") -> str:
    """A line in one sentence: how many times, the points in all, the monthly cap where it cut them, the veto."""
    en = lang == "en"
    monthly = rule is not None and rule.fact in _MONTHLY
    if en:
        text = (f"{occurrences} times this month, " if occurrences > 1 and not monthly else "") + f"{points_text(points, lang='en')} in all"
        if points != uncapped:
            text += f" ({points_text(uncapped, lang='en')} by the rule, but at most {abs(points):f} a month)"
        return text + ("; this is a veto (一票否决)" if veto else "")
    text = (f"本月共{occurrences}次，" if occurrences > 1 and not monthly else "") + f"合计{points_text(points, lang='zh')}"
    if points != uncapped:
        text += f"（按规则应{points_text(uncapped, lang='zh')}，本项每月最多{abs(points):f}分）"
    return text + ("，并触发一票否决" if veto else "")


def rule_description(rule: Rule | None, *, lang: str = "zh") -> str:
    """The rule's own words on what it does (rules/*.toml ``description_zh`` / ``description_en``)."""
    if rule is None:
        return ""
    return rule.description_en if lang == "en" else rule.description_zh

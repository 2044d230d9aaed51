"""Words the staff sheet, the HR sheet and the HR appeal card share: when a sheet was computed, what backs a disputed fact."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from window_staff.appraisal.schemas import EvidenceLinkOut, LineOut, SheetAppealOut
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.web.i18n import add_words, time_words

_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)

add_words(
    {
        "sheet.computed": {"zh": "第{n}次计算，计算时间：{at}", "en": "Computation no. {n}, run on {at}"},
        "sheet.rule": {"zh": "规则：", "en": "The rule: "},
        "sheet.check_code": {"zh": "核验码", "en": "Check code (核验码)"},
        "sheet.check_code_note": {
            "zh": "审计人员用于核对计算所用的考核规则版本",
            "en": "For auditors: identifies the version of the rules this sheet was computed with",
        },
        "sheet.whole_line": {"zh": "对本项全部记录申诉", "en": "The whole line is appealed"},
        "sheet.disputed": {"zh": "申诉涉及：", "en": "Disputed: "},
        "sheet.disputed_line": {"zh": "申诉涉及本项全部记录：", "en": "The whole line is disputed: "},
        "sheet.appeal_reason": {"zh": "申诉理由：", "en": "The appellant's reason: "},
        "sheet.restored": {"zh": "恢复{points}分", "en": "{points} restored"},
        "sheet.evidence.sign_in": {"zh": "签到时间 {at}", "en": "Signed in {at}"},
        "sheet.evidence.sign_out": {"zh": "签退时间 {at}", "en": "Signed out {at}"},
        "sheet.evidence.photo": {"zh": "现场照片{n}", "en": "Photo {n}"},
        "sheet.no_evidence": {"zh": "无签到签退记录或照片", "en": "No punches or photos on record"},
    }
)


def computed_words(number: int, at: datetime | None, *, lang: str, words: Callable[[str], str]) -> str:
    """第3次计算，计算时间：2026年12月1日 09:30 / Computation no. 3, run on 1 December 2026, 09:30."""
    return words("sheet.computed").format(n=number, at=time_words(at, lang=lang) if at else "—")


def evidence_items(evidence: Iterable[EvidenceLinkOut], *, words: Callable[[str], str]) -> list[dict[str, str | None]]:
    """Each piece of evidence as a label and, for a photo, the link that serves it (never the image inline)."""
    out: list[dict[str, str | None]] = []
    photos = 0
    for e in evidence:
        if e.kind == "photo":
            photos += 1
            out.append({"label": words("sheet.evidence.photo").format(n=photos), "url": e.url})
        elif e.at is not None:
            out.append({"label": words(f"sheet.evidence.{e.kind}").format(at=e.at.astimezone(_ZONE).strftime("%H:%M")), "url": None})
    return out


def appeal_facts(appeal: SheetAppealOut, lines: Iterable[LineOut]) -> list[str]:
    """The sentences of the facts an appeal disputes, from the sheet's lines (empty for a whole-line appeal)."""
    texts = {item.fact_id: item.text for line in lines if line.rule_id == appeal.rule_id for item in line.items}
    return [texts[f] for f in appeal.facts if f in texts]


def restored_words(points: Decimal | None, *, words: Callable[[str], str]) -> str:
    """恢复0.60分 / 0.60 restored; nothing for a rejected appeal."""
    return words("sheet.restored").format(points=f"{points:f}") if points else ""

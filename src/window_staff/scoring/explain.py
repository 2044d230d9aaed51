"""A staff member's month as plain text: why each point went (PIPL art. 24: explain automated decisions)."""

from __future__ import annotations

from window_staff.scoring.engine import Line, StaffScore
from window_staff.scoring.rules import RuleSet

_WORDS = {
    "zh": {
        "total": "总分",
        "grade": "等级",
        "veto": "一票否决",
        "times": "次",
        "capped": "已达本项月度上限",
        "none": "本月无加减分",
        "units": "单位",
    },
    "en": {
        "total": "Total",
        "grade": "Grade",
        "veto": "veto",
        "times": "x",
        "capped": "monthly cap reached",
        "none": "no points added or deducted this month",
        "units": "units",
    },
}


def explain(result: StaffScore, *, rules: RuleSet, lang: str = "zh") -> str:
    """Render a StaffScore as readable lines in Chinese (``zh``) or English (``en``)."""
    w = _WORDS["en" if lang == "en" else "zh"]
    grade = result.grade.title_en if lang == "en" else result.grade.title_zh
    out = [
        f"{result.period:%Y-%m} staff {result.staff_id}: {w['total']} {result.total} ({w['grade']} {grade})"
        + (f" [{w['veto']}]" if result.veto else "")
    ]
    for spec in rules.categories:
        title = spec.title_en if lang == "en" else spec.title_zh
        out.append(f"  {title}: {result.categories[spec.code]} / {spec.max_points}")
        for line in (x for x in result.lines if x.category == spec.code):
            out.append("    " + _line(line, w=w, lang=lang))
    if not result.lines:
        out.append("  " + w["none"])
    out.append(f"  rules {result.rules_version[:12]}")
    return "\n".join(out)


def _line(line: Line, *, w: dict[str, str], lang: str) -> str:
    title = line.title_en if lang == "en" else line.title_zh
    text = f"{title} [{line.rule_id}]: {line.occurrences} {w['times']}, {line.points:+}"
    if line.capped:
        text += f" ({line.uncapped:+}, {w['capped']})"
    if line.veto:
        text += f" [{w['veto']}]"
    details = []
    for item in line.items:
        detail = f"{item.fact_id} {item.occurred_on:%m-%d}"
        if item.units != 1:
            detail += f" {item.units.normalize():f} {w['units']}"
        if item.factor != 1:
            detail += f" ×{item.factor.normalize():f}"
        details.append(f"{detail} {item.points:+}")
    return text + ("  <- " + "; ".join(details) if details else "")

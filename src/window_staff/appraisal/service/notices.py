"""What staff are told about their appraisal: their sheet shown for appeals, published, an appeal of theirs decided."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from window_staff.appraisal import domain, store
from window_staff.appraisal.wording import day_text
from window_staff.auth import service as auth
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.notifications import service as notifications
from window_staff.scoring.rules import rules_of


def _local(at: Any) -> str:
    return at.astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


async def sheets_shown(ctx: AppContext, period: Mapping[str, Any], *, final: bool) -> int:
    """Tell every person with a current sheet their total and grade (in the caller's transaction); how many users were told."""
    rows = await store.current_totals(period["id"])
    grades = {g.code: g.title_zh for g in rules_of(ctx).grades}
    users = await auth.active_user_ids_of_staff([r["staff"] for r in rows])
    month = period["month"]
    texts: dict[int, str] = {}
    for r in rows:
        summary = f"总分{domain.cents(r['total_cents'])}，{grades.get(r['grade'], r['grade'])}"
        if final:
            text = f"您{month}的考核结果已正式公布：{summary}。"
        else:
            text = f"您{month}的考核结果已公示：{summary}。如有异议，可在{_local(period['appeal_until'])}前对扣分项提出申诉。"
        for uid in users.get(r["staff"], []):
            texts[uid] = text
    kind = "appraisal_published" if final else "appraisal_shown"
    return await notifications.notify(ctx, texts, kind=kind, subject_type="appraisal_period", subject_id=period["id"])


async def appeal_decided(ctx: AppContext, appeal: Mapping[str, Any], *, outcome: str, reason: str) -> int:
    """Tell the appellant how their appeal was decided, with the reviewer's reason (in the caller's transaction)."""
    users = (await auth.active_user_ids_of_staff([appeal["staff"]])).get(appeal["staff"], [])
    titles = {r.id: r.title_zh for r in rules_of(ctx).rules}
    said = "支持" if outcome == "upheld" else "驳回"
    # A fact appeal names its days (11月6日), so "upheld" is read as that day's, not the line's.
    days = sorted({date.fromisoformat(item[1]) for item in msgspec.json.decode(appeal["disputed"])}) if appeal.get("disputed") else []
    which = "（" + "、".join(day_text(d, lang="zh") for d in days) + "）" if days else ""
    text = f"您对{appeal['month']}考核“{titles.get(appeal['rule_id'], appeal['rule_id'])}”{which}的申诉已{said}：{reason}"
    return await notifications.notify(
        ctx, dict.fromkeys(users, text), kind="appraisal_appeal_decided", subject_type="appraisal_appeal", subject_id=appeal["id"]
    )

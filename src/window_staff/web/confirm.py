"""The confirmation step of irreversible actions (templates/web/_confirm.html) and the words saying what each one does or why a
step is not possible now (规范用语, zh-CN and English)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from window_staff.web.i18n import add_words

CONFIRM_FIELD = "confirm"

add_words(
    {
        "confirm.go": {"zh": "确认", "en": "Confirm: "},
        "confirm.cancel": {"zh": "取消", "en": "Cancel"},
        # HR's month page.
        "confirm.what.decide": {
            "zh": "决定作出后不能更改，申诉人将收到通知；支持申诉的，下次计算时恢复所涉事项的分值。",
            "en": "A decision cannot be changed once made, and the appellant is told; an upheld appeal restores the points "
            "of what it disputed at the next computation.",
        },
        "confirm.what.open-appeals": {
            "zh": "开放申诉后，参加考核的工作人员即可查看本人本月考核结果，并可在申诉期内提出申诉；系统将通知相关人员。此操作不可撤回。",
            "en": "Once appeals open, every appraised staff member sees their own result for the month and may appeal until the "
            "appeal period ends; they are notified. This cannot be undone.",
        },
        "confirm.what.end-appeals": {
            "zh": "结束申诉后，本月不再受理申诉，考核结果提交审批人审批。此操作不可撤回。",
            "en": "Once appeals end, no further appeal is accepted for this month and the results go to the approver. "
            "This cannot be undone.",
        },
        "confirm.what.publish": {
            "zh": "公布后，全体参加考核的工作人员将看到本月最终考核结果和等级，并收到通知。公布后不能撤回。",
            "en": "Once published, every appraised staff member sees their final result and grade for the month and is "
            "notified. Publishing cannot be withdrawn.",
        },
        "confirm.what.close": {
            "zh": "结账归档后，本月考核结果和绩效奖金金额将被锁定并签章存档，不能再修改；确需更正的，须经两名审批人同意后重开。",
            "en": "Closing locks the month's results and bonus amounts and signs them for the record; they cannot be changed. "
            "A correction needs two approvers to reopen the month.",
        },
        # The approver's month page.
        "confirm.what.approve": {
            "zh": "批准后，本月考核结果和绩效奖金金额即告确定，人事部门可公布结果并导出奖金发放表；如需更改，须退回人事部门重新办理。",
            "en": "Once approved, the month's results and bonus amounts are settled: HR may publish them and export the bonus "
            "for payroll. Any change then means returning the month to HR.",
        },
        "confirm.what.return": {
            "zh": "退回后，本月考核结果交回人事部门重新核算，已作出的批准同时撤销。请写明退回理由，人事部门将看到该理由。",
            "en": "Returning sends the month back to HR to be reworked and withdraws any approval given. Give the reason: HR will see it.",
        },
        "confirm.what.reopen": {
            "zh": "申请重开须由另一位审批人确认。确认后本月恢复为已计算状态，已冻结的绩效奖金作废，须重新审批、公布和结账。",
            "en": "A second approver must confirm the request. Once confirmed, the month returns to computed, the frozen bonus "
            "is void, and the month is approved, published and closed again.",
        },
        "confirm.what.reopen-confirm": {
            "zh": "确认后本月即重新开放：恢复为已计算状态，已冻结的绩效奖金作废，须重新审批、公布和结账。",
            "en": "Once confirmed, the month is open again: it returns to computed, the frozen bonus is void, and the month is "
            "approved, published and closed again.",
        },
        # The administrator's pages.
        "confirm.what.revoke": {
            "zh": "吊销后，该终端立即不能签到和上传打卡记录，且不能恢复；如需继续使用，须重新登记并批准。",
            "en": "Once revoked, the terminal can no longer sign anyone in or upload punches, and this cannot be undone; to use "
            "it again it must be registered and approved anew.",
        },
        "confirm.what.deactivate": {
            "zh": "停用后，该用户的所有登录立即退出，且不能再登录，直至重新启用。",
            "en": "Once disabled, all of the user's sessions end at once and they cannot log in until enabled again.",
        },
        "confirm.what.password-reset": {
            "zh": "发放后，此前发放但尚未使用的重置链接随即失效。新链接24小时内有效、仅可使用一次，只显示这一次，"
            "请当面或通过可信渠道交给本人。",
            "en": "Any earlier unused reset link stops working. The new link works once within 24 hours and is shown this once: "
            "hand it to the person directly or through a trusted channel.",
        },
        "confirm.what.totp-reset": {
            "zh": "重置后，该用户原动态验证码立即失效，其所有登录随即退出；新的验证码地址只显示一次，请当面交给本人录入。",
            "en": "The user's old authenticator stops working at once and all their sessions end; the new address is shown "
            "this once: have the person enter it in front of you.",
        },
        # Why a step is not possible now.
        "blocked.month_not_begun": {"zh": "本月尚未开始，开始后方可计算", "en": "The month has not begun: it is computed once it has"},
        "blocked.month_not_ended": {"zh": "本月结束后方可开放申诉", "en": "Appeals open once the month has ended"},
        "blocked.window_runs": {
            "zh": "申诉期至 {until} 截止，截止后方可结束申诉",
            "en": "The appeal period runs until {until}; appeals end after that",
        },
        "blocked.appeals_pending": {"zh": "尚有 {n} 件申诉未处理，处理完毕后方可结束申诉", "en": "{n} appeal(s) still await a decision"},
        "blocked.not_decided": {"zh": "申诉结束后方可批准", "en": "The month can be approved once appeals have ended"},
        "blocked.prepared_by_you": {
            "zh": "您参与了本月的计算或申诉处理，须由另一位审批人批准",
            "en": "You prepared this month (computed it or decided an appeal): another approver must approve it",
        },
        "blocked.reopen_pending": {"zh": "重开申请已提交，等待另一位审批人确认", "en": "A request to reopen awaits a second approver"},
        "blocked.reopen_not_asked": {"zh": "尚无重开申请", "en": "Nobody has asked to reopen this month"},
        "blocked.reopen_asked_by_you": {
            "zh": "重开申请由您提出，须由另一位审批人确认",
            "en": "You asked to reopen this month: a second approver must confirm it",
        },
        "blocked.bonus_not_approved": {"zh": "批准后可导出", "en": "Available once the month is approved"},
        "blocked.reset_inactive": {
            "zh": "该用户已停用，重置链接无法使用；请先启用该用户",
            "en": "The user is disabled, so a reset link would not work: enable the user first",
        },
        "blocked.self_deactivate": {"zh": "不能停用本人账号", "en": "You cannot disable your own account"},
    }
)


def confirmed(form: Mapping[str, Any]) -> bool:
    """True when the form was sent from the confirmation step (its second, deliberate click)."""
    return form.get(CONFIRM_FIELD) == "yes"


def reasons(blocks: Mapping[str, str], words: Any, **values: object) -> dict[str, str]:
    """Each blocked step's reason in the page's language (``words`` is the page's ``_``), with ``{until}`` / ``{n}`` filled in."""
    said = {}
    for action, code in blocks.items():
        text = words(f"blocked.{code}")
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        said[action] = text
    return said

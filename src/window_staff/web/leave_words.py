"""Words of the leave kinds, balances and missed-punch (补卡) pages, in Chinese and English (规范用语)."""

from __future__ import annotations

from window_staff.web.i18n import add_words

KIND_WORDS = {
    "personal": ("事假", "Personal leave"),
    "sick": ("病假", "Sick leave"),
    "annual": ("年休假", "Annual leave"),
    "time_off": ("调休", "Time off in lieu"),
    "marriage": ("婚假", "Marriage leave"),
    "maternity": ("产假", "Maternity leave"),
    "bereavement": ("丧假", "Bereavement leave"),
    "official_business": ("公出", "Official business"),
    "training": ("培训", "Training"),
    "leave": ("事假", "Personal leave"),  # requests stored before the kinds were split
}

add_words({f"leave.k.{k}": {"zh": zh, "en": en} for k, (zh, en) in KIND_WORDS.items()})
add_words({f"me.st.{k}": {"zh": zh, "en": en} for k, (zh, en) in KIND_WORDS.items()})
add_words(
    {
        "leave.balances": {"zh": "我的假期余额", "en": "My leave balances"},
        "leave.bal_kind": {"zh": "假别", "en": "Kind"},
        "leave.bal_granted": {"zh": "本年可休（天）", "en": "This year (days)"},
        "leave.bal_taken": {"zh": "已休及已申请（天）", "en": "Taken or asked (days)"},
        "leave.bal_left": {"zh": "剩余（天）", "en": "Left (days)"},
        "leave.bal_year": {"zh": "{year}年度", "en": "Year {year}"},
        "leave.bal_annual_basis": {
            "zh": "按参加工作时间（{since}）计算：满1年不满10年5天，满10年不满20年10天，满20年15天。",
            "en": "Counted from your service start ({since}): 1 to under 10 years 5 days, 10 to under 20 years 10 days, "
            "20 years or more 15 days.",
        },
        "leave.bal_time_off_basis": {
            "zh": "调休由延时服务时长累计，每 {hours} 小时折合1天，按半天计。",
            "en": "Time off is earned by extended-hours service: {hours} hours make one day, counted in half days.",
        },
        "leave.bal_short": {"zh": "{kind}剩余 {left} 天（本年共 {granted} 天）", "en": "{kind}: {left} of {granted} days left"},
        "leave.bal_pending_counted": {"zh": "余额已扣除待审批的申请。", "en": "Pending requests are already counted."},
        "leave.balance_col": {"zh": "假期余额", "en": "Balances"},
        "leave.kinds_title": {"zh": "假别说明", "en": "What each kind means"},
        "leave.paid": {"zh": "带薪", "en": "Paid"},
        "leave.unpaid": {"zh": "不带薪", "en": "Unpaid"},
        "leave.counts": {"zh": "计入请假天数", "en": "Counted as leave"},
        "leave.not_counted": {"zh": "视同出勤", "en": "Counts as attendance"},
        "leave.document": {"zh": "须提供证明材料", "en": "Needs a document"},
        "leave.has_balance": {"zh": "按余额扣减", "en": "Uses the balance"},
        "leave.beyond_balance": {
            "zh": "{kind}余额不足：{year}年度剩余 {left} 天，本次申请 {asked} 天，申请未提交。",
            "en": "{kind}: not enough days left ({left} left in {year}, {asked} asked); the request was not sent.",
        },
    }
)

add_words(
    {
        "mp.my_title": {"zh": "补卡申请", "en": "Missed punches (补卡)"},
        "mp.approvals_title": {"zh": "补卡审批", "en": "Missed-punch approvals"},
        "mp.intro": {
            "zh": "忘记打卡或终端未能识别时，可在此申请补卡，经部门负责人或人事审核同意后记入考勤。",
            "en": "If you forgot to punch or the terminal could not recognise you, ask for the missed punch here; "
            "it counts once your department head or HR approves it.",
        },
        "mp.request": {"zh": "提出补卡申请", "en": "Ask for a missed punch"},
        "mp.day": {"zh": "日期", "en": "Day"},
        "mp.session": {"zh": "时段", "en": "Half day"},
        "mp.kind": {"zh": "签到/签退", "en": "Sign-in or sign-out"},
        "mp.time": {"zh": "实际到岗/离岗时间", "en": "Time you arrived or left"},
        "mp.reason": {"zh": "补卡事由", "en": "Reason"},
        "mp.send": {"zh": "提交申请", "en": "Send the request"},
        "mp.mine": {"zh": "我的补卡申请", "en": "My requests"},
        "mp.none_mine": {"zh": "您还没有补卡申请。", "en": "You have not asked for a missed punch."},
        "mp.pending": {"zh": "待审批的补卡申请", "en": "Requests awaiting a decision"},
        "mp.no_pending": {"zh": "没有待您审批的补卡申请。", "en": "No requests await your decision."},
        "mp.recent": {"zh": "最近处理的补卡申请", "en": "Recently decided"},
        "mp.no_recent": {"zh": "没有已处理的补卡申请。", "en": "No decided requests."},
        "mp.staff": {"zh": "工作人员", "en": "Staff member"},
        "mp.what": {"zh": "补卡内容", "en": "Punch asked for"},
        "mp.status": {"zh": "状态", "en": "Status"},
        "mp.note": {"zh": "审批意见（不同意时必填）", "en": "Note (required to refuse)"},
        "mp.decided": {"zh": "处理人/时间", "en": "Decided by / at"},
        "mp.approve": {"zh": "同意", "en": "Approve"},
        "mp.refuse": {"zh": "不同意", "en": "Refuse"},
        "mp.to_approvals": {"zh": "待我审批的补卡", "en": "Missed punches for me to decide"},
        "mp.s.in": {"zh": "签到", "en": "Sign-in"},
        "mp.s.out": {"zh": "签退", "en": "Sign-out"},
        "mp.line": {"zh": "{day}{session}{kind} {time}", "en": "{kind} on the {session} of {day} at {time}"},
        "mp.st.requested": {"zh": "待审批", "en": "Pending"},
        "mp.st.approved": {"zh": "已同意", "en": "Approved"},
        "mp.st.refused": {"zh": "不同意", "en": "Refused"},
        "mp.done.requested": {
            "zh": "补卡申请已提交，等待部门负责人或人事审批。",
            "en": "Your request was sent and awaits your department head or HR.",
        },
        "mp.done.approved": {"zh": "已同意该补卡申请，已记入考勤。", "en": "The missed punch was approved and counts now."},
        "mp.done.refused": {"zh": "已不同意该补卡申请。", "en": "The request was refused."},
        "mp.am": {"zh": "上午", "en": "morning"},
        "mp.pm": {"zh": "下午", "en": "afternoon"},
        "missed_punches": {"zh": "补卡申请", "en": "Missed punches"},
        "missed_punch_approvals": {"zh": "补卡审批", "en": "Missed-punch approvals"},
        "error.missed_punch_duplicate": {"zh": "该时段已申请过同一补卡", "en": "This missed punch has been asked for already"},
        "error.missed_punch_in_future": {"zh": "补卡时间不能晚于当前时间", "en": "A missed punch cannot be in the future"},
        "error.missed_punch_not_allowed": {
            "zh": "只有该人员所在部门负责人或人事可以审批",
            "en": "Only the staff member's department head or HR may decide this",
        },
        "error.missed_punch_already_decided": {"zh": "此补卡申请已处理", "en": "This request has been decided already"},
        "error.missed_punch_not_found": {"zh": "未找到该补卡申请", "en": "No such missed-punch request"},
        "error.missed_punch_form_invalid": {
            "zh": "请填写日期、时段、签到或签退、时间和事由（至少2个字）。",
            "en": "Fill in the day, half day, sign-in or sign-out, the time and a reason (at least 2 characters).",
        },
        "error.month_closed_missed_punch": {
            "zh": "{month}考勤已结账，不能再补卡。如确有需要，请联系人事处理。",
            "en": "Attendance for {month} is closed: a missed punch can no longer be added. Ask HR if it must be corrected.",
        },
    }
)

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
            "en": "Not enough {kind}: {left} days left in {year}, {asked} days asked; the request was not sent.",
        },
    }
)

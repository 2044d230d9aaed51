"""The pages' words in Chinese (default) and English; a page picks by the ``lang`` cookie or ``?lang=``."""

from __future__ import annotations

from collections.abc import Callable

from litestar.connection import ASGIConnection

from window_staff.common.dates import day_words, month_words, time_words  # noqa: F401 (the pages' date words)
from window_staff.web.refusals import REFUSALS

LANGS = ("zh", "en")
LANG_COOKIE = "ws_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600

WORDS: dict[str, dict[str, str]] = {
    "app_name": {"zh": "政务服务中心窗口管理", "en": "Service centre staff"},
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出", "en": "Log out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "totp": {"zh": "动态验证码（如已启用）", "en": "Authenticator code (if enabled)"},
    "home": {"zh": "首页", "en": "Home"},
    "messages": {"zh": "消息", "en": "Messages"},
    "language": {"zh": "English", "en": "中文"},
    "welcome": {"zh": "您好", "en": "Hello"},
    "error": {"zh": "出错了", "en": "Something went wrong"},
    "back_home": {"zh": "返回首页", "en": "Back to the home page"},
    "back_up": {"zh": "返回上一页", "en": "Back"},
    "error.month_stage": {
        "zh": "本月考核目前处于“{state}”阶段，不能{action}。",
        "en": "The month is at the stage “{state}”: you cannot {action} it now.",
    },
    # The month's steps as verbs (what the refusal says cannot be done).
    "step.compute": {"zh": "计算", "en": "compute"},
    "step.open_appeals": {"zh": "开放申诉", "en": "open appeals for"},
    "step.end_appeals": {"zh": "结束申诉", "en": "end appeals for"},
    "step.approve": {"zh": "批准", "en": "approve"},
    "step.return": {"zh": "退回", "en": "return"},
    "step.publish": {"zh": "公布", "en": "publish"},
    "step.close": {"zh": "结账", "en": "close"},
    "step.reopen": {"zh": "重新开放", "en": "reopen"},
    "step.export": {"zh": "导出奖金发放表（批准后方可导出）", "en": "export the bonus (possible once approved) for"},
    "my_month": {"zh": "我的本月", "en": "My month"},
    "my_appraisal": {"zh": "我的考核", "en": "My appraisal"},
    "inspections": {"zh": "检查", "en": "Inspections"},
    "appraisal_console": {"zh": "月度考核", "en": "Monthly appraisal"},
    "approvals": {"zh": "审批", "en": "Approvals"},
    "administration": {"zh": "系统管理", "en": "Administration"},
    "audit_log": {"zh": "审计日志", "en": "Audit log"},
    "print": {"zh": "打印", "en": "Print"},
    "board": {"zh": "曝光台", "en": "Exposure board"},
    "staff_and_windows": {"zh": "人员、窗口与排班", "en": "Staff, windows and schedules"},
    "my_leave": {"zh": "我的请假", "en": "My leave"},
    "leave_approvals": {"zh": "请假审批", "en": "Leave approvals"},
    "terminals_enrolment": {"zh": "终端与采集状态", "en": "Terminals and enrolment"},
    # Login refusals by error code (the API's details are English; the login page speaks the page's language).
    # One answer for every failure before the code is accepted: it never tells that the password was right.
    "error.login_failed": {"zh": "用户名、密码或动态验证码错误", "en": "Wrong username, password or authenticator code"},
    "error.totp_enrolment_required": {
        "zh": "请先由管理员为此账号设置动态验证码",
        "en": "An administrator must set up this account's authenticator first",
    },
    "error.login_throttled": {"zh": "尝试次数过多，请稍后再试", "en": "Too many attempts; try again later"},
    **REFUSALS,
}


# A refusal whose code has no words of its own is introduced by its kind (HTTP status class) in the page's language.
_REFUSAL_KINDS = {
    400: {"zh": "请求无法读取", "en": "The request could not be read"},
    401: {"zh": "请先登录", "en": "Please log in"},
    403: {"zh": "无权进行此操作", "en": "You may not do this"},
    404: {"zh": "未找到", "en": "Not found"},
    409: {"zh": "当前状态不允许此操作", "en": "Not possible in the current state"},
    413: {"zh": "内容过大", "en": "Too large"},
    422: {"zh": "填写的内容有误", "en": "Something entered is not valid"},
    429: {"zh": "操作过于频繁，请稍后再试", "en": "Too many attempts; try again later"},
}


def refusal(lang: str, *, code: str, detail: str | None, status: int) -> str:
    """A domain refusal in the page's language: its own words when the code has some, else its kind and the service's reason."""
    own = WORDS.get(f"error.{code}")
    if own:
        return own.get(lang, own["zh"])
    kind = _REFUSAL_KINDS.get(status) or _REFUSAL_KINDS[409 if 400 <= status < 500 else 422]
    reason = (detail or "").strip()
    if lang == "en":
        return reason or kind["en"]
    # The service's reasons are English (API clients read them); a Chinese page leads with its own words.
    return f"{kind['zh']}（{reason}）" if reason else kind["zh"]


def add_words(words: dict[str, dict[str, str]]) -> None:
    """Register a page module's words (each page module owns its own; a key used twice must mean the same)."""
    for key, entry in words.items():
        if key in WORDS and WORDS[key] != entry:
            raise ValueError(f"page word {key!r} is defined twice with different texts")
        WORDS[key] = entry


def lang_of(connection: ASGIConnection) -> str:
    """``zh`` or ``en``: the query parameter wins, then the cookie, else Chinese."""
    asked = connection.query_params.get("lang") or connection.cookies.get(LANG_COOKIE) or "zh"
    return asked if asked in LANGS else "zh"


def translator(lang: str) -> Callable[[str], str]:
    """A ``_(key)`` for templates: the word in ``lang``, the key itself when unknown (visible, never a crash)."""

    def word(key: str) -> str:
        entry = WORDS.get(key)
        return entry.get(lang, entry["zh"]) if entry else key

    return word

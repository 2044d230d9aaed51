"""An import's bad lines in people's words: the domain states each problem in English for API clients; the page says it in its
own language, naming columns by what they hold (办件编号, 受理时间), never by their CSV names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from window_staff.common.dates import day_words

COLUMN_WORDS: Mapping[str, tuple[str, str]] = {
    "external_id": ("办件编号", "transaction number"),
    "item": ("办理事项", "service item"),
    "site_code": ("中心代码", "centre code"),
    "window_number": ("窗口号", "window number"),
    "employee_no": ("经办人工号", "handler's employee number"),
    "received_at": ("受理时间", "received"),
    "promised_at": ("承诺办结时间", "promised"),
    "completed_at": ("办结时间", "completed"),
    "onsite": ("是否即办", "completed on the spot"),
    "window": ("窗口", "window"),
    "staff": ("经办人", "handler"),
    # A queue machine's export (排号机).
    "event_id": ("事件编号", "event number"),
    "kind": ("事件类型", "kind of event"),
    "at": ("发生时间", "time"),
    "ticket": ("票号", "ticket number"),
    "category": ("业务类型", "service category"),
    "to_window": ("转至窗口号", "transferred to window"),
}


def column_words(name: str | None, lang: str) -> str:
    """A CSV column as people call it ('' for a problem of the whole line)."""
    if not name:
        return ""
    zh, en = COLUMN_WORDS.get(name, (name, name))
    return en if lang == "en" else zh


def _cols(text: str, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(column_words(c.strip(), lang) for c in text.split(","))


# (pattern of the domain's English message, Chinese, English): groups are filled in by name; a group named ``cols`` or ``col``
# holds column names and is put in words.
_PATTERNS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p), zh, en)
    for p, zh, en in (
        (
            r"^the file is not UTF-8 text",
            "文件不是 UTF-8 编码：请在表格软件中另存为“CSV UTF-8”格式",
            "The file is not UTF-8 text: save it as “CSV UTF-8”",
        ),
        (r"^the file holds NUL bytes", "文件含有空字符，不是 CSV 文本文件", "The file holds NUL bytes: it is not a CSV text file"),
        (r"^the file is empty", "文件是空的：第一行须为列名", "The file is empty: the first line must name the columns"),
        (r"^the file has a header but no rows", "文件只有列名行，没有数据", "The file names the columns but holds no rows"),
        (r"^more than (?P<n>[\d,]+) rows", "超过 {n} 行：请拆分后分批导入", "More than {n} rows: split the file"),
        (r"^(?P<a>\d+) fields, the header has (?P<b>\d+)", "本行有 {a} 项，列名行有 {b} 项", "This line has {a} fields, the header {b}"),
        (r"^malformed CSV", "CSV 格式有误（引号未配对等）", "The CSV is malformed (e.g. an unclosed quote)"),
        (r"^column '(?P<col>[^']*)' appears twice", "列“{col}”出现了两次", "The column “{col}” appears twice"),
        (r"^unknown column '(?P<x>[^']*)'", "无法识别的列“{x}”", "Unknown column “{x}”"),
        (r"^missing column '(?P<col>[^']*)'", "缺少列“{col}”", "The column “{col}” is missing"),
        (r"^required$", "此项必须填写", "Required"),
        (r"^longer than (?P<n>\d+) characters", "超过 {n} 个字符", "Longer than {n} characters"),
        (
            r"^external_id '(?P<x>.*)' also on line (?P<n>\d+)$",
            "办件编号“{x}”与第 {n} 行重复",
            "Transaction number “{x}” is also on line {n}",
        ),
        (r"^unknown site '(?P<x>.*)'$", "没有代码为“{x}”的中心", "No centre has the code “{x}”"),
        (r"^no window '(?P<x>.*)' at site '(?P<y>.*)'$", "中心“{y}”没有 {x} 号窗口", "The centre “{y}” has no window {x}"),
        (r"^unknown employee number '(?P<x>.*)'$", "没有工号为“{x}”的工作人员", "No staff member has the employee number “{x}”"),
        (r"^not a time", "不是有效的时间：请按“年-月-日 时:分”填写", "Not a time: write year-month-day hours:minutes"),
        (r"^the year must be between", "年份须在 2000 至 2100 之间", "The year must be between 2000 and 2100"),
        (r"^in the future$", "时间晚于现在", "Later than now"),
        (r"^(?P<col>\w+) is before received_at$", "早于受理时间", "Before the time received"),
        (r"^not a yes/no value", "请填写 是 或 否（也可写 1 或 0）", "Write yes or no as 是/否, 1/0 or true/false"),
        (r"^required when onsite is yes", "即办件须填写办结时间", "Required when completed on the spot"),
        (
            r"^(?P<x>.*) was not employed on (?P<d>\d{4}-\d{2}-\d{2})$",
            "工号 {x} 在受理当天（{d}）不在职",
            "{x} was not employed on the day received ({d})",
        ),
        (
            r"^unknown kind '(?P<x>[^']*)'",
            "无法识别的事件类型“{x}”（可填写的类型见页面下方说明）",
            "Unknown kind of event “{x}” (the kinds are listed below the form)",
        ),
        (r"^required for an? '(?P<x>[^']*)' event$", "此类事件必须填写此项", "Required for this kind of event"),
        (r"^event_id '(?P<x>.*)' also on line (?P<n>\d+)$", "事件编号“{x}”与第 {n} 行重复", "Event number “{x}” is also on line {n}"),
        (
            r"^event_id '(?P<x>.*)' was received before as a different event$",
            "事件编号“{x}”已收到过，但内容与本次不同",
            "Event number “{x}” was received before as a different event",
        ),
        (
            r"^external_id '(?P<x>.*)' was imported before with a different (?P<cols>.*)$",
            "办件编号“{x}”已导入过，本次的{cols}与已导入的不同",
            "Transaction number “{x}” was imported before with a different {cols}",
        ),
    )
)


def problem_words(message: str, lang: str) -> str:
    """One bad line's problem in the page's language (a message this table does not know is shown as the service wrote it)."""
    for pattern, zh, en in _PATTERNS:
        found = pattern.match(message)
        if found:
            values = {}
            for name, value in found.groupdict().items():
                values[name] = (
                    _cols(value, lang) if name in ("col", "cols") else day_words(date.fromisoformat(value), lang) if name == "d" else value
                )
            return (en if lang == "en" else zh).format(**values)
    return message if lang == "en" else f"内容有误（{message}）"


def report_lines(errors: list[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The job's bad lines, each with its line number, the column in words and the reason in words."""
    return [
        {"line": e.get("line"), "column": column_words(e.get("column"), lang), "reason": problem_words(str(e.get("message", "")), lang)}
        for e in errors
    ]

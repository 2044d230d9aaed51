"""An import's bad lines in words: the domain's own messages, produced by its own functions, come out in Chinese and English
with columns named by what they hold (no database, no browser)."""

from __future__ import annotations

import pytest

from window_staff.evaluations import domain_metrics as domain
from window_staff.web.import_words import problem_words, report_lines

HEADER = ",".join(domain.COLUMNS)


def _file_problem(data: bytes) -> str:
    rows, errors = domain.read_csv(data)
    assert not rows
    return errors[0].message


def _value_problem(parse, text: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse(text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("message", "zh", "en"),
    [
        (lambda: _file_problem("营业执照".encode("gbk")), "CSV UTF-8", "not UTF-8"),
        (lambda: _file_problem(b""), "文件是空的", "The file is empty"),
        (lambda: _file_problem(HEADER.encode() + b"\n"), "没有数据", "holds no rows"),
        (lambda: _file_problem(HEADER.replace("onsite", "on_site").encode() + b"\n"), "无法识别的列“on_site”", "Unknown column"),
        (lambda: _value_problem(lambda t: domain.parse_instant(t, zone="Asia/Shanghai"), "昨天"), "不是有效的时间", "Not a time"),
        (lambda: _value_problem(domain.parse_flag, "也许"), "请填写 是 或 否", "Write yes or no"),
    ],
)
def test_the_domains_own_messages_are_said_in_words(message, zh, en) -> None:
    said = message()
    assert zh in problem_words(said, "zh") and en in problem_words(said, "en")


def test_a_missing_column_is_named_by_what_it_holds() -> None:
    said = _file_problem(HEADER.replace(",received_at", "").encode() + b"\n")
    assert problem_words(said, "zh") == "缺少列“受理时间”" and problem_words(said, "en") == "The column “received” is missing"


def test_a_staff_member_not_employed_that_day_is_dated_in_words() -> None:
    [line] = report_lines([{"line": 7, "column": "employee_no", "message": "E0001 was not employed on 2025-03-03"}], "zh")
    assert line == {"line": 7, "column": "经办人工号", "reason": "工号 E0001 在受理当天（2025年3月3日）不在职"}


def test_a_message_without_words_is_shown_as_the_service_wrote_it_after_the_pages_own_words() -> None:
    assert problem_words("something new", "zh") == "内容有误（something new）"
    assert problem_words("something new", "en") == "something new"

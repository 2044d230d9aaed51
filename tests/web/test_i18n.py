"""Words of the pages: refusals in the page's language, and no refusal words for codes the service never uses."""

from __future__ import annotations

import re
from pathlib import Path

from window_staff.web.i18n import WORDS, lang_of, refusal, translator
from window_staff.web.refusals import REFUSALS

SOURCE = Path(__file__).resolve().parents[2] / "src" / "window_staff"


def test_a_refusal_with_words_of_its_own_is_said_in_chinese_by_default() -> None:
    text = refusal("zh", code="four_eyes_required", detail="you prepared this month", status=403)
    assert text.startswith("本月由您计算") and "prepared" not in text


def test_a_refusal_with_words_of_its_own_is_said_in_english_on_an_english_page() -> None:
    assert refusal("en", code="leave_overlaps", detail="overlaps leave 7", status=409) == "It overlaps leave already requested"


def test_a_generic_refusal_leads_with_its_kind_in_chinese_and_keeps_the_service_reason() -> None:
    text = refusal("zh", code="period_state_conflict", detail="the appeal window of 2026-10 runs until 2026-11-06", status=409)
    assert text == "当前状态不允许此操作（the appeal window of 2026-10 runs until 2026-11-06）"


def test_a_generic_refusal_on_an_english_page_is_the_service_reason() -> None:
    assert refusal("en", code="invalid_input", detail="name: too long", status=422) == "name: too long"


def test_a_refusal_without_a_reason_is_its_kind() -> None:
    assert refusal("zh", code="conflict", detail=None, status=409) == "当前状态不允许此操作"


def test_every_refusal_has_both_languages() -> None:
    assert all(set(entry) == {"zh", "en"} and all(entry.values()) for entry in REFUSALS.values())


def test_refusal_words_exist_only_for_codes_the_service_raises() -> None:
    raised = set()
    for path in SOURCE.rglob("*.py"):
        raised.update(re.findall(r"code\s*=\s*\"([a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    unknown = {key.removeprefix("error.") for key in REFUSALS} - raised
    assert not unknown, f"refusal words for codes never raised: {sorted(unknown)}"


def test_an_unknown_word_shows_its_key_rather_than_failing() -> None:
    assert translator("zh")("no.such.key") == "no.such.key"
    assert translator("en")("home") == WORDS["home"]["en"]


class _Conn:
    def __init__(self, query: dict[str, str], cookies: dict[str, str]) -> None:
        self.query_params, self.cookies = query, cookies


def test_the_query_parameter_wins_over_the_cookie_and_unknown_languages_fall_back_to_chinese() -> None:
    assert lang_of(_Conn({"lang": "en"}, {"ws_lang": "zh"})) == "en"
    assert lang_of(_Conn({}, {"ws_lang": "en"})) == "en"
    assert lang_of(_Conn({"lang": "fr"}, {})) == "zh"


def test_months_and_days_are_written_as_people_write_them() -> None:
    from datetime import UTC, date, datetime

    from window_staff.web.i18n import day_words, month_words, time_words

    assert month_words("2026-11", "zh") == "2026年11月" and month_words("2026-02", "en") == "February 2026"
    assert day_words(date(2026, 11, 6), "zh") == "2026年11月6日" and day_words("2026-11-06", "en", year=False) == "6 November"
    # Stored times are UTC; the centre reads them in its own zone (08:31 in Guiyang is 00:31 UTC).
    assert time_words(datetime(2026, 11, 6, 0, 31, tzinfo=UTC), "zh") == "2026年11月6日 08:31"


def test_an_actor_is_named_as_a_person_or_by_what_it_was() -> None:
    from window_staff.web.names import NameBook

    book = NameBook()
    book.names = {2: "张敏"}
    assert book.who("user:2:hr", "zh") == "张敏"
    assert book.who("user:9:gone", "en") == "A removed user"
    assert book.who("terminal:WS-DEMO-0001", "zh") == "考勤终端" and book.who("system:demo", "en") == "System"
    assert book.who(None, "zh") == ""

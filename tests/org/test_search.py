"""Finding people as HR types them: part of a name, pinyin initials, employee no., window or department."""

import pytest

from tests.factories import logged_in, make_staff, make_window
from window_staff.common.pagination import PageParams
from window_staff.org import search, service as org
from window_staff.org.schemas import StaffUpdateIn


def test_initials_are_the_first_letters_of_each_syllable() -> None:
    assert search.initials("王磊").split()[0] == "wl"


def test_a_surname_with_two_readings_is_found_by_either() -> None:
    readings = search.initials("单雄").split()
    assert "sx" in readings and "dx" in readings


def test_latin_letters_in_a_name_stay_whole() -> None:
    assert search.initials("Anna王") == "annaw"


def test_only_the_surname_brings_other_readings() -> None:
    assert all(reading.endswith("xr") for reading in search.initials("欧阳新人").split())


def test_a_query_is_trimmed_lowered_and_loses_like_wildcards() -> None:
    assert search.normalise("  W L%_ ") == "wl"


@pytest.mark.parametrize("query", ["wl", "王", "e77", "窗9"])
def test_the_pure_match_finds_by_initials_name_number_or_window(query: str) -> None:
    assert search.matches(query, name="王磊", employee_no="E77", window="窗9", department="政务服务")


def test_the_pure_match_refuses_a_stranger() -> None:
    assert not search.matches("zz", name="王磊", employee_no="E77")


async def _found(ctx, text: str) -> list[int]:
    return [s.id for s in (await org.list_staff(ctx, PageParams(limit=50, offset=0), search_text=text)).items]


async def test_initials_find_the_person_in_the_database(ctx) -> None:
    wang = await make_staff(ctx, name="王磊")
    await make_staff(ctx, name="李娜")
    assert await _found(ctx, "WL") == [wang.id]


async def test_a_renamed_person_is_found_by_the_new_initials(ctx) -> None:
    person = await make_staff(ctx, name="王磊")
    await org.update_staff(ctx, person.id, StaffUpdateIn(name="赵敏"), actor="test")
    assert await _found(ctx, "zm") == [person.id] and await _found(ctx, "wl") == []


async def test_part_of_a_name_an_employee_number_or_a_window_finds_the_person(ctx) -> None:
    window = await make_window(ctx)
    person = await make_staff(ctx, window=window, name="欧阳新人")
    for text in ("阳新", person.employee_no.lower(), window.number):
        assert person.id in await _found(ctx, text), text


async def test_a_percent_sign_is_not_a_wildcard(ctx) -> None:
    await make_staff(ctx, name="王磊")
    assert await _found(ctx, "%") == [s.id for s in (await org.list_staff(ctx, PageParams(limit=50, offset=0))).items]
    assert await _found(ctx, "w%l") == await _found(ctx, "wl")


async def test_the_api_finds_staff_by_initials(client, app_ctx) -> None:
    person = await make_staff(app_ctx, name="陈刚强")
    _, hr = await logged_in(client, app_ctx, "hr")
    answer = await client.get("/api/v1/staff/", params={"q": "cgq"}, headers=hr)
    assert answer.status_code == 200 and [s["id"] for s in answer.json()["items"]] == [person.id]

"""The shared policy loader: every key required and checked, errors naming the file and the key, read once per context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from window_staff.common import policy
from window_staff.common.errors import InvalidInput


class SamplePolicyInvalid(InvalidInput):
    code = "sample_policy_invalid"


@dataclass(frozen=True, slots=True)
class SamplePolicy:
    days: int
    mode: str
    photos: bool


CHECKS = {"days": policy.int_between(1, 30), "mode": policy.one_of("on", "off"), "photos": policy.boolean()}
GOOD = 'days = 7\nmode = "on"\nphotos = true\n'


def load(tmp_path: Path, text: str) -> SamplePolicy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return policy.load_policy(path, schema=SamplePolicy, checks=CHECKS, error=SamplePolicyInvalid, name="sample policy")


def refusal(tmp_path: Path, text: str) -> SamplePolicyInvalid:
    with pytest.raises(SamplePolicyInvalid) as caught:
        load(tmp_path, text)
    return caught.value


def test_a_good_file_loads(tmp_path: Path) -> None:
    assert load(tmp_path, GOOD) == SamplePolicy(days=7, mode="on", photos=True)


def test_an_unknown_key_is_refused_by_name(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD + "colour = 1\n")
    assert error.detail.endswith("policy.toml: unknown key 'colour'") and error.extra["key"] == "colour"
    assert error.code == "sample_policy_invalid"


def test_a_missing_key_is_refused_by_name(tmp_path: Path) -> None:
    error = refusal(tmp_path, GOOD.replace('mode = "on"\n', ""))
    assert error.detail.endswith("missing key 'mode'") and error.extra["key"] == "mode"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("days = 0", "key 'days' must be an integer 1..30, got 0"),
        ("days = true", "key 'days' must be an integer 1..30, got True"),
        ('mode = "maybe"', "key 'mode' must be on | off, got 'maybe'"),
    ],
)
def test_a_bad_value_is_refused_with_the_checks_reason(tmp_path: Path, line: str, reason: str) -> None:
    key = line.split(" ")[0]
    text = "\n".join(line if row.startswith(key + " ") else row for row in GOOD.splitlines()) + "\n"
    error = refusal(tmp_path, text)
    assert error.detail.endswith(reason) and error.extra["key"] == key


def test_a_missing_or_broken_file_is_refused_as_the_file(tmp_path: Path) -> None:
    with pytest.raises(SamplePolicyInvalid, match="sample policy file is missing"):
        policy.load_policy(tmp_path / "absent.toml", schema=SamplePolicy, checks=CHECKS, error=SamplePolicyInvalid, name="sample policy")
    assert refusal(tmp_path, "days = [").extra["key"] == "file"


def test_checks_must_cover_every_field() -> None:
    with pytest.raises(TypeError):
        policy.policy_from_mapping({"days": 7}, schema=SamplePolicy, checks={"days": CHECKS["days"]}, error=SamplePolicyInvalid, source="x")


def test_cached_reads_once_and_returns_the_same_object() -> None:
    ctx = SimpleNamespace(resources={})
    calls: list[int] = []

    def loader() -> SamplePolicy:
        calls.append(1)
        return SamplePolicy(days=7, mode="on", photos=True)

    first = policy.cached(ctx, "sample.policy", loader)
    assert policy.cached(ctx, "sample.policy", loader) is first and len(calls) == 1

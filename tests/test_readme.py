"""The README documents every setting and every command an operator can use."""

from __future__ import annotations

import argparse
from pathlib import Path

import msgspec

from window_staff.cli import build_parser
from window_staff.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands(parser: argparse.ArgumentParser, prefix: str = "window-staff") -> list[str]:
    """Every leaf command, e.g. ``window-staff terminals register``."""
    found = []
    for action in parser._actions:  # argparse keeps sub-commands only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, f"{prefix} {name}") or [f"{prefix} {name}"]
    return found


def test_every_setting_has_its_environment_variable_in_the_readme():
    missing = [f"WINDOW_STAFF_{f.name.upper()}" for f in msgspec.structs.fields(Settings) if f"WINDOW_STAFF_{f.name.upper()}" not in README]
    assert missing == []


def test_every_command_is_in_the_readme():
    assert [c for c in commands(build_parser()) if f"`{c}" not in README] == []

"""``window-staff rules check [DIR]``: the command logic, wired into the main CLI elsewhere."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from window_staff.scoring.errors import RuleSetInvalid
from window_staff.scoring.rules import default_rules_dir, load_rules


def check_command(directory: Path | None = None) -> int:
    """Validate a rule directory (default: the configured one); print every error, or a summary. 0 when valid."""
    directory = directory if directory is not None else default_rules_dir()
    try:
        rules = load_rules(directory)
    except RuleSetInvalid as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"INVALID: {len(exc.errors)} error(s) in {directory}", file=sys.stderr)
        return 1
    per_category = Counter(rule.category for rule in rules.rules)
    summary = ", ".join(f"{spec.code} {per_category[spec.code]}" for spec in rules.categories)
    print(f"OK: {len(rules.rules)} rules, version {rules.version}")
    print(f"  {directory}: {', '.join(rules.files)}; {summary}; checklist {len(rules.checklist)} items")
    return 0

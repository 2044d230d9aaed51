"""Start-up refuses a configuration it cannot serve correctly."""

from __future__ import annotations

import pytest

from tests.test_cli import broken_bonus_rules, broken_rules
from window_staff.app import create_app
from window_staff.bonuses.errors import BonusRulesInvalid
from window_staff.scoring.errors import RuleSetInvalid
from window_staff.settings import load_settings


async def test_the_app_does_not_start_with_an_invalid_rule_set(database_url, tmp_path):
    settings = load_settings({}, database_url=database_url, data_dir=tmp_path, face_pool_warm=False, rules_dir=broken_rules(tmp_path))
    app = create_app(settings, configure_logs=False)
    with pytest.raises(BaseExceptionGroup) as refused:  # Litestar runs the lifespan in a task group
        async with app.lifespan():
            pass
    assert refused.group_contains(RuleSetInvalid)


async def test_the_app_does_not_start_with_invalid_bonus_rules(database_url, tmp_path):
    settings = load_settings({}, database_url=database_url, data_dir=tmp_path, face_pool_warm=False, rules_dir=broken_bonus_rules(tmp_path))
    app = create_app(settings, configure_logs=False)
    with pytest.raises(BaseExceptionGroup) as refused:
        async with app.lifespan():
            pass
    assert refused.group_contains(BonusRulesInvalid)

"""The application context: everything a service needs, built once in ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from piccolo.engine.base import Engine

from window_staff.common.clock import Clock, SystemClock
from window_staff.settings import Settings


@dataclass
class AppContext:
    """Settings, the engine, the clock, and the process-wide resources later domains add."""

    settings: Settings
    engine: Engine
    clock: Clock = field(default_factory=SystemClock)
    resources: dict[str, Any] = field(default_factory=dict)

"""The terminals controllers: the public names of ``registry`` here; the rest in sibling modules."""

from window_staff.terminals.controllers.registry import (  # noqa: F401 (the package's face)
    TerminalController,
)

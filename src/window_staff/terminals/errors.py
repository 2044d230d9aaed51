"""Terminal registry errors."""

from window_staff.common.errors import Conflict, NotFound


class TerminalNotFound(NotFound):
    """No such terminal."""

    code = "terminal_not_found"


class TerminalSerialTaken(Conflict):
    """A terminal with that serial is registered already."""

    code = "terminal_serial_taken"


class TerminalStateConflict(Conflict):
    """The terminal is not in a state that allows this (e.g. approving a revoked one)."""

    code = "terminal_state_conflict"

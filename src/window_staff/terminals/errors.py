"""Terminal registry errors."""

from window_staff.common.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated


class TerminalNotFound(NotFound):
    """No such terminal."""

    code = "terminal_not_found"


class TerminalSerialTaken(Conflict):
    """A terminal with that serial is registered already."""

    code = "terminal_serial_taken"


class TerminalStateConflict(Conflict):
    """The terminal is not in a state that allows this (e.g. approving a revoked one)."""

    code = "terminal_state_conflict"


class CheckInInvalid(InvalidInput):
    """A check-in whose fields are missing or malformed."""

    code = "check_in_invalid"
    title = "Invalid check-in"


class EventIdReused(InvalidInput):
    """The same event id came with a different body."""

    code = "event_id_reused"
    title = "This event id was already used for a different check-in"


class SignatureInvalid(Unauthenticated):
    """The request's signature, digest, time or nonce was refused."""

    code = "signature_refused"
    title = "Request signature refused"


class TerminalNotAllowed(Forbidden):
    """An unknown, pending or revoked terminal (ZKTeco push)."""

    code = "terminal_not_allowed"
    title = "Terminal not registered or not approved"

"""Terminal registry errors."""

from window_staff.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from window_staff.common.form import (  # noqa: F401 (a check-in's body errors; declared with the reader)
    ContentTypeUnsupported,
    MultipartInvalid,
    PartTooLarge,
    PartTypeUnsupported,
    TooManyParts,
)


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


class CardNotSet(NotFound):
    """The staff member has no terminal card."""

    code = "card_not_set"
    title = "No terminal card for this staff member"


class CardNumberTaken(Conflict):
    """Another staff member holds that card number."""

    code = "card_number_taken"
    title = "This card number belongs to another staff member"


class CardInputInvalid(InvalidInput):
    """A card number, PIN or override that breaks the rules (e.g. a trivial PIN)."""

    code = "card_input_invalid"
    title = "Invalid card settings"


class DeviceUserIdTaken(Conflict):
    """Another staff member has that user id on a device of the site."""

    code = "device_user_id_taken"
    title = "This device user id belongs to another staff member here"


class StaffNotAtSite(InvalidInput):
    """The staff member is not (or no longer) posted at the site."""

    code = "staff_not_at_site"
    title = "The staff member does not work at this site"


class DeviceUserNotSet(NotFound):
    """No user id of this staff member is set there."""

    code = "device_user_not_set"
    title = "No device user id is set for this staff member here"

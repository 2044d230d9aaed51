"""Terminal registry errors."""

from window_staff.common.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MalformedRequest,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
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


class ContentTypeUnsupported(UnsupportedMediaType):
    """A check-in that is not multipart/form-data."""

    code = "content_type_unsupported"
    title = "Send multipart/form-data"


class PartTypeUnsupported(UnsupportedMediaType):
    """A part declares a content type foreign to its field (e.g. a PDF as the face)."""

    code = "part_type_unsupported"
    title = "A part has a content type its field does not accept"


class MultipartInvalid(MalformedRequest):
    """The multipart framing is broken (boundary, headers, missing end)."""

    code = "multipart_invalid"
    title = "Malformed multipart body"


class TooManyParts(PayloadTooLarge):
    """More parts than a check-in ever needs."""

    code = "too_many_parts"
    title = "Too many parts"


class PartTooLarge(PayloadTooLarge):
    """One part is over its field's size cap."""

    code = "part_too_large"
    title = "A part is too large"


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

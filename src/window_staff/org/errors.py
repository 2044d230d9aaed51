"""Organisation errors."""

from window_staff.common.errors import Conflict, InvalidInput, NotFound


class SiteNotFound(NotFound):
    """No such site."""

    code = "site_not_found"


class DepartmentNotFound(NotFound):
    """No such department."""

    code = "department_not_found"


class WindowNotFound(NotFound):
    """No such window."""

    code = "window_not_found"


class StaffNotFound(NotFound):
    """No such staff member, or not visible to the caller."""

    code = "staff_not_found"


class DuplicateCode(Conflict):
    """A code, number or employee number already in use."""

    code = "duplicate"
    title = "Already exists"


class InvalidReference(InvalidInput):
    """A referenced site, department or window does not exist or does not fit."""

    code = "invalid_reference"


class StaffAlreadyLeft(Conflict):
    """The staff member has already left."""

    code = "staff_already_left"
    title = "Staff member has already left"


class TimeZoneUnknown(InvalidInput):
    """A site time zone that is not an IANA zone name this server knows (e.g. ``Asia/Shanghai``)."""

    code = "time_zone_unknown"
    title = "Unknown time zone"


class PublicPhotoInvalid(InvalidInput):
    """The file is not a photo that can be shown (not JPEG, PNG or WebP, unreadable, or too large)."""

    code = "public_photo_invalid"


class PublicPhotoConsentRequired(InvalidInput):
    """A public photo is kept only with the person's own consent to display it, recorded with its date."""

    code = "public_photo_consent_required"
    title = "The person's consent to show the photo must be recorded first"

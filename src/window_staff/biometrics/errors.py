"""Domain errors of the biometrics package: face, fingerprint, vault, consent and enrolment.

They pickle through ``Exception.__reduce__`` (args plus ``__dict__``), so an error raised in an
encoder worker process arrives in the caller as the same class with the same ``code``, ``extra``
and ``retry_after``; ``tests/biometrics/test_pool.py`` checks it. No error here ever carries a
template, an encoding or a match distance.
"""

from __future__ import annotations

from window_staff.common.errors import (
    Busy,
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unavailable,
    UnsupportedMediaType,
)

# --- face --------------------------------------------------------------------------------------


class FaceImageUnsupported(UnsupportedMediaType):
    """The upload is not a JPEG, PNG, WebP or BMP image (checked by its magic bytes)."""

    code = "image_format_unsupported"
    title = "Only JPEG, PNG, WebP and BMP images are accepted"


class FaceImageTooLarge(PayloadTooLarge):
    """The image is over the byte limit, its declared size over the pixel cap (bombs included), or too big to decode whole."""

    code = "image_too_large"
    title = "Image is too large"


class FaceImageInvalid(InvalidInput):
    """The image claims an accepted format but cannot be decoded (corrupt or truncated)."""

    code = "image_invalid"
    title = "Image cannot be decoded"


class NoFaceFound(InvalidInput):
    """No face was detected in the image."""

    code = "no_face_found"
    title = "No face found in the image"


class MultipleFaces(InvalidInput):
    """More than one face was detected; the terminal must frame a single person."""

    code = "multiple_faces"
    title = "More than one face in the image"


class FaceTooSmall(InvalidInput):
    """The face is too small in the frame for a reliable encoding."""

    code = "face_too_small"
    title = "Face is too small, please come closer to the camera"


class FaceBlurred(InvalidInput):
    """The face is too blurred (moving, out of focus) for a reliable encoding."""

    code = "face_blurred"
    title = "The face is blurred, please hold still and look at the camera"


class EncoderBusy(Busy):
    """All face encoder slots are taken; retry after ``retry_after`` seconds."""

    code = "face_encoder_busy"
    title = "Face encoder is busy"


class ExtractorBusy(EncoderBusy):
    """All fingerprint extraction slots are taken; retry after ``retry_after`` seconds."""

    code = "fingerprint_extractor_busy"
    title = "Fingerprint extractor is busy"


class EncodingInvalid(InvalidInput):
    """A face encoding sent by a terminal is malformed or implausible."""

    code = "face_encoding_invalid"
    title = "Face encoding is invalid"


# --- fingerprint -------------------------------------------------------------------------------


class TemplateFormatError(InvalidInput):
    """A biometric template is malformed (wrong layout, truncated, inconsistent)."""

    code = "fingerprint_template_invalid"
    title = "Fingerprint template is invalid"


class FingerprintQualityTooLow(InvalidInput):
    """Too few usable minutiae or cylinders: ask for another touch."""

    code = "fingerprint_quality_too_low"
    title = "Fingerprint quality too low, please touch the sensor again"


class FingerprintNotSameFinger(Conflict):
    """A new impression does not match the person's earlier impressions of that finger (another finger, or another person)."""

    code = "fingerprint_not_same_finger"
    title = "This impression does not match the earlier impressions of the same finger"


class FingerprintImageInvalid(InvalidInput):
    """The fingerprint image cannot be decoded or is not an accepted format or size."""

    code = "fingerprint_image_invalid"
    title = "Fingerprint image is invalid"


# --- vault -------------------------------------------------------------------------------------


class VaultUnavailable(Unavailable):
    """No template key is configured, so templates can be neither written nor read."""

    code = "vault_key_missing"
    title = "Biometric template key is not configured"


class VaultKeyInvalid(ValueError):
    """The configured key is not 32 bytes of base64 (a start-up failure, not a request error)."""


class TemplateUndecryptable(Conflict):
    """A stored template does not decrypt under this key and its binding (tampered or moved)."""

    code = "template_undecryptable"
    title = "Stored template cannot be decrypted"


# --- consent and enrolment ---------------------------------------------------------------------


class ConsentRequired(Conflict):
    """Enrolment needs an active consent record for that modality (PIPL art. 28-29)."""

    code = "biometric_consent_required"
    title = "No active consent for this biometric modality"


class ConsentAlreadyActive(Conflict):
    """Consent for this modality is already granted and not withdrawn."""

    code = "biometric_consent_already_active"
    title = "Consent is already active"


class ConsentNotActive(Conflict):
    """There is no active consent to withdraw."""

    code = "biometric_consent_not_active"
    title = "No active consent to withdraw"


class FaceDuplicate(Conflict):
    """The new face matches another enrolled staff member: flagged for review, not enrolled."""

    code = "face_matches_other_staff"
    title = "This face matches another enrolled staff member"


class StaffNotEnrolable(Conflict):
    """The staff member has left, or has no window (hence no site gallery) yet."""

    code = "staff_not_enrolable"
    title = "Staff member cannot be enrolled"


class TooManyTemplates(Conflict):
    """The per-person template cap for the modality is reached: delete a capture first."""

    code = "too_many_templates"
    title = "Too many templates for this staff member"


class TemplateNotFound(NotFound):
    """No such template for that staff member."""

    code = "template_not_found"


class ManifestInvalid(InvalidInput):
    """An enrolment manifest is malformed; the message names the file, the person or line, and the key."""

    code = "enrolment_manifest_invalid"
    title = "Enrolment manifest is invalid"

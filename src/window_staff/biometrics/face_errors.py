"""Domain errors of the face engine (to be merged into ``biometrics.errors``).

They pickle through ``Exception.__reduce__`` (args plus ``__dict__``), so an error raised in an
encoder worker process arrives in the caller as the same class with the same ``code``, ``extra``
and ``retry_after``; ``tests/biometrics/test_pool.py`` checks it.
"""

from __future__ import annotations

from window_staff.common.errors import Busy, InvalidInput, PayloadTooLarge, UnsupportedMediaType


class FaceImageUnsupported(UnsupportedMediaType):
    """The upload is not a JPEG or PNG image (checked by its magic bytes)."""

    code = "image_format_unsupported"
    title = "Only JPEG and PNG images are accepted"


class FaceImageTooLarge(PayloadTooLarge):
    """The image is over the byte or pixel limit (including decompression bombs)."""

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


class EncoderBusy(Busy):
    """All face encoder slots are taken; retry after ``retry_after`` seconds."""

    code = "face_encoder_busy"
    title = "Face encoder is busy"


class EncodingInvalid(InvalidInput):
    """A face encoding sent by a terminal is malformed or implausible."""

    code = "face_encoding_invalid"
    title = "Face encoding is invalid"

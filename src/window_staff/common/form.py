"""Reading a terminal's multipart body ourselves, with our limits (pure).

Litestar's ``request.form()`` answers 400 when its part limit trips (litestar issue #4439), decodes
every part without a filename as UTF-8 (binary bytes there raised UnicodeDecodeError, a 500) and
spools files to temporary storage. The body is already in memory (the signature covers it), so it
is parsed here in one pass: every value stays bytes, each field has its own size cap and its own
accepted declared types, and the number of parts is bounded before anything is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser, parse_options_header

from window_staff.common.errors import InvalidInput, MalformedRequest, PayloadTooLarge, UnsupportedMediaType


class ContentTypeUnsupported(UnsupportedMediaType):
    """A body that is not multipart/form-data."""

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
    """More parts than the request ever needs."""

    code = "too_many_parts"
    title = "Too many parts"


class PartTooLarge(PayloadTooLarge):
    """One part is over its field's size cap."""

    code = "part_too_large"
    title = "A part is too large"


class UnknownField(InvalidInput):
    """A part named after no field the request takes."""

    code = "unknown_field"
    title = "Invalid request"


TEXT_TYPES = frozenset({None, "text/plain"})
BINARY_TYPES = frozenset({None, "application/octet-stream"})
IMAGE_TYPES = frozenset({None, "application/octet-stream", "image/jpeg", "image/png", "image/tiff"})
# What browsers and phones declare for photos. HEIC is declared-accepted so that it gets the decoder's
# "format unsupported" answer naming the formats we take, rather than a bare part-type refusal.
FACE_IMAGE_TYPES = IMAGE_TYPES | {"image/webp", "image/bmp", "image/heic", "image/heif"}
TEXT_LIMIT = 256


@dataclass(frozen=True, slots=True)
class Field:
    """What a field may hold: its size cap in bytes and the declared part types accepted."""

    limit: int
    types: frozenset[str | None]


def text_field() -> Field:
    """A short text field (ids, times, numbers)."""
    return Field(TEXT_LIMIT, TEXT_TYPES)


def read_multipart(body: bytes, content_type: str, *, fields: Mapping[str, Field], max_parts: int) -> dict[str, list[bytes]]:
    """Split a multipart/form-data body into {name: [bytes, ...]}, refusing anything outside ``fields``."""
    media, options = parse_options_header(content_type or "")
    if media != "multipart/form-data":
        raise ContentTypeUnsupported(f"send multipart/form-data, not {media or 'no content type'}")
    boundary = options.get("boundary")
    if not boundary or len(boundary) > 200:
        raise MultipartInvalid("multipart boundary missing or too long in Content-Type")
    if not body:
        raise MultipartInvalid("empty body")
    out: dict[str, list[bytes]] = {}
    parts = 0
    segment: MultipartSegment | None = None
    field: Field | None = None
    chunks: list[bytes] = []
    size = 0
    try:
        # max_segment_count stops the parser itself, so thousands of tiny parts cost nothing to refuse.
        with PushMultipartParser(boundary, max_segment_count=max_parts + 1, max_header_count=8) as parser:
            # The empty chunk tells the push parser the body has ended.
            for event in (e for chunk in (body, b"") for e in parser.parse(chunk)):
                if isinstance(event, MultipartSegment):
                    parts += 1
                    if parts > max_parts:
                        raise TooManyParts(f"more than {max_parts} parts", limit=max_parts)
                    segment, field = event, _field_of(event, fields)
                    chunks, size = [], 0
                elif event:
                    assert field is not None and segment is not None
                    size += len(event)
                    if size > field.limit:
                        raise PartTooLarge(f"part {segment.name!r} is over {field.limit} bytes", limit=field.limit, part=segment.name)
                    chunks.append(bytes(event))
                else:
                    assert segment is not None
                    out.setdefault(segment.name or "", []).append(b"".join(chunks))
                    segment, field = None, None
            if not parser.closed:
                raise MultipartInvalid("multipart body ends before its closing boundary")
    except ParserLimitReached:
        raise TooManyParts(f"more than {max_parts} parts", limit=max_parts) from None
    except ParserError as exc:
        raise MultipartInvalid(f"malformed multipart body: {str(exc)[:120]}") from None
    return out


def first_text_part(body: bytes, content_type: str, *, name: str) -> str | None:
    """The first part called ``name`` as text (at most ``TEXT_LIMIT`` bytes), else None; other parts are skipped, not judged."""
    media, options = parse_options_header(content_type or "")
    boundary = options.get("boundary")
    if media != "multipart/form-data" or not boundary or len(boundary) > 200:
        return None
    wanted = False
    chunks: list[bytes] = []
    # No ``with``: leaving the parser before the closing boundary is what we want here, not an error.
    parser = PushMultipartParser(boundary, max_header_count=8)
    try:
        for event in (e for chunk in (body, b"") for e in parser.parse(chunk)):
            if isinstance(event, MultipartSegment):
                wanted, chunks = event.name == name, []
            elif event and wanted:
                chunks.append(bytes(event))
                if sum(map(len, chunks)) > TEXT_LIMIT:
                    return None
            elif not event and wanted:
                return b"".join(chunks).decode("utf-8", "replace")
    except (ParserError, ParserLimitReached):
        return None
    return None


def _field_of(segment: MultipartSegment, fields: Mapping[str, Field]) -> Field:
    if segment.disposition != "form-data" or not segment.name:
        raise MultipartInvalid("each part needs Content-Disposition: form-data with a name")
    field = fields.get(segment.name)
    if field is None:
        raise UnknownField(f"unknown field {segment.name[:64]!r}")
    # Declared types are claims (formats are decided by magic bytes), but a part that declares a
    # type foreign to its field is a client bug worth a clear 415 rather than a guess.
    if segment.content_type not in field.types:
        raise PartTypeUnsupported(f"part {segment.name!r} declared {segment.content_type[:80]!r}", part=segment.name)
    return field

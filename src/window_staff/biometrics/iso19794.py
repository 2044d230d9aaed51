"""ISO/IEC 19794-2:2005 finger minutiae record: strict reader and writer.

Layout (big-endian): a 24-byte header, then finger views of 4 + 6*N + 2 + ext bytes each.
See /work/shared/FINGERPRINTS.md. Every violation raises ``TemplateFormatError`` naming the field
and its byte offset, because templates arrive from terminals and must never be half-trusted.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

from window_staff.biometrics.errors import TemplateFormatError

MAGIC = b"FMR\x00"
VERSION = b" 20\x00"
HEADER_SIZE = 24
MINUTIA_SIZE = 6
MIN_RESOLUTION = 99  # pixels per cm, about 250 dpi
COORD_MAX = 0x3FFF  # 14 bits
IMPRESSION_TYPES = frozenset({0, 1, 2, 3, 8})
MINUTIA_KINDS = frozenset({0, 1, 2})  # 3 is reserved
KIND_OTHER, KIND_RIDGE_ENDING, KIND_BIFURCATION = 0, 1, 2

_HEADER = struct.Struct(">4s4sIHHHHHBB")
_MINUTIA = struct.Struct(">HHBB")


@dataclass(frozen=True, slots=True)
class Minutia:
    """One minutia in ISO conventions: origin top-left, y down, angle in 1.40625-degree units."""

    kind: int
    x: int
    y: int
    angle: int
    quality: int = 0


@dataclass(frozen=True, slots=True)
class FingerView:
    """One finger view: its minutiae and the raw extended-data blocks (validated, kept verbatim)."""

    position: int
    view_number: int
    impression_type: int
    quality: int
    minutiae: tuple[Minutia, ...]
    extended_data: bytes = b""


@dataclass(frozen=True, slots=True)
class FingerRecord:
    """A whole finger minutiae record."""

    capture_equipment: int
    width: int
    height: int
    x_resolution: int
    y_resolution: int
    views: tuple[FingerView, ...]


def _fail(offset: int, message: str) -> TemplateFormatError:
    return TemplateFormatError(f"ISO 19794-2 record: {message} at byte {offset}", offset=offset)


def _check_extended(data: bytes, *, offset: int) -> None:
    """Walk the extension blocks so a length that does not add up is caught."""
    pos = 0
    while pos < len(data):
        if len(data) - pos < 4:
            raise _fail(offset + pos, "truncated extension block header")
        block_type, block_len = struct.unpack_from(">HH", data, pos)
        if block_type == 0:
            raise _fail(offset + pos, "extension block type 0 is reserved")
        if pos + 4 + block_len > len(data):
            raise _fail(offset + pos + 2, f"extension block length {block_len} runs past the extended data")
        pos += 4 + block_len


def _check_header_fields(*, equipment: int, width: int, height: int, xres: int, yres: int) -> None:
    if equipment & 0x7000:
        raise _fail(12, "reserved bits of capture equipment are set")
    if width == 0:
        raise _fail(14, "image width is zero")
    if height == 0:
        raise _fail(16, "image height is zero")
    if xres < MIN_RESOLUTION:
        raise _fail(18, f"x resolution {xres} px/cm is below {MIN_RESOLUTION}")
    if yres < MIN_RESOLUTION:
        raise _fail(20, f"y resolution {yres} px/cm is below {MIN_RESOLUTION}")


def _check_view_fields(view: FingerView, *, offset: int) -> None:
    if not 0 <= view.position <= 10:
        raise _fail(offset, f"finger position {view.position} is not 0-10")
    if not 0 <= view.view_number <= 15:
        raise _fail(offset + 1, f"view number {view.view_number} is not 0-15")
    if view.impression_type not in IMPRESSION_TYPES:
        raise _fail(offset + 1, f"impression type {view.impression_type} is not one of 0, 1, 2, 3, 8")
    if not 0 <= view.quality <= 100:
        raise _fail(offset + 2, f"finger quality {view.quality} is not 0-100")
    if len(view.minutiae) > 255:
        raise _fail(offset + 3, f"{len(view.minutiae)} minutiae, at most 255 allowed")


def _check_minutia(m: Minutia, *, offset: int, width: int, height: int) -> None:
    if m.kind not in MINUTIA_KINDS:
        raise _fail(offset, f"minutia type {m.kind} is reserved")
    if not 0 <= m.x < width:
        raise _fail(offset, f"minutia x {m.x} outside image width {width}")
    if not 0 <= m.y < height:
        raise _fail(offset + 2, f"minutia y {m.y} outside image height {height}")
    if not 0 <= m.angle <= 255:
        raise _fail(offset + 4, f"minutia angle {m.angle} is not 0-255")
    if not 0 <= m.quality <= 100:
        raise _fail(offset + 5, f"minutia quality {m.quality} is not 0-100")


def parse_record(data: bytes) -> FingerRecord:
    """Parse and strictly validate an ISO/IEC 19794-2:2005 finger minutiae record."""
    data = bytes(data)
    if len(data) < HEADER_SIZE:
        raise _fail(len(data), f"truncated header ({len(data)} of {HEADER_SIZE} bytes)")
    magic, version, total, equipment, width, height, xres, yres, n_views, reserved = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise _fail(0, f"bad format identifier {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise _fail(4, f"unsupported version {version!r}, expected {VERSION!r} (2005)")
    if total != len(data):
        kind = "truncated data" if total > len(data) else "trailing bytes"
        raise _fail(8, f"record length field says {total} but {len(data)} bytes given ({kind})")
    _check_header_fields(equipment=equipment, width=width, height=height, xres=xres, yres=yres)
    if n_views == 0:
        raise _fail(22, "record holds no finger view")
    if reserved != 0:
        raise _fail(23, "reserved header byte is not zero")
    views: list[FingerView] = []
    seen: set[tuple[int, int]] = set()
    pos = HEADER_SIZE
    for _ in range(n_views):
        start = pos
        if len(data) - pos < 4:
            raise _fail(pos, "truncated finger view header")
        position, view_byte, quality, count = data[pos], data[pos + 1], data[pos + 2], data[pos + 3]
        pos += 4
        if len(data) - pos < count * MINUTIA_SIZE + 2:
            raise _fail(pos, f"truncated minutiae: {count} announced")
        minutiae = []
        for _ in range(count):
            xw, yw, angle, mq = _MINUTIA.unpack_from(data, pos)
            if yw & 0xC000:
                raise _fail(pos + 2, "reserved bits of minutia y are set")
            m = Minutia(kind=xw >> 14, x=xw & COORD_MAX, y=yw, angle=angle, quality=mq)
            _check_minutia(m, offset=pos, width=width, height=height)
            minutiae.append(m)
            pos += MINUTIA_SIZE
        (ext_len,) = struct.unpack_from(">H", data, pos)
        if len(data) - pos - 2 < ext_len:
            raise _fail(pos, f"extended data length {ext_len} runs past the record")
        extended = data[pos + 2 : pos + 2 + ext_len]
        _check_extended(extended, offset=pos + 2)
        pos += 2 + ext_len
        view = FingerView(
            position=position,
            view_number=view_byte >> 4,
            impression_type=view_byte & 0x0F,
            quality=quality,
            minutiae=tuple(minutiae),
            extended_data=extended,
        )
        _check_view_fields(view, offset=start)
        key = (view.position, view.view_number)
        if key in seen:
            raise _fail(start, f"duplicate finger view (position {key[0]}, view {key[1]})")
        seen.add(key)
        views.append(view)
    if pos != len(data):
        raise _fail(pos, f"{len(data) - pos} trailing bytes after the last finger view")
    return FingerRecord(
        capture_equipment=equipment,
        width=width,
        height=height,
        x_resolution=xres,
        y_resolution=yres,
        views=tuple(views),
    )


def write_record(record: FingerRecord) -> bytes:
    """Serialise a record, applying the same checks as ``parse_record`` (offsets refer to the output)."""
    _check_header_fields(
        equipment=record.capture_equipment,
        width=record.width,
        height=record.height,
        xres=record.x_resolution,
        yres=record.y_resolution,
    )
    if record.capture_equipment > 0xFFFF or record.width > 0xFFFF or record.height > 0xFFFF:
        raise _fail(12, "header field does not fit in 16 bits")
    if record.x_resolution > 0xFFFF or record.y_resolution > 0xFFFF:
        raise _fail(18, "resolution does not fit in 16 bits")
    if not 1 <= len(record.views) <= 255:
        raise _fail(22, f"{len(record.views)} finger views, need 1-255")
    body = bytearray()
    seen: set[tuple[int, int]] = set()
    for view in record.views:
        start = HEADER_SIZE + len(body)
        _check_view_fields(view, offset=start)
        key = (view.position, view.view_number)
        if key in seen:
            raise _fail(start, f"duplicate finger view (position {key[0]}, view {key[1]})")
        seen.add(key)
        body += bytes((view.position, view.view_number << 4 | view.impression_type, view.quality, len(view.minutiae)))
        for m in view.minutiae:
            _check_minutia(m, offset=HEADER_SIZE + len(body), width=record.width, height=record.height)
            if m.x > COORD_MAX or m.y > COORD_MAX:
                raise _fail(HEADER_SIZE + len(body), "minutia coordinate does not fit in 14 bits")
            body += _MINUTIA.pack(m.kind << 14 | m.x, m.y, m.angle, m.quality)
        if len(view.extended_data) > 0xFFFF:
            raise _fail(HEADER_SIZE + len(body), "extended data longer than 65535 bytes")
        _check_extended(view.extended_data, offset=HEADER_SIZE + len(body) + 2)
        body += struct.pack(">H", len(view.extended_data)) + view.extended_data
    header = _HEADER.pack(
        MAGIC,
        VERSION,
        HEADER_SIZE + len(body),
        record.capture_equipment,
        record.width,
        record.height,
        record.x_resolution,
        record.y_resolution,
        len(record.views),
        0,
    )
    return header + bytes(body)


def dpi_to_ppcm(dpi: float) -> int:
    """Convert dots per inch to the pixels-per-centimetre unit of the header (500 dpi -> 197)."""
    return int(dpi / 2.54 + 0.5)


def degrees_to_iso(degrees: float) -> int:
    """Convert a counter-clockwise angle in degrees to ISO 256-step units."""
    return int(round(degrees / 1.40625)) % 256


def record_from_minutiae(
    minutiae: Iterable[Minutia],
    *,
    width: int,
    height: int,
    dpi: int = 500,
    position: int = 0,
    quality: int = 0,
    impression_type: int = 0,
    capture_equipment: int = 0,
) -> FingerRecord:
    """Build a one-view record from minutiae already in ISO conventions (quality 0 = not reported)."""
    res = dpi_to_ppcm(dpi)
    view = FingerView(
        position=position,
        view_number=0,
        impression_type=impression_type,
        quality=quality,
        minutiae=tuple(minutiae),
    )
    record = FingerRecord(
        capture_equipment=capture_equipment,
        width=width,
        height=height,
        x_resolution=res,
        y_resolution=res,
        views=(view,),
    )
    write_record(record)  # validates every field now rather than when the record is stored
    return record

"""ISO/IEC 19794-2:2005 reader and writer."""

from __future__ import annotations

import dataclasses
import os
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from window_staff.biometrics.errors import TemplateFormatError
from window_staff.biometrics.iso19794 import (
    FingerRecord,
    FingerView,
    Minutia,
    parse_record,
    record_from_minutiae,
    write_record,
)

SHARED = Path(os.environ.get("WINDOW_STAFF_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
FVC = SHARED / "fingerprints" / "fvc2002"
ISO_FILES = sorted(FVC.glob("DB*_B/*.iso")) if FVC.is_dir() else []


def _record(**overrides) -> FingerRecord:
    mins = (Minutia(kind=1, x=10, y=20, angle=64, quality=50), Minutia(kind=2, x=100, y=200, angle=255, quality=0))
    view = FingerView(position=2, view_number=0, impression_type=0, quality=60, minutiae=mins)
    base = dict(capture_equipment=0, width=300, height=400, x_resolution=197, y_resolution=197, views=(view,))
    base.update(overrides)
    return FingerRecord(**base)


def _bytes(**overrides) -> bytes:
    return write_record(_record(**overrides))


def _patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def _with_length_fixed(data: bytes) -> bytes:
    return _patch(data, 8, struct.pack(">I", len(data)))


@pytest.mark.skipif(not ISO_FILES, reason="FVC2002 .iso files not found under ../shared/data")
def test_fvc_records_round_trip_byte_for_byte():
    for path in ISO_FILES:
        data = path.read_bytes()
        assert write_record(parse_record(data)) == data, path.name


def test_one_view_without_extensions_is_30_plus_6n_bytes():
    assert len(_bytes()) == 30 + 6 * 2


def test_parse_reads_back_written_fields():
    record = _record()
    assert parse_record(write_record(record)) == record


def test_minutia_bits_are_packed_type_high_and_y_reserved_zero():
    data = _bytes()
    assert data[28:34] == bytes.fromhex("400a00144032")


@pytest.mark.parametrize("cut", [0, 10, 23, 24, 27, 33, 40])
def test_truncated_record_is_rejected(cut):
    data = _bytes()[:cut]
    with pytest.raises(TemplateFormatError):
        parse_record(data)


def test_truncated_record_with_consistent_length_field_is_rejected():
    with pytest.raises(TemplateFormatError, match="truncated"):
        parse_record(_with_length_fixed(_bytes()[:-3]))


def test_trailing_bytes_are_rejected():
    with pytest.raises(TemplateFormatError, match="trailing"):
        parse_record(_with_length_fixed(_bytes() + b"\x00"))


def test_length_field_mismatch_is_rejected_with_its_offset():
    data = _patch(_bytes(), 8, struct.pack(">I", 999))
    with pytest.raises(TemplateFormatError, match="at byte 8"):
        parse_record(data)


@pytest.mark.parametrize(
    ("offset", "value", "what"),
    [
        (0, b"FMX\x00", "format identifier"),
        (4, b" 30\x00", "version"),
        (12, b"\x10\x00", "capture equipment"),
        (14, b"\x00\x00", "width"),
        (16, b"\x00\x00", "height"),
        (18, b"\x00\x62", "x resolution"),
        (20, b"\x00\x62", "y resolution"),
        (22, b"\x00", "no finger view"),
        (23, b"\x01", "reserved header byte"),
        (24, b"\x0b", "finger position"),
        (25, b"\x04", "impression type"),
        (26, b"\x65", "finger quality"),
        (28, b"\xc0", "minutia type"),
        (30, b"\x40", "reserved bits of minutia y"),
        (33, b"\x65", "minutia quality"),
    ],
)
def test_invalid_field_is_rejected_naming_it(offset, value, what):
    with pytest.raises(TemplateFormatError, match=what):
        parse_record(_patch(_bytes(), offset, value))


def test_minutia_outside_the_image_is_rejected():
    data = _patch(_bytes(), 28, struct.pack(">H", 1 << 14 | 300))
    with pytest.raises(TemplateFormatError, match="outside image width"):
        parse_record(data)


def test_duplicate_finger_view_is_rejected():
    view = _record().views[0]
    with pytest.raises(TemplateFormatError, match="duplicate"):
        write_record(_record(views=(view, view)))
    good = _bytes(views=(view, dataclasses.replace(view, view_number=1)))
    # Same view number twice in the bytes: the second view's byte 1 is at 24 + 42 + 1.
    second = 24 + (4 + 6 * 2 + 2) + 1
    with pytest.raises(TemplateFormatError, match="duplicate"):
        parse_record(_patch(good, second, b"\x00"))


def test_extension_block_longer_than_extended_data_is_rejected():
    view = dataclasses.replace(_record().views[0], extended_data=b"\x00\x01\x00\x02ab")
    data = _bytes(views=(view,))
    ext = 24 + 4 + 12 + 2
    with pytest.raises(TemplateFormatError, match="extension block length"):
        parse_record(_patch(data, ext + 2, b"\x00\x09"))


def test_extended_data_length_past_record_is_rejected():
    data = _bytes()
    with pytest.raises(TemplateFormatError, match="extended data length"):
        parse_record(_patch(data, 24 + 4 + 12, b"\x00\x05"))


def test_extension_blocks_are_kept_verbatim():
    view = dataclasses.replace(_record().views[0], extended_data=b"\x00\x01\x00\x02ab\x01\x00\x00\x00")
    assert parse_record(_bytes(views=(view,))).views[0].extended_data == view.extended_data


def test_writer_rejects_minutia_outside_the_image():
    bad = dataclasses.replace(_record().views[0], minutiae=(Minutia(kind=1, x=5, y=400, angle=0, quality=0),))
    with pytest.raises(TemplateFormatError, match="outside image height"):
        write_record(_record(views=(bad,)))


def test_record_from_minutiae_writes_500_dpi_as_197_px_per_cm():
    record = record_from_minutiae([Minutia(kind=1, x=1, y=2, angle=3, quality=4)], width=10, height=10)
    assert (record.x_resolution, record.y_resolution) == (197, 197)
    assert parse_record(write_record(record)) == record


_minutia = st.builds(
    Minutia,
    kind=st.sampled_from([0, 1, 2]),
    x=st.integers(0, 199),
    y=st.integers(0, 299),
    angle=st.integers(0, 255),
    quality=st.integers(0, 100),
)
_block = st.tuples(st.integers(1, 0xFFFF), st.binary(max_size=12)).map(lambda tb: struct.pack(">HH", tb[0], len(tb[1])) + tb[1])
_view = st.builds(
    FingerView,
    position=st.integers(0, 10),
    view_number=st.integers(0, 15),
    impression_type=st.sampled_from([0, 1, 2, 3, 8]),
    quality=st.integers(0, 100),
    minutiae=st.lists(_minutia, max_size=40).map(tuple),
    extended_data=st.lists(_block, max_size=3).map(b"".join),
)


@st.composite
def _records(draw):
    views = draw(st.lists(_view, min_size=1, max_size=4, unique_by=lambda v: (v.position, v.view_number)))
    return FingerRecord(
        capture_equipment=draw(st.integers(0, 0x0FFF)) | draw(st.sampled_from([0, 0x8000])),
        width=draw(st.integers(200, 0x3FFF)),
        height=draw(st.integers(300, 0x3FFF)),
        x_resolution=draw(st.integers(99, 0xFFFF)),
        y_resolution=draw(st.integers(99, 0xFFFF)),
        views=tuple(views),
    )


@settings(max_examples=200, deadline=None)
@given(_records())
def test_write_then_parse_round_trips_any_valid_record(record):
    data = write_record(record)
    assert parse_record(data) == record
    assert write_record(parse_record(data)) == data

"""A terminal's side of the protocol: build a signed multipart check-in or JSON batch (for the simulators and tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx

from window_staff.biometrics.images import media_type_of
from window_staff.terminals.signatures import sign

CHECK_IN_PATH = "/api/v1/terminal/check-ins"


@dataclass(frozen=True, slots=True)
class CheckInEvent:
    """One event as a terminal holds it in its buffer until acknowledged."""

    event_id: str
    captured_at: dt.datetime
    face_encoding: bytes | None = None
    face_image: bytes | None = None
    fingerprint: bytes | None = None
    fingerprint_image: bytes | None = None
    dpi: int | None = None
    employee_no: str | None = None
    card_no: str | None = None
    pin: str | None = None


def build_request(
    client: httpx.AsyncClient,
    event: CheckInEvent,
    *,
    serial: str,
    secret: bytes,
    created: dt.datetime | None = None,
    nonce: str | None = None,
) -> httpx.Request:
    """A signed multipart request for one event."""
    data = {"event_id": event.event_id, "captured_at": event.captured_at.isoformat()}
    if event.employee_no:
        data["employee_no"] = event.employee_no
    if event.dpi:
        data["dpi"] = str(event.dpi)
    if event.card_no is not None:
        data["card_no"] = event.card_no
    if event.pin is not None:
        data["pin"] = event.pin
    # name -> (filename, content, content type); form fields sent as parts have no filename and no type
    files: dict[str, tuple[str | None, bytes | str] | tuple[str | None, bytes | str, str]] = {}
    for name, value, ctype in (
        ("face_encoding", event.face_encoding, "application/octet-stream"),
        ("face", event.face_image, media_type_of(event.face_image or b"") or "application/octet-stream"),
        ("fingerprint", event.fingerprint, "application/octet-stream"),
        ("fingerprint_image", event.fingerprint_image, "image/png"),
    ):
        if value is not None:
            files[name] = (name, value, ctype)
    if not files:
        # Without a file httpx would send urlencoded; the API takes multipart only (card + PIN has no file).
        files, data = {name: (None, value) for name, value in data.items()}, {}
    request = client.build_request("POST", CHECK_IN_PATH, data=data, files=files)
    body = request.read()
    headers = sign("POST", str(request.url), body, key_id=serial, secret=secret, created=created, nonce=nonce)
    request.headers.update(headers)
    return request


def build_json_request(
    client: httpx.AsyncClient, path: str, body: bytes, *, serial: str, secret: bytes, created: dt.datetime | None = None
) -> httpx.Request:
    """A signed JSON POST (a queue device's batch of events), signed like a check-in."""
    request = client.build_request("POST", path, content=body, headers={"content-type": "application/json"})
    request.headers.update(sign("POST", str(request.url), body, key_id=serial, secret=secret, created=created))
    return request


async def send(
    client: httpx.AsyncClient,
    event: CheckInEvent,
    *,
    serial: str,
    secret: bytes,
    created: dt.datetime | None = None,
    nonce: str | None = None,
) -> httpx.Response:
    """Sign and send one event."""
    return await client.send(build_request(client, event, serial=serial, secret=secret, created=created, nonce=nonce))

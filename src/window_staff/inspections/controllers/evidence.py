"""Evidence photo routes: upload (multipart, our own reader), list, download, remove."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide

from window_staff.common.context import AppContext
from window_staff.common.form import Field, UnknownField, read_multipart
from window_staff.common.guards import authenticated, provide_principal, roles
from window_staff.common.principal import Principal
from window_staff.common.web import read_body
from window_staff.inspections.errors import EvidenceInvalid, EvidenceTooLarge
from window_staff.inspections.evidence import PHOTO_TYPES
from window_staff.inspections.schemas.evidence import EvidenceOut
from window_staff.inspections.service import evidence as service

# Declared part types are claims; the format is decided by magic bytes. A foreign claim is a 415.
# A static ceiling for the route (Litestar answers 413 itself past it); the policy's smaller cap is
# enforced on Content-Length and on the part, both as 413 with a problem body.
BODY_CEILING = 64 * 1024 * 1024
MULTIPART_OVERHEAD = 16 * 1024
MAX_PARTS = 2

# Served photos: never cached by shared caches or the browser, never sniffed into HTML or script.
PHOTO_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def photo_response(photo: service.Photo) -> Response[bytes]:
    """A served photo with its type, safe inline name and no-store, nosniff headers (also for the board)."""
    headers = dict(PHOTO_HEADERS)
    headers["Content-Disposition"] = f'inline; filename="{photo.filename}"'
    return Response(photo.data, media_type=photo.media_type, headers=headers)


class EvidenceController(Controller):
    """Evidence photos of findings."""

    path = "/api/v1/inspections"
    tags = ["inspections"]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/findings/{finding_id:int}/evidence", guards=[roles("inspector", "inspection_lead")], request_max_body_size=BODY_CEILING)
    async def upload(self, ctx: AppContext, principal: Principal, request: Request, finding_id: int) -> Response[EvidenceOut]:
        """Add a JPEG/PNG photo (multipart field ``photo``); metadata is stripped; the same photo twice answers 200 with the first."""
        data = await _photo_part(ctx, request)
        out, created = await service.upload(ctx, principal, finding_id, data)
        return Response(out, status_code=201 if created else 200)

    @get("/findings/{finding_id:int}/evidence", guards=[authenticated])
    async def list_evidence(self, ctx: AppContext, principal: Principal, finding_id: int) -> list[EvidenceOut]:
        """The photos of a finding the caller may see."""
        return await service.list_evidence(ctx, principal, finding_id)

    @get("/evidence/{evidence_id:int}", guards=[authenticated], response_description="The photo (image/jpeg or image/png)")
    async def download(self, ctx: AppContext, principal: Principal, evidence_id: int) -> Response[bytes]:
        """The stripped photo, for whoever may see its finding (404 otherwise)."""
        return photo_response(await service.photo(ctx, principal, evidence_id))

    @delete("/evidence/{evidence_id:int}", guards=[roles("inspection_lead")], status_code=200)
    async def remove(self, ctx: AppContext, principal: Principal, evidence_id: int) -> EvidenceOut:
        """Remove a photo (soft: kept for the record, no longer served)."""
        return await service.remove(ctx, principal, evidence_id)


async def _photo_part(ctx: AppContext, request: Request) -> bytes:
    limit = service.upload_limit(ctx)
    # Refused on an announced oversize Content-Length before reading, and while a chunked body streams in
    # (Litestar's multipart limit would say 400; reading it whole would hold the route's 64 MiB ceiling).
    body = await read_body(
        request,
        limit=limit + MULTIPART_OVERHEAD,
        too_large=lambda: EvidenceTooLarge(f"the body is over {limit} bytes", limit_bytes=limit),
    )
    try:
        form = read_multipart(
            body, request.headers.get("content-type", ""), fields={"photo": Field(limit, PHOTO_TYPES)}, max_parts=MAX_PARTS
        )
    except UnknownField as exc:
        # The reader speaks check-in; an unknown field here is an evidence request error.
        raise EvidenceInvalid(exc.detail, code=exc.code) from None
    photos = form.get("photo", [])
    if len(photos) != 1:
        raise EvidenceInvalid("send exactly one part named 'photo'", code="photo_part_required")
    return photos[0]

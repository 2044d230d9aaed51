"""Enrolment desk routes: consent, face and fingerprint enrolment, status, deletion. Never a template out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter

from window_staff.biometrics import service
from window_staff.biometrics.guards import CONSENT_FULL_READERS, can_enrol, can_read_consent, can_read_summary, can_withdraw_consent
from window_staff.biometrics.schemas import ConsentIn, ConsentOut, ConsentStatusOut, DeletedOut, EnrolmentOut, SummaryOut, TemplateOut
from window_staff.common.context import AppContext
from window_staff.common.guards import provide_principal
from window_staff.common.principal import Principal
from window_staff.settings import FACE_BODY_LIMIT

# Route-level caps for uploads, plus multipart overhead: a fingerprint file, and a face photo (phone
# photos run to ~25 MB). The image itself is further held to ``upload_limit_bytes`` or to
# ``face_image_limit_bytes`` and the pixel caps by the decoder; a body over these is 413 from Litestar.
ENROL_BODY_LIMIT = 8 * 1024 * 1024 + 64 * 1024
_MULTIPART = Body(media_type=RequestEncodingType.MULTI_PART)


@dataclass
class FaceUpload:
    """A face photo (JPEG, PNG, WebP or BMP) with exactly one face; ``confirm_lookalike`` once HR has checked that a look-alike (twin) is
    another person."""

    image: UploadFile
    confirm_lookalike: bool = False


@dataclass
class FingerprintUpload:
    """An ISO/IEC 19794-2:2005 record, or a grey-scale image with its dpi and finger position (0-10)."""

    file: UploadFile
    dpi: int | None = None
    position: int | None = None


def _scope(principal: Principal) -> int | None:
    """None for roles that see everyone; the caller's own staff id (or -1) otherwise."""
    return None if principal.has_any(*CONSENT_FULL_READERS) else (principal.staff_id or -1)


class BiometricsController(Controller):
    """Biometric consent and enrolment for the enrolment desk."""

    path = "/api/v1/biometrics"
    tags = ["biometrics"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/summary", guards=[can_read_summary])
    async def summary(self, ctx: AppContext) -> SummaryOut:
        """How many staff have face and fingerprint templates and active consents."""
        return await service.summary(ctx)

    @get("/staff/{staff_id:int}", guards=[can_enrol])
    async def enrolment(self, ctx: AppContext, staff_id: int) -> EnrolmentOut:
        """A staff member's enrolment: consent, counts and quality per template."""
        return await service.enrolment(ctx, staff_id)

    @get("/staff/{staff_id:int}/consents", guards=[can_read_consent])
    async def consents(self, ctx: AppContext, principal: Principal, staff_id: int) -> ConsentStatusOut:
        """Consent status and history (a staff user may read only their own)."""
        return await service.consent_status(ctx, staff_id, only_staff_id=_scope(principal))

    @post("/staff/{staff_id:int}/consents", guards=[can_enrol], request_max_body_size=4096)
    async def grant(self, ctx: AppContext, principal: Principal, staff_id: int, data: ConsentIn) -> ConsentOut:
        """Record a signed consent for one modality."""
        return await service.grant_consent(ctx, staff_id, data, actor=principal.actor)

    @post(
        "/staff/{staff_id:int}/consents/{modality:str}/withdraw", guards=[can_withdraw_consent], status_code=200, request_max_body_size=1024
    )
    async def withdraw(self, ctx: AppContext, principal: Principal, staff_id: int, modality: str) -> ConsentOut:
        """Withdraw consent (HR, or the staff member themself); that modality's templates are deleted."""
        only = None if principal.has_any("hr") else (principal.staff_id or -1)
        return await service.withdraw_consent(ctx, staff_id, modality, actor=principal.actor, only_staff_id=only)

    @post("/staff/{staff_id:int}/face", guards=[can_enrol], request_max_body_size=FACE_BODY_LIMIT)
    async def enrol_face(
        self, ctx: AppContext, principal: Principal, staff_id: int, data: Annotated[FaceUpload, _MULTIPART]
    ) -> TemplateOut:
        """Enrol a face photo (multipart field ``image``)."""
        image = await data.image.read()
        return await service.enrol_face_image(ctx, staff_id, image=image, actor=principal.actor, confirm_lookalike=data.confirm_lookalike)

    @post("/staff/{staff_id:int}/fingerprints", guards=[can_enrol], request_max_body_size=ENROL_BODY_LIMIT)
    async def enrol_fingerprint(
        self, ctx: AppContext, principal: Principal, staff_id: int, data: Annotated[FingerprintUpload, _MULTIPART]
    ) -> list[TemplateOut]:
        """Enrol fingerprints: an ISO record (every view) or an image with ``dpi`` and ``position``."""
        raw = await data.file.read()
        return await service.enrol_fingerprint(ctx, staff_id, data=raw, dpi=data.dpi, position=data.position, actor=principal.actor)

    @delete("/staff/{staff_id:int}/templates", guards=[can_enrol], status_code=200)
    async def delete_templates(
        self,
        ctx: AppContext,
        principal: Principal,
        staff_id: int,
        modality: str | None = Parameter(default=None, pattern="^(face|fingerprint)$"),
    ) -> DeletedOut:
        """Delete a staff member's templates, of one modality or all."""
        return DeletedOut(deleted=await service.delete_templates(ctx, staff_id, modality=modality, actor=principal.actor))

    @delete("/staff/{staff_id:int}/templates/{template_id:int}", guards=[can_enrol], status_code=204)
    async def delete_template(self, ctx: AppContext, principal: Principal, staff_id: int, template_id: int) -> Response[None]:
        """Delete one template (a poor capture, before re-enrolment)."""
        await service.delete_template(ctx, staff_id, template_id, actor=principal.actor)
        return Response(None, status_code=204)

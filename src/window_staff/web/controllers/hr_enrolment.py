"""HR's terminals and enrolment status page, and the enrolment desk for one staff member (consent, face photo, templates)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from window_staff.biometrics import service as biometrics
from window_staff.biometrics.domain import FINGER_NAMES
from window_staff.biometrics.errors import FaceDuplicate, FaceImageTooLarge
from window_staff.biometrics.schemas import ConsentIn
from window_staff.common.context import AppContext
from window_staff.common.csrf import TOKEN_PART
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.form import BINARY_TYPES, FACE_IMAGE_TYPES, IMAGE_TYPES, Field, read_multipart, text_field
from window_staff.common.guards import principal_of
from window_staff.common.pagination import PageParams
from window_staff.common.principal import Principal
from window_staff.errors import status_of
from window_staff.org import service as org
from window_staff.org.schemas import StaffOut
from window_staff.settings import FACE_BODY_LIMIT
from window_staff.terminals import service as terminals
from window_staff.terminals.errors import StaffNotAtSite
from window_staff.terminals.schemas.registry import DeviceUserIn
from window_staff.terminals.service import device_users
from window_staff.web.controllers.hr_leave import local_text
from window_staff.web.i18n import add_words
from window_staff.web.pages import PAGE, page_roles, refusal_of, render

add_words(
    {
        "enrol.title": {"zh": "终端与采集状态", "en": "Terminals and enrolment"},
        "enrol.summary": {"zh": "采集概况", "en": "Summary"},
        "enrol.staff_with_face": {"zh": "已采集人脸人数", "en": "Staff with a face template"},
        "enrol.staff_with_fingerprint": {"zh": "已采集指纹人数", "en": "Staff with a fingerprint template"},
        "enrol.active_face_consents": {"zh": "有效人脸同意", "en": "Active face consents"},
        "enrol.active_fingerprint_consents": {"zh": "有效指纹同意", "en": "Active fingerprint consents"},
        "enrol.terminals": {
            "zh": "签到终端（只读，由管理员批准或吊销）",
            "en": "Terminals (read-only; the administrator approves or revokes)",
        },
        "enrol.no_terminals": {"zh": "暂无终端", "en": "No terminals"},
        "enrol.name": {"zh": "名称", "en": "Name"},
        "enrol.serial": {"zh": "序列号", "en": "Serial"},
        "enrol.site": {"zh": "场所", "en": "Site"},
        "enrol.kind": {"zh": "类型", "en": "Kind"},
        "enrol.k.signed": {"zh": "本系统签到终端（签名）", "en": "signed check-in terminal"},
        "enrol.k.zkteco": {"zh": "中控考勤机（ADMS）", "en": "ZKTeco (ADMS push)"},
        "enrol.status": {"zh": "状态", "en": "Status"},
        "enrol.registered": {"zh": "登记/批准时间", "en": "Registered / approved"},
        "enrol.t.pending": {"zh": "待批准", "en": "Pending"},
        "enrol.t.approved": {"zh": "已批准", "en": "Approved"},
        "enrol.t.revoked": {"zh": "已吊销", "en": "Revoked"},
        "enrol.staff": {"zh": "人员采集状态", "en": "Enrolment by staff member"},
        "enrol.department": {"zh": "科室", "en": "Department"},
        "enrol.all": {"zh": "全部", "en": "All"},
        "enrol.show": {"zh": "查看", "en": "Show"},
        "enrol.find": {"zh": "查找人员", "en": "Find staff"},
        "enrol.find_hint": {"zh": "姓名、拼音首字母或工号", "en": "Name, pinyin initials or employee no."},
        "enrol.employee": {"zh": "工号/姓名", "en": "Staff member"},
        "enrol.face": {"zh": "人脸", "en": "Face"},
        "enrol.fingerprint": {"zh": "指纹", "en": "Fingerprint"},
        "enrol.consent": {"zh": "同意", "en": "Consent"},
        "enrol.templates": {"zh": "模板数", "en": "Templates"},
        "enrol.last": {"zh": "最近采集", "en": "Last enrolled"},
        "enrol.yes": {"zh": "已同意", "en": "Given"},
        "enrol.no": {"zh": "未同意", "en": "None"},
        "enrol.open": {"zh": "采集", "en": "Enrol"},
        "enrol.back": {"zh": "返回采集状态", "en": "Back to enrolment status"},
        "enrol.desk": {"zh": "生物特征采集", "en": "Biometric enrolment"},
        "enrol.consents": {"zh": "书面同意", "en": "Written consent"},
        "enrol.given_at": {"zh": "{at} 由 {by} 登记", "en": "recorded {at} by {by}"},
        "enrol.record_consent": {"zh": "登记书面同意", "en": "Record written consent"},
        "enrol.pipl": {
            "zh": "依据《个人信息保护法》，处理人脸、指纹等敏感个人信息须取得本人的单独书面同意。请先由本人阅读并签署同意书，再在此登记。",
            "en": "Under PIPL, face and fingerprint data are sensitive personal information: the staff member's own separate written "
            "consent is needed. Have them read and sign the consent form first, then record it here.",
        },
        "enrol.modality": {"zh": "类别", "en": "Modality"},
        "enrol.notice_version": {"zh": "同意书版本号", "en": "Consent form version"},
        "enrol.signed": {"zh": "本人已签署书面同意书", "en": "The staff member signed the consent form"},
        "enrol.record": {"zh": "登记同意", "en": "Record consent"},
        "enrol.withdraw": {"zh": "撤回同意（同时删除该类模板）", "en": "Withdraw consent (deletes these templates)"},
        "enrol.upload_face": {"zh": "采集人脸照片", "en": "Enrol a face photo"},
        "enrol.photo": {"zh": "照片（仅一张人脸，JPEG、PNG、WebP 或 BMP）", "en": "Photo (exactly one face, JPEG, PNG, WebP or BMP)"},
        "enrol.upload": {"zh": "上传并采集", "en": "Upload and enrol"},
        "enrol.template_list": {"zh": "已存模板（不含模板内容）", "en": "Stored templates (metadata only)"},
        "enrol.no_templates": {"zh": "没有模板。", "en": "No templates."},
        "enrol.created": {"zh": "采集时间", "en": "Enrolled"},
        "enrol.quality": {"zh": "质量", "en": "Quality"},
        "enrol.position": {"zh": "手指", "en": "Finger"},
        "enrol.delete": {"zh": "删除", "en": "Delete"},
        "enrol.delete_all": {"zh": "删除全部{m}模板", "en": "Delete all {m} templates"},
        "enrol.done.consent": {"zh": "已登记同意。", "en": "Consent recorded."},
        "enrol.done.withdrawn": {"zh": "已撤回同意，相关模板已删除。", "en": "Consent withdrawn; its templates were deleted."},
        "enrol.done.face": {"zh": "已采集人脸模板。", "en": "Face template enrolled."},
        "enrol.done.deleted": {"zh": "已删除模板。", "en": "Templates deleted."},
        "enrol.done.fingerprint": {"zh": "已采集指纹。", "en": "Fingerprint enrolled."},
        "enrol.progress": {"zh": "采集进度", "en": "Enrolment progress"},
        "enrol.progress_hint": {
            "zh": "为保证签到可靠，每人采集 {faces} 张人脸照片，{fingers} 个手指各按压 {impressions} 次。",
            "en": "For reliable check-ins, each person enrols {faces} face photos and {impressions} impressions of each of {fingers} "
            "fingers.",
        },
        "enrol.complete": {"zh": "采集完整", "en": "Enrolment complete"},
        "enrol.incomplete": {"zh": "采集未完成", "en": "Enrolment not complete"},
        "enrol.faces_have": {"zh": "人脸照片：已有 {n} 张", "en": "Face photos: {n}"},
        "enrol.faces_wanted": {"zh": "，还需 {n} 张", "en": ", {n} more wanted"},
        "enrol.finger_have": {"zh": "{finger}：已按压 {n} 次", "en": "{finger}: {n} impressions"},
        "enrol.finger_wanted": {"zh": "，还需 {n} 次", "en": ", {n} more wanted"},
        "enrol.fingers_wanted": {
            "zh": "还需再采集 {n} 个手指（每个按压 {impressions} 次）",
            "en": "{n} more fingers wanted ({impressions} impressions each)",
        },
        "enrol.upload_fingerprint": {"zh": "采集指纹", "en": "Enrol a fingerprint"},
        "enrol.fingerprint_hint": {
            "zh": "每次上传同一手指的一次按压；与此前同一手指的采集不符的按压不会采集（防止换指或替人采集）。",
            "en": "Upload one impression of one finger at a time; an impression that does not match the earlier ones of that finger is "
            "refused (a swapped finger or another person).",
        },
        "enrol.finger": {"zh": "手指", "en": "Finger"},
        "enrol.fingerprint_file": {
            "zh": "指纹图像（采集器导出的 PNG、TIFF、BMP 或 JPEG）或 ISO 19794-2 指纹特征文件",
            "en": "Fingerprint image (the scanner's PNG, TIFF, BMP or JPEG) or an ISO 19794-2 record",
        },
        "enrol.dpi": {"zh": "采集器分辨率（dpi，图像时填写）", "en": "Scanner resolution (dpi, for images)"},
        "enrol.impression": {"zh": "第 {n} 次按压", "en": "impression {n}"},
        "enrol.g.excellent": {"zh": "优", "en": "Excellent"},
        "enrol.g.good": {"zh": "良", "en": "Good"},
        "enrol.g.fair": {"zh": "中", "en": "Fair"},
        "enrol.g.poor": {"zh": "差，建议删除后重采", "en": "Poor: delete and take again"},
        "enrol.lookalike": {
            "zh": "我已核实：此人与本场所那位相像的人员不是同一人（如双胞胎），签到时以指纹区分",
            "en": "I checked: this person and the look-alike at this site are different people (e.g. twins); check-ins tell them apart by "
            "fingerprint",
        },
        "enrol.device_user": {"zh": "考勤机用户号", "en": "User id on ZKTeco devices"},
        "enrol.device_user_hint": {
            "zh": "中控考勤机按用户号识别人员，许多考勤机只接受数字。在考勤机上登记此人时请使用此用户号；本场所的所有考勤机通用。",
            "en": "ZKTeco devices know people by a user id, and many take digits only. Enrol the person on the devices "
            "with this id; it holds on every device of the site.",
        },
        "enrol.device_user_at": {"zh": "在{site}的用户号：", "en": "User id at {site}:"},
        "enrol.device_user_default": {"zh": "未设置：考勤机使用工号 {no}", "en": "Not set: the devices use the employee number {no}"},
        "enrol.device_user_none": {
            "zh": "未设置：工号含字母和数字以外的字符，考勤机无法使用，请设置用户号",
            "en": "Not set, and the employee number cannot be used on the devices: set a user id",
        },
        "enrol.device_user_value": {"zh": "用户号（字母或数字，最多 32 位）", "en": "User id (letters or digits, up to 32)"},
        "enrol.device_user_save": {"zh": "保存用户号", "en": "Save the user id"},
        "enrol.device_user_clear": {"zh": "清除（改用工号）", "en": "Clear (use the employee number)"},
        "enrol.device_user_own": {
            "zh": "单台考勤机上的用户号（优先于上面的用户号）",
            "en": "User ids on single devices (they win over the one above)",
        },
        "enrol.device_user_no_site": {
            "zh": "该人员未分配窗口或已离岗，不能设置考勤机用户号。",
            "en": "This person has no window or has left: no device user id can be set.",
        },
        "enrol.done.device_user": {"zh": "已保存考勤机用户号。", "en": "Device user id saved."},
        "enrol.done.device_user_cleared": {
            "zh": "已清除考勤机用户号，考勤机将使用工号。",
            "en": "Device user id cleared; the devices use the employee number.",
        },
        "error.device_user_id_taken": {
            "zh": "本场所已有其他人员使用该用户号（或它是其他人员的工号），请换一个。",
            "en": "Someone at this site has this user id already (or it is someone's employee number): choose another.",
        },
        "error.device_user_id_invalid": {
            "zh": "用户号只能由字母和数字组成，最多 32 位。",
            "en": "A user id is letters and digits only, up to 32.",
        },
        "error.staff_not_at_site": {"zh": "该人员不在此场所工作。", "en": "This person does not work at this site."},
        "error.device_user_not_set": {"zh": "没有可清除的考勤机用户号。", "en": "No device user id is set to clear."},
        "error.enrol_consent_unsigned": {
            "zh": "请先确认本人已签署书面同意书。",
            "en": "Confirm that the staff member signed the consent form.",
        },
        "error.enrol_photo_missing": {"zh": "请选择一张照片。", "en": "Choose a photo."},
    }
)

MODALITIES = ("face", "fingerprint")
_FORM_LIMIT = 4096
_STAFF_PAGE = PageParams(limit=200, offset=0)
_LIST = PageParams(limit=200, offset=0)
_DONE = {"consent", "withdrawn", "face", "fingerprint", "deleted", "device_user", "device_user_cleared"}
_FINGER_LIMIT = 8 * 1024 * 1024 + 64 * 1024  # one scanner image (upload_limit_bytes) and the form around it
FINGER_FILE_TYPES = IMAGE_TYPES | BINARY_TYPES | {"image/bmp", "image/x-ms-bmp"}


class HrEnrolmentPages(Controller):
    """Terminals (read-only), the biometric summary, each staff member's enrolment, and the enrolment desk."""

    include_in_schema = False
    path = "/app/hr/enrolment"

    @get("", guards=[page_roles("hr")], opt=PAGE)
    async def index(self, ctx: AppContext, request: Request) -> Template:
        """Summary, terminals and the enrolment table (filtered by department, found by name, initials or employee no.)."""
        principal = await principal_of(request)
        raw = request.query_params.get("department_id", "")
        department = int(raw) if raw.isdigit() else None
        search_text = (request.query_params.get("q") or "").strip()[:40] or None
        sites = {s.id: s.name for s in (await org.list_sites(ctx, _LIST)).items}
        depts = await org.department_codes()
        staff = (await org.list_staff(ctx, _STAFF_PAGE, department_id=department, status="active", search_text=search_text)).items
        rows = []
        for person in staff:
            e = await biometrics.enrolment(ctx, person.id)
            last = max((t.created_at for t in e.templates), default=None)
            rows.append({"s": person, "e": e, "department": depts.get(person.department_id, ("", ""))[1], "last": local_text(last)})
        return render(
            request,
            "hr/enrolment/index.html",
            principal=principal,
            summary=await biometrics.summary(ctx),
            terminals=[
                {
                    "t": t,
                    "site": sites.get(t.site_id, f"#{t.site_id}"),
                    "registered": local_text(t.registered_at),
                    "approved": local_text(t.approved_at),
                }
                for t in (await terminals.list_terminals(ctx, _LIST)).items
            ],
            rows=rows,
            departments=sorted(depts.items(), key=lambda kv: kv[1][0]),
            department_id=department,
            search_text=search_text,
        )

    async def _desk(
        self,
        ctx: AppContext,
        request: Request,
        principal: Principal,
        staff_id: int,
        *,
        message: str | None = None,
        status: int = 200,
        lookalike: bool = False,
    ) -> Template:
        person = await org.get_staff(ctx, staff_id)
        consent = await biometrics.consent_status(ctx, staff_id)
        enrolment = await biometrics.enrolment(ctx, staff_id)
        done = request.query_params.get("done")
        given = {m: getattr(consent, m) for m in MODALITIES}
        return render(
            request,
            "hr/enrolment/staff.html",
            principal=principal,
            status=status,
            message=message,
            notice=f"enrol.done.{done}" if done in _DONE else None,
            person=person,
            modalities=MODALITIES,
            given={m: ({"c": c, "at": local_text(c.granted_at)} if c else None) for m, c in given.items()},
            enrolment=enrolment,
            templates=[{"t": t, "at": local_text(t.created_at)} for t in enrolment.templates],
            device_user=await self._device_user(ctx, person),
            lookalike=lookalike,
            fingers=FINGER_NAMES,
            needs={
                "faces": ctx.settings.face_enrol_photos,
                "fingers": ctx.settings.fingerprint_enrol_fingers,
                "impressions": ctx.settings.fingerprint_enrol_impressions,
            },
        )

    async def _device_user(self, ctx: AppContext, person: StaffOut) -> dict[str, Any] | None:
        """The person's user id on the devices of their site (None when they have no site to be known at)."""
        site_id = await org.site_of_staff(person.id) if person.status == "active" else None
        if site_id is None:
            return None
        here = [d for d in await device_users.for_staff(ctx, person.id) if d.site_id == site_id]
        names = {t.id: t.name or t.serial for t in (await terminals.list_terminals(ctx, _LIST)).items}
        site_wide = next((d.device_user_id for d in here if d.terminal_id is None), None)
        return {
            "site": (await org.get_site(ctx, site_id)).name,
            "value": site_wide,
            "default": device_users.default_device_user_id(person.employee_no),
            "own": [{"device": names.get(d.terminal_id, ""), "value": d.device_user_id} for d in here if d.terminal_id is not None],
        }

    async def _act(
        self, ctx: AppContext, request: Request, staff_id: int, act: Callable[[Principal], Awaitable[str]]
    ) -> Template | Redirect:
        principal = await principal_of(request)
        try:
            done = await act(principal)
        except DomainError as exc:
            return await self._desk(
                ctx,
                request,
                principal,
                staff_id,
                message=refusal_of(request, exc),
                status=status_of(exc),
                lookalike=isinstance(exc, FaceDuplicate),
            )
        return Redirect(f"/app/hr/enrolment/staff/{staff_id}?done={quote(done)}", status_code=303)

    @get("/staff/{staff_id:int}", guards=[page_roles("hr")], opt=PAGE)
    async def staff(self, ctx: AppContext, request: Request, staff_id: int) -> Template:
        """One staff member's consent, templates and the enrolment forms."""
        return await self._desk(ctx, request, await principal_of(request), staff_id)

    @post("/staff/{staff_id:int}/consent", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def grant(self, ctx: AppContext, request: Request, staff_id: int) -> Template | Redirect:
        """Record the staff member's signed written consent for one modality."""
        form = await request.form()

        async def act(principal: Principal) -> str:
            # PIPL needs the person's own written consent: HR only records a form the staff member signed.
            if str(form.get("signed", "")) != "yes":
                raise InvalidInput("the staff member must sign the consent form first", code="enrol_consent_unsigned")
            try:
                data = msgspec.convert(
                    {"modality": str(form.get("modality", "")), "notice_version": str(form.get("notice_version", "")).strip()}, ConsentIn
                )
            except msgspec.ValidationError as exc:
                raise InvalidInput(str(exc), code="consent_input_invalid") from None
            await biometrics.grant_consent(ctx, staff_id, data, actor=principal.actor)
            return "consent"

        return await self._act(ctx, request, staff_id, act)

    @post("/staff/{staff_id:int}/consent/{modality:str}/withdraw", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def withdraw(self, ctx: AppContext, request: Request, staff_id: int, modality: str) -> Template | Redirect:
        """Withdraw a consent; the service deletes that modality's templates with it."""

        async def act(principal: Principal) -> str:
            await biometrics.withdraw_consent(ctx, staff_id, modality, actor=principal.actor)
            return "withdrawn"

        return await self._act(ctx, request, staff_id, act)

    @post("/staff/{staff_id:int}/face", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=FACE_BODY_LIMIT)
    async def face(self, ctx: AppContext, request: Request, staff_id: int) -> Template | Redirect:
        """Enrol a face photo (the service refuses without consent, before the image is processed)."""

        async def act(principal: Principal) -> str:
            limit = ctx.settings.face_image_limit_bytes
            body = await request.body()
            if len(body) > limit + 64 * 1024:
                raise FaceImageTooLarge(f"the photo is over {limit} bytes")
            fields = {"image": Field(limit, FACE_IMAGE_TYPES), "confirm_lookalike": text_field(), **TOKEN_PART}
            parts = read_multipart(body, request.headers.get("content-type", ""), fields=fields, max_parts=4)
            image = (parts.get("image") or [b""])[0]
            if not image:
                raise InvalidInput("choose a photo", code="enrol_photo_missing")
            confirmed = (parts.get("confirm_lookalike") or [b""])[0] == b"yes"
            await biometrics.enrol_face_image(ctx, staff_id, image=image, actor=principal.actor, confirm_lookalike=confirmed)
            return "face"

        return await self._act(ctx, request, staff_id, act)

    @post("/staff/{staff_id:int}/fingerprint", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FINGER_LIMIT)
    async def fingerprint(self, ctx: AppContext, request: Request, staff_id: int) -> Template | Redirect:
        """Enrol one impression of a chosen finger: a scanner image with its dpi, or an ISO record."""

        async def act(principal: Principal) -> str:
            fields = {
                "file": Field(ctx.settings.upload_limit_bytes, FINGER_FILE_TYPES),
                "position": text_field(),
                "dpi": text_field(),
                **TOKEN_PART,
            }
            parts = read_multipart(await request.body(), request.headers.get("content-type", ""), fields=fields, max_parts=5)
            data = (parts.get("file") or [b""])[0]
            if not data:
                raise InvalidInput("choose a fingerprint file", code="enrol_photo_missing")
            position = (parts.get("position") or [b""])[0].decode(errors="replace")
            dpi = (parts.get("dpi") or [b""])[0].decode(errors="replace").strip()
            if not position.isdigit() or not 1 <= int(position) <= 10:
                raise InvalidInput("choose the finger", code="finger_position_invalid")
            await biometrics.enrol_fingerprint(
                ctx, staff_id, data=data, dpi=int(dpi) if dpi.isdigit() else None, position=int(position), actor=principal.actor
            )
            return "fingerprint"

        return await self._act(ctx, request, staff_id, act)

    @post(
        "/staff/{staff_id:int}/templates/{template_id:int}/delete", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT
    )
    async def delete_one(self, ctx: AppContext, request: Request, staff_id: int, template_id: int) -> Template | Redirect:
        """Delete one template (a poor capture before re-enrolment)."""

        async def act(principal: Principal) -> str:
            await biometrics.delete_template(ctx, staff_id, template_id, actor=principal.actor)
            return "deleted"

        return await self._act(ctx, request, staff_id, act)

    @post("/staff/{staff_id:int}/device-user", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def device_user(self, ctx: AppContext, request: Request, staff_id: int) -> Template | Redirect:
        """Set the person's user id on every ZKTeco device of their site."""
        form = await request.form()

        async def act(principal: Principal) -> str:
            try:
                data = msgspec.convert({"device_user_id": str(form.get("device_user_id", "")).strip()}, DeviceUserIn)
            except msgspec.ValidationError as exc:
                raise InvalidInput(str(exc), code="device_user_id_invalid") from None
            await device_users.set_for_site(ctx, await self._site_of(staff_id), staff_id, data, actor=principal.actor)
            return "device_user"

        return await self._act(ctx, request, staff_id, act)

    @post("/staff/{staff_id:int}/device-user/clear", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def clear_device_user(self, ctx: AppContext, request: Request, staff_id: int) -> Template | Redirect:
        """Clear it: the devices of the site know the person by their employee number again."""

        async def act(principal: Principal) -> str:
            await device_users.remove_for_site(ctx, await self._site_of(staff_id), staff_id, actor=principal.actor)
            return "device_user_cleared"

        return await self._act(ctx, request, staff_id, act)

    async def _site_of(self, staff_id: int) -> int:
        site_id = await org.site_of_staff(staff_id)
        if site_id is None:
            raise StaffNotAtSite("the staff member has no window, so no site")
        return site_id

    @post("/staff/{staff_id:int}/templates/delete", guards=[page_roles("hr")], opt=PAGE, request_max_body_size=_FORM_LIMIT)
    async def delete_modality(self, ctx: AppContext, request: Request, staff_id: int) -> Template | Redirect:
        """Delete every template of one modality."""
        form = await request.form()

        async def act(principal: Principal) -> str:
            await biometrics.delete_templates(ctx, staff_id, modality=str(form.get("modality", "")), actor=principal.actor)
            return "deleted"

        return await self._act(ctx, request, staff_id, act)

"""Helpers of HR's staff, windows and schedules pages: their words, forms read into the domains' input schemas, what each page shows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from window_staff.attendance.schemas import ClosureIn, OverrideIn, RotaIn, SiteHoursIn
from window_staff.attendance.service import admin as service_admin
from window_staff.common import periods
from window_staff.common.clock import DEFAULT_TIME_ZONE
from window_staff.common.context import AppContext
from window_staff.common.errors import DomainError, InvalidInput
from window_staff.common.pagination import PageParams
from window_staff.org import search, service as org
from window_staff.org.schemas import DepartmentHeadIn, StaffIn, StaffLeaveIn, StaffUpdateIn, WindowIn
from window_staff.web.i18n import add_words

STAFF_PER_PAGE = 50
# A county centre has hundreds of staff and windows, not thousands: the pick lists read them in one bounded page.
ALL = PageParams(limit=2000, offset=0)

# Each form's fields and how a text box becomes an input value ("int", "time", "clearable" or plain text); an empty box is
# an omitted field, except a "clearable" one, whose empty box is sent as "" (it clears the value).
STAFF_FIELDS = {
    "employee_no": "text",
    "name": "text",
    "department_id": "int",
    "window_id": "int",
    "badge_no": "text",
    "phone": "text",
    "card_no": "text",
    "hired_on": "text",
    "service_start": "text",
    "post": "clearable",
}
UPDATE_FIELDS = {k: v for k, v in STAFF_FIELDS.items() if k not in ("employee_no", "hired_on")}
LEAVE_FIELDS = {"left_on": "text", "reason": "text"}
WINDOW_FIELDS = {"site_id": "int", "department_id": "int", "number": "text", "name": "text"}
HEAD_FIELDS = {"staff_id": "int"}
HOURS_FIELDS = {
    "name": "text",
    "valid_from": "text",
    "valid_to": "text",
    "am_start": "time",
    "am_end": "time",
    "pm_start": "time",
    "pm_end": "time",
}
CLOSURE_FIELDS = {"window_id": "int", "day": "text", "note": "text"}
OVERRIDE_FIELDS = {"day": "text", "kind": "text", "note": "text"}
ROTA_FIELDS = {"staff_id": "int", "day": "text", "session": "text", "action": "text", "start": "time", "end": "time", "note": "text"}
SCHEMAS: dict[str, tuple[dict[str, str], type]] = {
    "staff": (STAFF_FIELDS, StaffIn),
    "update": (UPDATE_FIELDS, StaffUpdateIn),
    "leave": (LEAVE_FIELDS, StaffLeaveIn),
    "window": (WINDOW_FIELDS, WindowIn),
    "head": (HEAD_FIELDS, DepartmentHeadIn),
    "hours": (HOURS_FIELDS, SiteHoursIn),
    "closure": (CLOSURE_FIELDS, ClosureIn),
    "override": (OVERRIDE_FIELDS, OverrideIn),
    "rota": (ROTA_FIELDS, RotaIn),
}
_HH_MM = re.compile(r"^\d{2}:\d{2}$")

add_words(
    {
        "org.staff": {"zh": "人员", "en": "Staff"},
        "org.windows": {"zh": "窗口与部门", "en": "Windows and departments"},
        "org.schedules": {"zh": "排班与作息", "en": "Schedules"},
        "org.employee_no": {"zh": "工号", "en": "Employee no."},
        "org.name": {"zh": "姓名", "en": "Name"},
        "org.department": {"zh": "部门", "en": "Department"},
        "org.window": {"zh": "窗口", "en": "Window"},
        "org.site": {"zh": "场所", "en": "Site"},
        "org.status": {"zh": "状态", "en": "Status"},
        "org.status.active": {"zh": "在岗", "en": "Active"},
        "org.status.left": {"zh": "已离开", "en": "Left"},
        "org.all": {"zh": "全部", "en": "All"},
        "org.none": {"zh": "（无）", "en": "(none)"},
        "org.filter": {"zh": "筛选", "en": "Filter"},
        "org.find": {"zh": "查找人员", "en": "Find staff"},
        "org.find_hint": {"zh": "姓名、拼音首字母、工号、窗口或部门", "en": "Name, pinyin initials, employee no., window or department"},
        "org.find_help": {
            "zh": "可输入姓名中的字、拼音首字母（如“wl”查王磊）、工号、窗口号或部门名称；输入完整工号直接打开其信息。",
            "en": "Type part of a name, its pinyin initials (\u201cwl\u201d finds 王磊), an employee no., a window or a department; "
            "a whole employee no. opens that person.",
        },
        "org.go": {"zh": "查找", "en": "Find"},
        "org.not_found": {"zh": "没有此工号的人员", "en": "No staff member has this employee number"},
        "org.total": {"zh": "共", "en": "Total"},
        "org.prev": {"zh": "上一页", "en": "Previous"},
        "org.next": {"zh": "下一页", "en": "Next"},
        "org.empty": {"zh": "暂无记录", "en": "Nothing here yet"},
        "org.no_match": {"zh": "没有找到符合条件的人员", "en": "No staff member matches"},
        "org.read_only": {"zh": "只读（审计）", "en": "Read only (audit)"},
        "org.new_staff": {"zh": "新增人员", "en": "New staff member"},
        "org.badge_no": {"zh": "胸牌号", "en": "Badge no."},
        "org.phone": {"zh": "电话", "en": "Phone"},
        "org.card_no": {"zh": "卡号", "en": "Card no."},
        "org.hired_on": {"zh": "入职日期", "en": "Hired on"},
        "org.service_start": {"zh": "参加工作时间（计算年休假）", "en": "Service start (for annual leave)"},
        "org.service_start_unset": {"zh": "未登记（按入职日期计算）", "en": "Not recorded (the hiring date counts)"},
        "org.post": {"zh": "职务", "en": "Post"},
        "org.post_unset": {"zh": "未设置", "en": "Not set"},
        "org.post_hint": {
            "zh": "如 科员、综合受理员、首席代表、窗口负责人，显示在大厅显示屏的姓名下方；清空则不显示职务。",
            "en": "For example 科员 (clerk) or 首席代表 (chief representative), shown under the name on the hall's screens; "
            "empty the box to show none.",
        },
        "org.left_on": {"zh": "离开日期", "en": "Left on"},
        "org.reason": {"zh": "原因", "en": "Reason"},
        "org.create": {"zh": "创建", "en": "Create"},
        "org.save": {"zh": "保存", "en": "Save"},
        "org.add": {"zh": "添加", "en": "Add"},
        "org.delete": {"zh": "删除", "en": "Delete"},
        "org.edit": {"zh": "修改信息与岗位", "en": "Edit details and posting"},
        "org.edit_hint": {"zh": "留空的项保持不变", "en": "Fields left empty stay as they are"},
        "org.leaves": {"zh": "离开中心", "en": "Leaves the centre"},
        "org.leaves_hint": {
            "zh": "历史记录保留；其生物特征数据和公示照片将被删除",
            "en": "History is kept; their biometric data and public photo are erased",
        },
        "org.confirm": {"zh": "我已确认", "en": "I confirm"},
        "org.number": {"zh": "窗口号", "en": "Number"},
        "org.window_name": {"zh": "窗口名称", "en": "Window name"},
        "org.active": {"zh": "启用", "en": "Active"},
        "org.inactive": {"zh": "停用", "en": "Inactive"},
        "org.new_window": {"zh": "新增窗口", "en": "New window"},
        "org.departments": {"zh": "进驻部门", "en": "Departments"},
        "org.code": {"zh": "代码", "en": "Code"},
        "org.head": {"zh": "负责人", "en": "Head"},
        "org.set_head": {"zh": "设为负责人", "en": "Make head"},
        "org.no_staff": {"zh": "本部门暂无在岗人员", "en": "No active staff in this department"},
        "org.month": {"zh": "月份", "en": "Month"},
        "org.show": {"zh": "查看", "en": "Show"},
        "org.month_closed": {
            "zh": "本月考勤已结账，不能再修改排班",
            "en": "This month is closed for attendance; its schedules cannot change",
        },
        "org.hours": {"zh": "作息时间", "en": "Session hours"},
        "org.hours_name": {"zh": "名称（如 夏季作息）", "en": "Name (e.g. summer hours)"},
        "org.hours_title": {"zh": "作息名称", "en": "Hours"},
        "org.valid_from": {"zh": "起始日期", "en": "From"},
        "org.valid_to": {"zh": "截止日期", "en": "To"},
        "org.am": {"zh": "上午", "en": "Morning"},
        "org.pm": {"zh": "下午", "en": "Afternoon"},
        "org.am_start": {"zh": "上午上班", "en": "Morning starts"},
        "org.am_end": {"zh": "上午下班", "en": "Morning ends"},
        "org.pm_start": {"zh": "下午上班", "en": "Afternoon starts"},
        "org.pm_end": {"zh": "下午下班", "en": "Afternoon ends"},
        "org.closures": {"zh": "窗口停办日", "en": "Window closures"},
        "org.day": {"zh": "日期", "en": "Day"},
        "org.note": {"zh": "备注", "en": "Note"},
        "org.overrides": {"zh": "本场所特殊日期", "en": "Calendar overrides of the site"},
        "org.kind": {"zh": "类型", "en": "Kind"},
        "org.kind.holiday": {"zh": "放假", "en": "Holiday"},
        "org.kind.closed": {"zh": "闭馆", "en": "Closed"},
        "org.kind.working": {"zh": "周末服务日", "en": "Weekend service day"},
        "org.rota": {"zh": "排班调整", "en": "Rota changes"},
        "org.session": {"zh": "时段", "en": "Session"},
        "org.session.am": {"zh": "上午", "en": "Morning"},
        "org.session.pm": {"zh": "下午", "en": "Afternoon"},
        "org.session.extended": {"zh": "延时服务", "en": "Extended hours"},
        "org.action": {"zh": "调整", "en": "Change"},
        "org.action.add": {"zh": "加班/值班", "en": "Add duty"},
        "org.action.remove": {"zh": "取消该时段", "en": "Remove session"},
        "org.start": {"zh": "开始", "en": "Start"},
        "org.end": {"zh": "结束", "en": "End"},
        "org.rota_hint": {
            "zh": "上午/下午不填时间则按作息时间；延时服务须填开始和结束",
            "en": "Morning/afternoon take the site's hours unless times are given; extended hours need both",
        },
        "org.closed_months": {"zh": "考勤已结账月份", "en": "Months closed for attendance"},
        "org.sheet": {"zh": "部门考勤月报（Excel）", "en": "Department attendance sheet (Excel)"},
        "org.download": {"zh": "下载", "en": "Download"},
        "org.closed_at": {"zh": "结账时间", "en": "Closed at"},
        "org.closed_by": {"zh": "结账人", "en": "Closed by"},
        "org.close_month": {"zh": "结账本月考勤", "en": "Close this month"},
        "org.close_hint": {
            "zh": "结账后本月记录冻结，之后的补录进入异常队列",
            "en": "Closing freezes the month's records; later inputs go to the exception queue",
        },
        "error.org_close_unconfirmed": {"zh": "请勾选确认后再结账", "en": "Tick the confirmation box first"},
        "org.done.staff_created": {"zh": "已添加人员", "en": "Staff member added"},
        "org.done.staff_updated": {"zh": "已保存", "en": "Saved"},
        "org.done.staff_left": {"zh": "已登记离开", "en": "Recorded as left"},
        "org.done.photo_set": {"zh": "已保存公示照片", "en": "Public photo saved"},
        "org.done.photo_removed": {"zh": "已删除公示照片", "en": "Public photo deleted"},
        "org.photo": {"zh": "公示照片（亮牌上岗）", "en": "Public photo (shown on the hall's screens)"},
        "org.photo_hint": {
            "zh": "照片仅用于大厅显示屏和窗口屏公示本人姓名、职务、工号，不用于人脸识别。"
            "须本人书面同意后上传；本人撤回同意或离开中心时照片即删除。",
            "en": "The photo is shown with the person's name, post and employee no. on the hall's screens only; it is not used for face "
            "recognition. Upload it only with the person's written consent; it is deleted when they withdraw it or leave the centre.",
        },
        "org.photo_none": {"zh": "未上传公示照片", "en": "No public photo"},
        "org.photo_since": {"zh": "本人于{day}书面同意公示", "en": "Consent to show it given in writing on {day}"},
        "org.photo_file": {"zh": "照片（JPEG、PNG或WebP）", "en": "Photo (JPEG, PNG or WebP)"},
        "org.photo_consented_on": {"zh": "本人书面同意的日期", "en": "Day the person consented in writing"},
        "org.photo_note": {"zh": "同意书存放说明（选填）", "en": "Where the signed consent is kept (optional)"},
        "org.photo_upload": {"zh": "上传照片", "en": "Upload the photo"},
        "org.photo_remove": {"zh": "撤回同意并删除照片", "en": "Consent withdrawn: delete the photo"},
        "confirm.what.photo-remove": {
            "zh": "照片将立即从系统和大厅显示屏上删除，不能恢复；如需再次公示须重新取得本人同意并上传。",
            "en": "The photo is deleted from the system and the hall's screens at once and cannot be restored; showing one again "
            "needs the person's consent and a new upload.",
        },
        "org.done.window_created": {"zh": "已添加窗口", "en": "Window added"},
        "org.done.head_set": {"zh": "已设置部门负责人", "en": "Department head set"},
        "org.done.hours_added": {"zh": "已添加作息时间", "en": "Session hours added"},
        "org.done.closure_added": {"zh": "已添加窗口停办日", "en": "Window closure added"},
        "org.done.closure_deleted": {"zh": "已删除窗口停办日", "en": "Window closure deleted"},
        "org.done.override_added": {"zh": "已添加特殊日期", "en": "Override added"},
        "org.done.override_deleted": {"zh": "已删除特殊日期", "en": "Override deleted"},
        "org.done.rota_added": {"zh": "已添加排班调整", "en": "Rota change added"},
        "org.done.rota_deleted": {"zh": "已删除排班调整", "en": "Rota change deleted"},
        "org.done.month_closed": {"zh": "本月考勤已结账", "en": "The month is closed"},
    }
)


def read_form(form: Mapping[str, Any], kind: str) -> dict[str, str]:
    """The form's text boxes of one kind of form, trimmed, keyed by field (kept to refill the form after a refusal)."""
    return {name: str(form.get(name, "") or "").strip() for name in SCHEMAS[kind][0]} | {"form": kind}


def to_input(raw: Mapping[str, str], kind: str, **fixed: Any) -> Any:
    """The form as the API's input, validated by the same schema; an empty box is omitted unless clearable (a refusal is InvalidInput)."""
    fields, schema = SCHEMAS[kind]
    values: dict[str, Any] = {}
    for name, how in fields.items():
        text = raw.get(name, "")
        if text == "" and how != "clearable":
            continue
        if how == "int":
            values[name] = int(text) if text.isdigit() else text  # a non-number stays text so the schema names the field
        elif how == "time":
            values[name] = f"{text}:00" if _HH_MM.match(text) else text  # <input type=time> sends HH:MM; the schemas read HH:MM:SS
        else:
            values[name] = text
    values.update(fixed)
    try:
        return msgspec.convert(values, schema)
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), code=f"{kind}_input_invalid") from None


def query_int(value: str | None) -> int | None:
    """A query parameter as a non-negative int, or None when absent or not a number."""
    return int(value) if value and value.isdigit() else None


def this_month(ctx: AppContext) -> str:
    """The current month (``YYYY-MM``) in the centre's time zone."""
    today = ctx.clock.now().astimezone(ZoneInfo(DEFAULT_TIME_ZONE)).date()
    return periods.month_key(today.replace(day=1))


async def pick_lists(ctx: AppContext) -> dict[str, Any]:
    """Sites, departments and windows for selects and for naming ids in tables."""
    sites = (await org.list_sites(ctx, ALL)).items
    departments = sorted((await org.department_codes()).items(), key=lambda kv: kv[1][0])
    windows = (await org.list_windows(ctx, ALL)).items
    site_names = {s.id: s.name for s in sites}
    return {
        "sites": sites,
        "site_names": site_names,
        "departments": departments,
        "dept_names": dict(departments),
        "all_windows": windows,
        "window_names": {w.id: f"{w.number} {w.name}".strip() for w in windows},
    }


async def staff_list(
    ctx: AppContext, *, department_id: int | None, status: str | None, offset: int, search_text: str | None = None
) -> dict[str, Any]:
    """One page of the staff list with its filters and search, and what the new-staff form picks from."""
    page = await org.list_staff(
        ctx, PageParams(limit=STAFF_PER_PAGE, offset=offset), department_id=department_id, status=status, search_text=search_text
    )
    return {
        "page": page,
        "department_id": department_id,
        "status_filter": status,
        "search_text": search_text,
        "per_page": STAFF_PER_PAGE,
        **await pick_lists(ctx),
    }


async def staff_detail(ctx: AppContext, staff_id: int) -> dict[str, Any]:
    """One staff member and what the edit form picks from."""
    return {
        "person": await org.get_staff(ctx, staff_id),
        "site_of": await org.site_of_staff(staff_id),
        "photo": (await org.public_photo_consents([staff_id])).get(staff_id),
        **await pick_lists(ctx),
    }


async def windows_page(ctx: AppContext, *, site_id: int | None) -> dict[str, Any]:
    """The windows (of one site or all), the departments with their heads, the active staff each department may take its head from."""
    windows = (await org.list_windows(ctx, ALL, site_id=site_id)).items
    departments = (await org.list_departments(ctx, ALL)).items
    active = (await org.list_staff(ctx, ALL, status="active")).items
    by_department: dict[int, list[Any]] = {}
    for s in active:
        by_department.setdefault(s.department_id, []).append(s)
    names = {s.id: f"{s.employee_no} {s.name}" for s in active}
    for head in {d.head_staff_id for d in departments if d.head_staff_id is not None} - names.keys():
        person = await org.get_staff(ctx, head)  # a head who has since left still names the department
        names[head] = f"{person.employee_no} {person.name}"
    return {
        "windows": windows,
        "site_id": site_id,
        "dept_rows": departments,
        "by_department": by_department,
        "staff_names": names,
        **await pick_lists(ctx),
    }


async def schedules_page(ctx: AppContext, *, site_id: int | None, month: str) -> dict[str, Any]:
    """A site's month: session hours, window closures, the year's overrides, the rota, the closed months."""
    first = periods.parse_month(month)
    key = periods.month_key(first)
    lists = await pick_lists(ctx)
    if site_id is None and lists["sites"]:
        site_id = lists["sites"][0].id
    site = await org.get_site(ctx, site_id if site_id is not None else 0)
    windows = [w for w in lists["all_windows"] if w.site_id == site.id]
    window_ids = {w.id for w in windows}
    staff_ids = await org.staff_ids_at_site_between(site.id, first=first, last=periods.month_end(first))
    postings = await org.postings_of(staff_ids)
    posted = {p.staff_id for p in postings if p.site_id == site.id}
    closed = await service_admin.list_closed_months(ctx, site_id=site.id)
    return {
        **lists,
        "site": site,
        "month": key,
        "year": first.year,
        "site_windows": windows,
        "hours": await service_admin.list_site_hours(ctx, site_id=site.id),
        "closures": [c for c in (await service_admin.list_closures(ctx, ALL, month=key)).items if c.window_id in window_ids],
        "overrides": (await service_admin.list_overrides(ctx, ALL, site_id=site.id, year=first.year)).items,
        "rota": [r for r in (await service_admin.list_rota(ctx, ALL, month=key)).items if r.staff_id in posted],
        "people": [p for p in postings if p.staff_id in posted],
        "person_names": {p.staff_id: f"{p.employee_no} {p.name}" for p in postings},
        "closed_months": closed,
        "month_closed": any(c.month == key for c in closed),
        "default_day": first.isoformat(),
    }


async def rota_people(ctx: AppContext, *, site_id: int, month: str, search_text: str) -> list[Any]:
    """The people the rota form may pick at a site in a month, found by name, pinyin initials, employee no. or window."""
    first = periods.parse_month(month)
    staff_ids = await org.staff_ids_at_site_between(site_id, first=first, last=periods.month_end(first))
    windows = {w.id: f"{w.number} {w.name}" for w in (await org.list_windows(ctx, ALL, site_id=site_id)).items}
    query = search.normalise(search_text)
    return [
        p
        for p in await org.postings_of(staff_ids)
        if p.site_id == site_id and search.matches(query, name=p.name, employee_no=p.employee_no, window=windows.get(p.window_id or 0, ""))
    ]


def day_or_none(text: str) -> date | None:
    """A ``YYYY-MM-DD`` field as a day, or None when empty or not a day."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def month_or_this(ctx: AppContext, month: str) -> str:
    """A ``YYYY-MM`` month as given, or this month when it is not one (the page to come back to)."""
    try:
        return periods.month_key(periods.parse_month(month))
    except DomainError:
        return this_month(ctx)

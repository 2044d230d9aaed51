"""Organisation input and output schemas, per role."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
SiteKind = Literal["county_centre", "township_centre", "village_point"]
StaffStatus = Literal["active", "left"]
# 职务 (科员, 首席代表, 窗口负责人 ...), shown under the name on the hall's screens: one line, trimmed by the service.
Post = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")]


class SiteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new site."""

    code: Code
    name: Name
    kind: SiteKind
    parent_id: int | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] = "Asia/Shanghai"


class SiteOut(msgspec.Struct, kw_only=True):
    """A site."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    timezone: str


class DepartmentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new department."""

    code: Code
    name: Name


class DepartmentOut(msgspec.Struct, kw_only=True):
    """A department."""

    id: int
    code: str
    name: str
    active: bool
    head_staff_id: int | None = None


class DepartmentHeadIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Name the department's head (a staff member of that department)."""

    staff_id: int


class WindowIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new window; its number is unique within the site."""

    site_id: int
    department_id: int
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class WindowOut(msgspec.Struct, kw_only=True):
    """A window."""

    id: int
    site_id: int
    department_id: int
    number: str
    name: str
    active: bool


class StaffIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR adds a staff member (status and dates of leaving are not bindable)."""

    employee_no: Code
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    department_id: int
    window_id: int | None = None
    badge_no: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[0-9+ -]*$")] | None = None
    card_no: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    hired_on: date
    service_start: date | None = None  # 参加工作时间 (annual leave counts years from it); the hiring date when unset
    post: Post = ""  # 职务; "" is none


class StaffUpdateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """HR changes a staff member; omitted fields stay as they are."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    department_id: int | None = None
    window_id: int | None = None
    badge_no: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[0-9+ -]*$")] | None = None
    card_no: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    service_start: date | None = None
    post: Post | None = None  # "" clears it


class StaffLeaveIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A staff member leaves: history stays, status becomes ``left``."""

    left_on: date
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class StaffOut(msgspec.Struct, kw_only=True):
    """A staff member as HR, admin and the member themself see it."""

    id: int
    employee_no: str
    name: str
    department_id: int
    window_id: int | None
    badge_no: str | None
    phone: str | None
    card_no: str | None
    hired_on: date
    left_on: date | None
    status: str
    service_start: date | None = None  # 参加工作时间 (annual leave); None: the hiring date counts
    post: str = ""  # 职务; "" when not set


class StaffBriefOut(msgspec.Struct, kw_only=True):
    """A staff member as inspectors and reviewers see it (no contact details)."""

    id: int
    employee_no: str
    name: str
    department_id: int
    window_id: int | None
    badge_no: str | None
    status: str
    post: str = ""  # 职务: public (the hall's screens show it)

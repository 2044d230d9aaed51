"""Organisation tables: sites, departments, windows, staff."""

from piccolo.columns import Boolean, Bytea, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Site(Table, tablename="site"):
    """A county centre, township centre or village point."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    kind = Varchar(length=32)
    parent: ForeignKey["Site"] = ForeignKey("self", null=True)
    timezone = Varchar(length=64, default="Asia/Shanghai")
    created_at = Timestamptz(default=TimestamptzNow())


class Department(Table, tablename="department"):
    """A county department stationed in the centre (进驻单位)."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=200)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Window(Table, tablename="service_window"):
    """A service desk (窗口); its number is unique within its site."""

    site = ForeignKey(Site)
    department = ForeignKey(Department)
    number = Varchar(length=16)
    name = Varchar(length=200, default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Staff(Table, tablename="staff"):
    """A window staff member (窗口工作人员); leaving sets ``left_on``, never deletes."""

    employee_no = Varchar(length=32, unique=True)
    name = Varchar(length=100)
    name_initials = Text(default="")  # pinyin initials of every reading, for search (org/search.py)
    department = ForeignKey(Department)
    window = ForeignKey(Window, null=True)
    badge_no = Varchar(length=32, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None)
    card_no = Varchar(length=32, null=True, default=None)
    hired_on = Date()
    left_on = Date(null=True, default=None)
    # 参加工作时间 (added by m0016): years of service decide annual leave; None falls back to hired_on
    service_start = Date(null=True, default=None)
    # 职务 (added by m0023): shown under the name on the hall's screens; "" when HR has not set one
    post = Varchar(length=40, default="")
    status = Varchar(length=16, default="active")
    created_at = Timestamptz(default=TimestamptzNow())


class DepartmentHead(Table, tablename="department_head"):
    """The head (负责人) of a department from ``since``; a later row for the department replaces it."""

    department = ForeignKey(Department)
    staff = ForeignKey(Staff)
    since = Timestamptz()
    set_by = Varchar(length=120)


class StaffPublicPhoto(Table, tablename="staff_public_photo"):
    """The photo shown beside a staff member's name on the hall's screens (亮牌上岗): not a biometric.

    Kept only with the person's own consent for display, recorded here apart from biometric consent; withdrawing it or
    leaving the centre deletes the row. ``token`` names the photo in its public address (not the staff id, so the
    addresses cannot be walked).
    """

    staff = ForeignKey(Staff, unique=True)
    token = Varchar(length=64, unique=True)
    image = Bytea()
    consent_note = Text(default="")
    consented_on = Date()
    recorded_by = Varchar(length=120)
    recorded_at = Timestamptz()


TABLES = [Site, Department, Window, Staff]

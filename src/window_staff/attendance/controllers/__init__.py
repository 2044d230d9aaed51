"""The attendance controllers: the public names of ``month`` here; the rest in sibling modules."""

from window_staff.attendance.controllers.month import (  # noqa: F401 (the package's face)
    MONTH,
    XLSX,
    AttendanceReadController,
    MyAttendanceController,
)

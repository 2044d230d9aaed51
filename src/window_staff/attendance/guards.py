"""Who may do what with attendance.

HR decides leave, attests punches (the supervisor role is ``hr`` until there is a supervisor or
department-head concept), corrects records and manages rota, closures, overrides and hours.
"""

from window_staff.common.guards import roles

# Roles that read anyone's month and the department sheets; a staff user reads only their own month.
MONTH_FULL_READERS = frozenset({"hr", "admin", "auditor", "approver"})

can_manage_attendance = roles("hr")
can_read_sheets = roles(*MONTH_FULL_READERS)
can_read_month = roles("staff", *MONTH_FULL_READERS)
is_staff_member = roles("staff")

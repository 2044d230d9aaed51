"""Attendance: the work calendar, schedules, punches from every source, leave, day records and the month's facts."""

# The domain's public face: the modules another domain may import (tests/test_architecture.py holds every
# domain to it). Tables are never part of it: another domain's tables.py may name them in a foreign key only.
PUBLIC = frozenset({"service", "schemas", "errors", "facts", "calendar", "views", "jobs", "live", "leave_rules"})

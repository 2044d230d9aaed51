"""The terminals service: the public names of ``registry`` here; the rest in sibling modules."""

from window_staff.terminals.service.registry import (  # noqa: F401 (the package's face)
    register,
    find_by_serial,
    get,
    list_terminals,
    approve,
    revoke,
    issue_secret,
    register_approved,
)

"""The terminals service: the public names of ``registry`` here; the rest in sibling modules."""

from window_staff.terminals.service.registry import (  # noqa: F401 (the package's face)
    approve,
    find_by_serial,
    get,
    issue_secret,
    list_terminals,
    names_of,
    register,
    register_approved,
    revoke,
)

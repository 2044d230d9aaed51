"""The terminals schemas: the public names of ``registry`` here; the rest in sibling modules."""

from window_staff.terminals.schemas.registry import (  # noqa: F401 (the package's face)
    CheckInOut,
    DeviceRosterOut,
    DeviceUserId,
    DeviceUserIn,
    DeviceUserOut,
    TerminalCommandIn,
    TerminalCommandOut,
    TerminalIn,
    TerminalOut,
    TerminalSecretOut,
)

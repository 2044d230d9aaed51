"""The web controllers: the public names of ``session`` here; the rest in sibling modules."""

from window_staff.web.controllers.session import (  # noqa: F401 (the package's face)
    WebController,
    safe_next,
)

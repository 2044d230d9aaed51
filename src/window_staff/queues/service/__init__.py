"""The queues service: imports and pushes (``events``), HR's mapping and exceptions (``categories``), figures (``figures``)."""

from window_staff.queues.service.events import import_csv, record_events  # noqa: F401 (the package's face)

"""Queue routes: HR's CSV import, mapping and exception list, the figures; the queue devices' pushed events."""

from window_staff.queues.controllers.device import QueueDeviceController
from window_staff.queues.controllers.hr import QueueController

__all__ = ["QueueController", "QueueDeviceController"]

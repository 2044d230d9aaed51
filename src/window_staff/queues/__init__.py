"""Queues (排号机/叫号机): ticket and calling machines' events, service categories, waiting times and 空岗; facts.py."""

# The domain's public face: the modules another domain may import (tests/test_architecture.py holds every
# domain to it). Tables are never part of it: another domain's tables.py may name them in a foreign key only.
PUBLIC = frozenset({"service", "schemas", "errors", "facts", "live", "jobs"})

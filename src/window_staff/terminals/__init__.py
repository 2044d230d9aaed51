"""Terminals: the registry, signed check-ins, card and PIN, ZKTeco push devices and their users, the simulator."""

# The domain's public face: the modules another domain may import (tests/test_architecture.py holds every
# domain to it). Tables are never part of it: another domain's tables.py may name them in a foreign key only.
PUBLIC = frozenset({"service", "schemas", "errors", "guards", "client"})

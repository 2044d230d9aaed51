"""Jobs: heavy work (computing and closing months) run off the web loop, with progress people can follow.

A job is a row: the web process records it and answers 202 with its address; a runner (inside the web
process on the embedded SQLite default, or ``window-staff worker`` processes) claims it and runs the handler
its kind names. Other domains declare their kinds; the wiring point registers them (see docs/DESIGN.md).
"""

PUBLIC = frozenset({"service", "schemas", "errors", "runner"})

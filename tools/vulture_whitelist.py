"""Names vulture takes for unused that an interface fixes (run: ``uv run vulture``, configured in pyproject.toml)."""
# ruff: noqa: B018, F821

exception_type  # __aexit__'s parameters (common/db.py)
traceback
query_type  # Piccolo's engine hooks (common/db.py)
DataclassInstance  # a TypeVar bound written as a string (common/policy.py)

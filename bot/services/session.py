"""Units of work for flows, which never touch storage themselves."""

from __future__ import annotations

from storage.db import session_scope as unit_of_work

__all__ = ["unit_of_work"]

"""aio family (issue 4): filled in by its owner."""
from __future__ import annotations

__all__: list[str] = []

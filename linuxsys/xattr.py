"""xattr: extended attributes (man 2 getxattr, setxattr, listxattr, removexattr)."""
from __future__ import annotations
__all__: list[str] = []

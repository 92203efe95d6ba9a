"""Whole numbers written in text (a header, a query parameter, a path segment).

``str.isdigit`` also says yes to '²' or '٣', which ``int`` refuses or reads otherwise: a
number a client writes is ASCII digits only.
"""

from __future__ import annotations

__all__ = ["is_ascii_number"]


def is_ascii_number(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits, which ``int`` reads as written."""
    return text.isascii() and text.isdigit()

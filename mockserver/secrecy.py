"""Secrets (API keys, the control token): compared in constant time, never shown whole.

A key is shown only redacted: its type prefix and, when it is long enough to keep a
secret after them, its last four characters (``sk_test_…ab12``). Text that may hold a
key (a log line, an exception's message) is redacted before it leaves the mock.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable

__all__ = ["matches_any", "redact_key", "redact_text", "same_secret"]

KEY_TYPES = ("sk_test_", "sk_live_", "sk_")
"""Prefixes a redacted key keeps: they say what kind of key it is, not which one."""
SHOWN_TAIL = 4
MIN_HIDDEN = 8
"""A key shows its last four characters only when at least this many stay hidden."""
ELLIPSIS = "\u2026"
# A key: "sk_" not inside a word, up to a delimiter; one already redacted (followed by
# the ellipsis) is left alone (possessive: no shorter match is tried instead).
_KEY_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_])sk_[^\s'\"\\,;:)\]}>\u2026]++(?!\u2026)")


def _bytes(value: str) -> bytes:
    # Header values arrive as latin-1 text and may hold any character: compare their bytes.
    return value.encode("utf-8", "surrogateescape")


def same_secret(given: str, expected: str) -> bool:
    """``given == expected`` in time that does not depend on where they differ."""
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def matches_any(given: str, expected: Iterable[str]) -> bool:
    """Whether ``given`` is one of ``expected``, comparing with every one of them."""
    found = False
    for secret in expected:
        found |= same_secret(given, secret)
    return found


def redact_key(key: str) -> str:
    """``sk_test_…ab12``: the key's type and, when enough stays hidden, its last 4 characters."""
    prefix = next((kind for kind in KEY_TYPES if key.startswith(kind)), "")
    rest = key[len(prefix) :]
    if len(rest) >= SHOWN_TAIL + MIN_HIDDEN:
        return f"{prefix}{ELLIPSIS}{rest[-SHOWN_TAIL:]}"
    return f"{prefix}{ELLIPSIS}"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every ``sk_...`` key redacted and every one of ``secrets`` hidden."""
    for secret in secrets:
        if secret:
            text = text.replace(
                secret, redact_key(secret) if secret.startswith("sk_") else ELLIPSIS
            )
    return _KEY_IN_TEXT.sub(lambda match: redact_key(match.group(0)), text)

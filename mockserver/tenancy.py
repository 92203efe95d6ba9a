"""Who is calling and in which namespace: bearer auth, namespaces and their budgets.

Each namespace gets its own copy of the template world on first use (or is refused
with 403 when ``Settings.namespaces`` lists the allowed ones). At most
``max_namespaces`` are kept; the least recently used one is forgotten first.
"""

from __future__ import annotations

import threading

from .bounded import BoundedDict
from .errors import Forbidden, NamespaceRequired, Unauthorized
from .secrecy import matches_any
from .validation import Parameter
from .world import NamespaceWorld, WorldTemplate

__all__ = ["Authenticator", "NamespaceRegistry", "NamespaceState", "header_text"]

BEARER_PREFIX = "bearer "
KEY_PREFIX = "sk_"


def header_text(value: str) -> str:
    """A header value as the client meant it: its bytes read as UTF-8 when they are UTF-8.

    HTTP servers hand header values over as latin-1 text (one character per byte); a
    client that sends a non-ASCII name sends its UTF-8 bytes, so those are decoded
    again. A value that is not UTF-8 stays as it was read.
    """
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class Authenticator:
    """``Authorization: Bearer sk_...``: any ``sk_`` key, or exactly the configured ones.

    A key is compared with every configured key in constant time, and no answer ever
    repeats the key it was sent.
    """

    def __init__(self, api_keys: frozenset[str]) -> None:
        self._api_keys = api_keys

    def authenticate(self, header: str | None) -> str:
        if not header:
            raise Unauthorized(
                'Missing Authorization header; send "Authorization: Bearer sk_..."',
                code="missing_api_key",
            )
        if header[: len(BEARER_PREFIX)].lower() != BEARER_PREFIX:
            raise Unauthorized(
                'Malformed Authorization header; send "Authorization: Bearer sk_..."',
                code="malformed_authorization",
            )
        key = header[len(BEARER_PREFIX) :].strip()
        if not key.startswith(KEY_PREFIX) or len(key) <= len(KEY_PREFIX) or " " in key:
            raise Unauthorized("API keys start with 'sk_'.", code="invalid_api_key")
        if self._api_keys and not matches_any(key, self._api_keys):
            raise Unauthorized("Unknown API key.", code="invalid_api_key")
        return key


class NamespaceState:
    """One namespace: its world and its credits."""

    def __init__(
        self, name: str, world: NamespaceWorld, credits_total: float, generation: int = 0
    ) -> None:
        self.name = name
        self.world = world
        self.generation = generation  # of the template the world was copied from
        self.credits_total = credits_total
        self.credits_used = 0.0
        self._lock = threading.Lock()

    @property
    def world_state(self) -> tuple[int, int]:
        """Changes when the world changes: (template generation, changes of this copy)."""
        return (self.generation, self.world.version)

    @property
    def credits_remaining(self) -> float:
        return max(self.credits_total - self.credits_used, 0.0)

    def try_charge(self, cost: float) -> bool:
        """Spend ``cost`` credits if the namespace still has them."""
        with self._lock:
            if cost > self.credits_total - self.credits_used + 1e-9:
                return False
            self.credits_used += cost
            return True


class NamespaceRegistry:
    """The namespaces in use, each created from the template world on first use."""

    def __init__(
        self,
        template: WorldTemplate,
        *,
        allowed: frozenset[str],
        max_namespaces: int,
        credits_per_namespace: float,
        header: Parameter,
    ) -> None:
        self.template = template
        self.generation = 0
        """How many times the template world was replaced (``PUT /_mock/world``)."""
        self._allowed = allowed
        self._credits = credits_per_namespace
        self._header = header
        self._items: BoundedDict[str, NamespaceState] = BoundedDict(
            max_namespaces, evict="least_recent"
        )

    def check_header(self, value: str | None) -> str:
        """The namespace named by ``X-Namespace`` (400 when missing or empty, 403 when not allowed).

        Names are plain strings (spaces and any script): a name sent as UTF-8 bytes is
        decoded as UTF-8 (the server reads header bytes as latin-1).
        """
        if value is None or value == "":
            raise NamespaceRequired("The X-Namespace header is required.")
        value = header_text(value)
        if not self._header.validator.is_valid(value):
            raise NamespaceRequired(
                f"The X-Namespace header {value[:80]!r} is not a valid namespace: send a "
                "namespace ID (ns_...) or its name.",
                code="namespace_malformed",
            )
        if self._allowed and value not in self._allowed:
            raise Forbidden(f"This API key may not access namespace {value[:80]!r}.")
        return value

    def get(self, name: str) -> NamespaceState:
        """The namespace, created from the template when new (marks it recently used)."""
        return self._items.get_or_put(
            name,
            lambda: NamespaceState(
                name, NamespaceWorld.from_template(self.template), self._credits, self.generation
            ),
        )

    def peek(self, name: str) -> NamespaceState | None:
        return self._items.peek(name)

    def replace_template(self, template: WorldTemplate) -> None:
        self.template = template
        self.generation += 1
        self._items.clear()

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

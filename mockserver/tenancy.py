"""Who is calling and in which namespace: bearer auth, namespaces and their budgets.

Each namespace gets its own copy of the template world on first use (or is refused
with 403 when ``Settings.namespaces`` lists the allowed ones). At most
``max_namespaces`` are kept; the least recently used one is forgotten first.
"""

from __future__ import annotations

import threading

from .bounded import BoundedDict
from .errors import Forbidden, NamespaceRequired, Unauthorized
from .validation import Parameter
from .world import NamespaceWorld, WorldTemplate

__all__ = ["Authenticator", "NamespaceRegistry", "NamespaceState"]

BEARER_PREFIX = "bearer "
KEY_PREFIX = "sk_"


class Authenticator:
    """``Authorization: Bearer sk_...``: any ``sk_`` key, or exactly the configured ones."""

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
        if self._api_keys and key not in self._api_keys:
            raise Unauthorized("Unknown API key.", code="invalid_api_key")
        return key


class NamespaceState:
    """One namespace: its world and its credits."""

    def __init__(self, name: str, world: NamespaceWorld, credits_total: float) -> None:
        self.name = name
        self.world = world
        self.credits_total = credits_total
        self.credits_used = 0.0
        self._lock = threading.Lock()

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
        self._allowed = allowed
        self._credits = credits_per_namespace
        self._header = header
        self._items: BoundedDict[str, NamespaceState] = BoundedDict(
            max_namespaces, evict="least_recent"
        )

    def check_header(self, value: str | None) -> str:
        """The namespace named by ``X-Namespace`` (400 when missing or malformed, 403 when not allowed)."""
        if value is None or value == "":
            raise NamespaceRequired("The X-Namespace header is required.")
        if not self._header.validator.is_valid(value):
            raise NamespaceRequired(
                f"The X-Namespace header {value[:80]!r} is malformed: use a namespace ID "
                "(ns_...) or a name of letters, digits, '-' and '_' (at most 64 characters).",
                code="namespace_malformed",
            )
        if self._allowed and value not in self._allowed:
            raise Forbidden(f"This API key may not access namespace {value!r}.")
        return value

    def get(self, name: str) -> NamespaceState:
        """The namespace, created from the template when new (marks it recently used)."""
        return self._items.get_or_put(
            name,
            lambda: NamespaceState(
                name, NamespaceWorld.from_template(self.template), self._credits
            ),
        )

    def peek(self, name: str) -> NamespaceState | None:
        return self._items.peek(name)

    def replace_template(self, template: WorldTemplate) -> None:
        self.template = template
        self._items.clear()

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

"""Namespaces and the changes made to their worlds, in Redis, applied alike by every worker.

Each worker keeps its own copies of the worlds (the :class:`NamespaceRegistry`: the
engine reads them without a round trip) and brings them up to date from Redis at the
start of every request that uses a namespace, in one script that also marks the
namespace used:

- ``<prefix>world``, a hash: ``token`` (a random id of the template in force, absent for
  the mock's own fixture) and ``text`` (the fixture ``PUT /_mock/world`` loaded);
- ``<prefix>world:<namespace>``, a list: a random id of this log, then each change
  (``{"op": "documents" | "retriever", ...}``) in the order they were made. A worker
  replays the changes it has not seen; a change is appended only if the log is still the
  one the worker validated it against, else the worker catches up and tries again, so
  every worker sees the same world, change for change;
- ``<prefix>ns``, a sorted set of the namespaces in use, least recently used first, at
  most ``max_namespaces`` (``<prefix>ns:tick`` orders it): a namespace pushed out is
  forgotten with its changes and its credits, as in one process.

Every key expires ``redis_ttl_s`` after its last write (the template's after its last use).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..bounded import BoundedDict
from ..errors import InternalError, ServiceUnavailable
from ..settings import Settings
from ..tenancy import NamespaceRegistry, NamespaceState
from ..world import NamespaceWorld, RetrieverSpec, WorldError, WorldTemplate, load_world
from .connection import RETRY_AFTER_S, Keys, Redis, delete_matching, guarded, key_part

__all__ = ["RedisWorlds"]

MAX_APPEND_TRIES = 64
"""A change is tried again while other workers' changes to the namespace keep coming first."""

# KEYS: world, log, ns, ns:tick. ARGV: prefix, member, max_namespaces, ttl, the worker's
# template token, log token and changes applied.
# -> {template token, template text (when the worker's differs), log token, first, changes}
TOUCH = """
local token = redis.call('HGET', KEYS[1], 'token') or ''
local text = ''
if token ~= '' then
  if token ~= ARGV[5] then text = redis.call('HGET', KEYS[1], 'text') end
  redis.call('EXPIRE', KEYS[1], ARGV[4])
end
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[2])
local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[3])
if over > 0 then
  for _, gone in ipairs(redis.call('ZRANGE', KEYS[3], 0, over - 1)) do
    redis.call('DEL', ARGV[1] .. 'budget:' .. gone, ARGV[1] .. 'world:' .. gone)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, over - 1)
end
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[4])
local log = redis.call('LINDEX', KEYS[2], 0) or ''
local first = 0
if log ~= '' and log == ARGV[6] then first = tonumber(ARGV[7]) end
local changes = {}
if log ~= '' then changes = redis.call('LRANGE', KEYS[2], first + 1, -1) end
return {token, text, log, first, changes}
"""

# KEYS: world, log. ARGV: template token, log token, changes applied, change, new log
# token, ttl. -> {1, log token} appended, or {0, ''}: the world moved on meanwhile.
APPEND = """
if (redis.call('HGET', KEYS[1], 'token') or '') ~= ARGV[1] then return {0, ''} end
local log = redis.call('LINDEX', KEYS[2], 0) or ''
local count = redis.call('LLEN', KEYS[2])
if count > 0 then count = count - 1 end
if log ~= ARGV[2] or count ~= tonumber(ARGV[3]) then return {0, ''} end
if log == '' then
  log = ARGV[5]
  redis.call('RPUSH', KEYS[2], log)
end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, log}
"""

# KEYS: world, ns. ARGV: prefix, token, text, ttl.
REPLACE = """
redis.call('HSET', KEYS[1], 'token', ARGV[2], 'text', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  redis.call('DEL', ARGV[1] .. 'budget:' .. member, ARGV[1] .. 'world:' .. member)
end
redis.call('DEL', KEYS[2])
return 1
"""


@dataclass(frozen=True)
class _Synced:
    """How far this worker's copy of a namespace follows its log in Redis."""

    state: NamespaceState
    log: str
    applied: int


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _generation(token: str) -> int:
    """The template's generation, the same on every worker (0: the mock's own fixture)."""
    return int(token[:15], 16) if token else 0


class RedisWorlds:
    def __init__(
        self, client: Redis, keys: Keys, registry: NamespaceRegistry, settings: Settings
    ) -> None:
        self._client = client
        self._keys = keys
        self._registry = registry
        self._default = registry.template
        self._template_token = ""
        self._max_namespaces = settings.max_namespaces
        self._ttl = settings.redis_ttl_s
        self._synced: BoundedDict[str, _Synced] = BoundedDict(
            settings.max_namespaces, evict="least_recent"
        )
        self._changing = asyncio.Lock()  # one change at a time per worker: fewer retries
        self._touch = client.register_script(TOUCH)
        self._append = client.register_script(APPEND)
        self._replace = client.register_script(REPLACE)

    # -- reading

    @guarded
    async def namespace(self, name: str) -> NamespaceState:
        member = key_part(name)
        keys = [self._keys("world"), self._keys("world", member), self._keys("ns")]
        keys.append(self._keys("ns", "tick"))
        for _ in range(3):
            known = self._known(name)
            token, text, log, first, changes = await self._touch(
                keys=keys,
                args=[
                    self._keys(""),
                    member,
                    self._max_namespaces,
                    self._ttl,
                    self._template_token,
                    known.log if known else "",
                    known.applied if known else 0,
                ],
            )
            if _text(token) != self._template_token:
                self._use_template(_text(token), _text(text))
                continue  # every copy is gone: replay this namespace from its first change
            state = self._catch_up(name, _text(log), int(first), changes)
            if state is not None:
                return state
        raise InternalError(f"The world of namespace {name[:80]!r} kept changing while read.")

    def _known(self, name: str) -> _Synced | None:
        known = self._synced.peek(name)
        if known is None or self._registry.peek(name) is not known.state:
            return None
        return known

    def _catch_up(
        self, name: str, log: str, first: int, changes: list[bytes]
    ) -> NamespaceState | None:
        """Apply the changes from ``first`` on that this copy lacks; None when the answer
        cannot be used (a request running beside this one moved the copy meanwhile).

        Copies change only here, from the log, so each change is applied once whatever
        runs at the same time."""
        state = self._registry.get(name)
        now = self._known(name)  # read again: another request may have caught up meanwhile
        if now is not None and now.log == log and first <= now.applied:
            pending, applied = changes[now.applied - first :], now.applied
        elif first == 0:  # the whole log: start afresh from the template
            state.world = NamespaceWorld.from_template(self._registry.template)
            state.generation = self._registry.generation
            pending, applied = changes, 0
        else:
            return None
        for raw in pending:
            _apply(state.world, json.loads(raw))
        self._synced.put(name, _Synced(state, log, applied + len(pending)))
        return state

    def _use_template(self, token: str, text: str) -> None:
        template = load_world(text) if token else self._default
        self._registry.replace_template(template)
        self._registry.generation = _generation(token)
        self._template_token = token
        self._synced.clear()

    @guarded
    async def template(self) -> WorldTemplate:
        token, text = await self._client.hmget(self._keys("world"), "token", "text")
        token = _text(token or b"")
        if token != self._template_token:
            self._use_template(token, _text(text or b""))
        return self._registry.template

    @guarded
    async def count(self) -> int:
        return await self._client.zcard(self._keys("ns"))

    # -- writing

    async def add_documents(
        self, name: str, collection: str, documents: Sequence[Mapping[str, Any]]
    ) -> int:
        change = {"op": "documents", "collection": collection, "documents": list(documents)}
        return await self._change(
            name, change, lambda world: world.add_documents(collection, documents)
        )

    async def add_retriever(self, name: str, retriever: Mapping[str, Any]) -> RetrieverSpec:
        change = {"op": "retriever", "retriever": dict(retriever)}
        return await self._change(name, change, lambda world: world.add_retriever(retriever))

    @guarded
    async def _change(self, name: str, change: dict[str, Any], apply: Any) -> Any:
        """Check ``change`` on a copy of the namespace's world, then append it to the
        namespace's log if nobody changed the namespace meanwhile (else catch up and check
        again); this worker's copy then takes it from the log, like every other's."""
        async with self._changing:
            return await self._append_change(name, json.dumps(change, separators=(",", ":")), apply)

    async def _append_change(self, name: str, encoded: str, apply: Any) -> Any:
        member = key_part(name)
        for _ in range(MAX_APPEND_TRIES):
            state = await self.namespace(name)
            known = self._known(name)
            if known is None or known.state is not state:
                continue
            result = apply(state.world.copy())  # raises WorldError when invalid
            appended, _log = await self._append(
                keys=[self._keys("world"), self._keys("world", member)],
                args=[
                    self._template_token,
                    known.log,
                    known.applied,
                    encoded,
                    uuid.uuid4().hex,
                    self._ttl,
                ],
            )
            if appended:
                await self.namespace(name)
                return result
        raise ServiceUnavailable(
            f"Namespace {name[:80]!r} kept changing on other workers; this change was not "
            f"made. Retry after {RETRY_AFTER_S} second.",
            code="world_busy",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )

    @guarded
    async def replace_template(self, text: str) -> WorldTemplate:
        template = load_world(text)  # raises WorldError before anything changes
        token = uuid.uuid4().hex
        await self._replace(
            keys=[self._keys("world"), self._keys("ns")],
            args=[self._keys(""), token, text, self._ttl],
        )
        self._registry.replace_template(template)
        self._registry.generation = _generation(token)
        self._template_token = token
        self._synced.clear()
        return template

    @guarded
    async def clear(self) -> None:
        await delete_matching(self._client, self._keys.pattern("world:*"))
        await self._client.delete(self._keys("ns"), self._keys("ns", "tick"))
        self._registry.clear()
        self._synced.clear()


def _apply(world: NamespaceWorld, change: dict[str, Any]) -> None:
    """Replay one change of the log (it was checked when it was appended)."""
    try:
        if change["op"] == "documents":
            world.add_documents(change["collection"], change["documents"])
        else:
            world.add_retriever(change["retriever"])
    except WorldError as problem:  # pragma: no cover (a log written by another version)
        raise InternalError(f"A world change in Redis does not apply: {problem}") from None

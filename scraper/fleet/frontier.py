"""The shared frontier in Redis: queue, seen set, leases, workers' heartbeats, per-host slots.

One crawl (one snapshot) has its keys under `<ns>:crawl:<snapshot id>:`; the hosts' politeness
slots are shared by every crawl (`<ns>:host:<host>:`), since a government server is the same
server whichever snapshot asks. Every step that must not be split is one Lua script, so a
worker killed between two Redis calls never leaves a request half-moved:

- `push`: add the request's fingerprint to the seen set and, if it was new, the request to the
  queue (a sorted set scored by -priority, as scrapy-redis's PriorityQueue);
- `lease`: take the best request off the queue and lease it to a worker until a deadline (a
  sorted set of deadlines, a hash of the leased requests and one of their owners);
- `ack`: the leased request is done (its capture is written and every request its callback
  made is queued): drop the lease;
- `heartbeat`: a worker's liveness key with a TTL, and the deadlines of its leases and slots
  pushed back; a fenced worker (declared dead) is told so and stops;
- `requeue`: a dead worker's lease goes back on the queue (see `scraper.fleet.coordinator`);
- `acquire_slot`: one of a host's `concurrency` slots, if one is free and the host's next
  request time (delay) has come, by the Redis server's clock (TIME), so the workers' clocks
  do not matter.

Times are milliseconds of the Redis server's clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

NAMESPACE = "portal-archive"

_PUSH = """
local new = redis.call('SADD', KEYS[1], ARGV[1])
if new == 0 and ARGV[4] == '0' then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

_LEASE = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local id = tostring(redis.call('INCR', KEYS[5]))
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], id, item[1])
redis.call('HSET', KEYS[3], id, ARGV[1])
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[2]), id)
return {id, item[1], item[2]}
"""

_ACK = """
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if not owner or (ARGV[2] ~= '' and owner ~= ARGV[2]) then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('INCR', KEYS[4])
return 1
"""

_REQUEUE = """
local data = redis.call('HGET', KEYS[1], ARGV[1])
if not data then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[2], data)
return 1
"""

# KEYS: heartbeat, fenced set, lease deadlines, crawl state hash
# ARGV: worker, heartbeat ttl, lease ttl, then `lease` ids, '--', the slots' ttl, then
# `zset|member` slots
_HEARTBEAT = """
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'fenced' end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[3])
local slots = false
for i = 4, #ARGV do
  if ARGV[i] == '--' then
    slots = true
    until_ = now + tonumber(ARGV[i + 1])
  elseif slots and ARGV[i - 1] == '--' then
    -- the slots' ttl, read above
  elseif slots then
    local sep = string.find(ARGV[i], '|', 1, true)
    redis.call('ZADD', string.sub(ARGV[i], 1, sep - 1), 'XX', until_,
               string.sub(ARGV[i], sep + 1))
  else
    redis.call('ZADD', KEYS[3], 'XX', until_, ARGV[i])
  end
end
return redis.call('HGET', KEYS[4], 'state') or 'gone'
"""

# `lease` for up to ARGV[3] requests at once (same KEYS and ARGV[1..2]): a flat list of
# id, data, score triples, best first.
_LEASE_MANY = """
local items = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
if #items == 0 then return {} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, #items, 2 do
  redis.call('ZREM', KEYS[1], items[i])
  local id = tostring(redis.call('INCR', KEYS[5]))
  redis.call('HSET', KEYS[2], id, items[i])
  redis.call('HSET', KEYS[3], id, ARGV[1])
  redis.call('ZADD', KEYS[4], now + tonumber(ARGV[2]), id)
  out[#out + 1] = id
  out[#out + 1] = items[i]
  out[#out + 1] = items[i + 1]
end
return out
"""

# KEYS: holders (zset member → expiry), next request time[, fenced workers of the crawl];
# ARGV: holder, concurrency, hold ms, delay ms[, worker]. Returns 0 (acquired) or how many ms
# to wait (-1: all slots taken; -2: the worker was declared dead and must send nothing more).
_ACQUIRE = """
if KEYS[3] and redis.call('SISMEMBER', KEYS[3], ARGV[5]) == 1 then return -2 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local nxt = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < nxt then return nxt - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('SET', KEYS[2], now + tonumber(ARGV[4]), 'PX', 3600000)
redis.call('PEXPIRE', KEYS[1], 3600000)
return 0
"""


@dataclass(frozen=True)
class CrawlKeys:
    """The Redis keys of one distributed crawl."""

    ns: str
    snapshot_id: str

    def _k(self, name: str) -> str:
        return f"{self.ns}:crawl:{self.snapshot_id}:{name}"

    @property
    def state(self) -> str:  # hash: spec (JSON), state (running | closing | closed)
        return self._k("state")

    @property
    def queue(self) -> str:
        return self._k("queue")

    @property
    def seen(self) -> str:
        return self._k("seen")

    @property
    def leases(self) -> str:
        return self._k("leases")

    @property
    def owners(self) -> str:
        return self._k("lease-owners")

    @property
    def deadlines(self) -> str:
        return self._k("lease-deadlines")

    @property
    def lease_seq(self) -> str:
        return self._k("lease-seq")

    @property
    def acked(self) -> str:
        return self._k("acked")

    @property
    def workers(self) -> str:  # every worker that joined
        return self._k("workers")

    @property
    def finished(self) -> str:  # workers that closed their WARCs and left
        return self._k("finished")

    @property
    def reclaimed(self) -> str:  # workers declared dead, whose leases were reclaimed
        return self._k("reclaimed")

    @property
    def fenced(self) -> str:
        return self._k("fenced")

    @property
    def robots(self) -> str:  # netloc → robots.txt body (latin-1 text), or "" after an error
        return self._k("robots")

    @property
    def fetch_errors(self) -> str:  # hash: kind → requests that ended without a response
        return self._k("fetch-errors")

    def robots_claim(self, netloc: str) -> str:
        return self._k(f"robots-claim:{netloc}")


def jobs_key(ns: str = NAMESPACE) -> str:
    """Set of the snapshot ids of running distributed crawls (what idle workers look for)."""
    return f"{ns}:crawls"


def heartbeat_key(worker: str, ns: str = NAMESPACE) -> str:
    return f"{ns}:worker:{worker}"


def host_keys(host: str, ns: str = NAMESPACE) -> tuple[str, str]:
    """(holders, next request time) of a host's fleet-wide politeness slots."""
    return f"{ns}:host:{host}:holders", f"{ns}:host:{host}:next"


def connect(url: str, **params: Any) -> Any:
    """A `redis.Redis` for `url` (`redis://` or TLS `rediss://`, with user and password if
    given), answering text. scrapy-redis's own `get_redis`, so workers' schedulers connect
    the same way. Short socket timeouts: a call that hangs on a lost server would stall
    the crawler's event loop."""
    from scrapy_redis.connection import get_redis

    defaults = {"socket_timeout": 10, "socket_connect_timeout": 10, "decode_responses": True,
                "health_check_interval": 15}
    return get_redis(url=url, **{**defaults, **params})


class Frontier:
    """The frontier scripts of one crawl, bound to a client."""

    def __init__(self, client: Any, keys: CrawlKeys) -> None:
        self.client = client
        self.keys = keys
        self._push = client.register_script(_PUSH)
        self._lease = client.register_script(_LEASE)
        self._ack = client.register_script(_ACK)
        self._requeue = client.register_script(_REQUEUE)
        self._heartbeat = client.register_script(_HEARTBEAT)
        self._acquire = client.register_script(_ACQUIRE)
        self._lease_many = client.register_script(_LEASE_MANY)
        self._scripts = (self._push, self._lease, self._ack, self._requeue, self._heartbeat,
                         self._acquire, self._lease_many)

    # -- the crawl --------------------------------------------------------------------------
    def spec(self) -> dict | None:
        raw = self.client.hget(self.keys.state, "spec")
        return json.loads(raw) if raw else None

    def state(self) -> str | None:
        return self.client.hget(self.keys.state, "state")

    def set_state(self, state: str) -> None:
        self.client.hset(self.keys.state, "state", state)

    def counts(self) -> dict[str, int]:
        pipe = self.client.pipeline(transaction=False)
        pipe.zcard(self.keys.queue)
        pipe.hlen(self.keys.leases)
        pipe.scard(self.keys.seen)
        pipe.get(self.keys.acked)
        queued, leased, seen, acked = pipe.execute()
        return {"queued": int(queued), "leased": int(leased), "seen": int(seen),
                "acked": int(acked or 0)}

    # -- requests ---------------------------------------------------------------------------
    def push(self, fingerprint: str, priority: int, data: str, dont_filter: bool = False) -> bool:
        """Queue `data` unless its fingerprint was seen (seen-check and push in one step)."""
        return bool(self._push(keys=[self.keys.seen, self.keys.queue],
                               args=[fingerprint, -priority, data, int(dont_filter)]))

    def lease(self, worker: str, ttl_ms: int) -> tuple[str, str] | None:
        """(lease id, request data) of the best queued request, leased to `worker`."""
        got = self._lease(keys=[self.keys.queue, self.keys.leases, self.keys.owners,
                                self.keys.deadlines, self.keys.lease_seq],
                          args=[worker, ttl_ms])
        return (got[0], got[1]) if got else None

    def ack(self, lease_id: str, worker: str = "") -> bool:
        """Drop a lease (only `worker`'s, unless empty) once its request is done."""
        return bool(self._ack(keys=[self.keys.leases, self.keys.owners, self.keys.deadlines,
                                    self.keys.acked], args=[lease_id, worker]))

    def requeue(self, lease_id: str, score: float) -> bool:
        return bool(self._requeue(keys=[self.keys.leases, self.keys.owners,
                                        self.keys.deadlines, self.keys.queue],
                                  args=[lease_id, score]))

    def leases_of(self, worker: str) -> dict[str, str]:
        """lease id → request data of every lease `worker` holds."""
        ids = [i for i, w in self.client.hgetall(self.keys.owners).items() if w == worker]
        if not ids:
            return {}
        return {i: d for i, d in zip(ids, self.client.hmget(self.keys.leases, ids), strict=True)
                if d is not None}

    def expired_owners(self) -> set[str]:
        """Workers holding a lease whose deadline has passed (by the server's clock)."""
        sec, usec = self.client.time()
        now = sec * 1000 + usec // 1000
        ids = self.client.zrangebyscore(self.keys.deadlines, "-inf", now)
        if not ids:
            return set()
        return {w for w in self.client.hmget(self.keys.owners, ids) if w}

    # -- workers ----------------------------------------------------------------------------
    def heartbeat(self, worker: str, ttl_ms: int, leases: list[str],
                  slots: list[tuple[str, str]]) -> str:
        """Renew `worker`'s liveness, leases and slots; returns the crawl's state, or
        `fenced` when the worker was declared dead and must stop at once."""
        args = [worker, ttl_ms, ttl_ms, *leases, "--", ttl_ms,
                *(f"{z}|{m}" for z, m in slots)]
        return self._heartbeat(keys=[heartbeat_key(worker, self.keys.ns), self.keys.fenced,
                                     self.keys.deadlines, self.keys.state], args=args)

    def alive(self, worker: str) -> bool:
        return bool(self.client.exists(heartbeat_key(worker, self.keys.ns)))

    # -- politeness -------------------------------------------------------------------------
    def acquire_slot(self, host: str, holder: str, concurrency: int, hold_ms: int,
                     delay_ms: int) -> int:
        """0 if `holder` now holds one of `host`'s slots, else the ms to wait (-1: full)."""
        holders, nxt = host_keys(host, self.keys.ns)
        return int(self._acquire(keys=[holders, nxt],
                                 args=[holder, max(1, concurrency), hold_ms, delay_ms]))

    def release_slot(self, host: str, holder: str) -> None:
        self.client.zrem(host_keys(host, self.keys.ns)[0], holder)

    def release_slots_of(self, host: str, worker: str) -> int:
        """Give back every slot of `host` a dead worker held (holders are `worker:…`)."""
        holders = host_keys(host, self.keys.ns)[0]
        mine = [m for m in self.client.zrange(holders, 0, -1) if m.startswith(f"{worker}:")]
        return int(self.client.zrem(holders, *mine)) if mine else 0

    # -- batched round trips ----------------------------------------------------------------
    # A worker's calls as commands (`*_op`) sent together by `run`: one round trip for a
    # page's pushed links, its dedup entry, its host slot given back and its lease's ack, or
    # for a slot given back and the next one taken. A synchronous call blocks the worker's
    # event loop for its round trip; seven of them per page were the fleet's cost
    # (docs/benchmarks.md, "Distributed crawl").
    def load_scripts(self) -> None:
        """Load every script into the server (EVALSHA in a pipeline does not load them)."""
        for script in self._scripts:
            script.sha = self.client.script_load(script.script)

    def run(self, ops: list[tuple]) -> list:
        """Send `ops` in order in one MULTI/EXEC round trip; their replies, in order.

        Every op is idempotent (a push is a seen-check, an ack or a release a no-op the
        second time, a dedup entry an HSETNX), so after a NOSCRIPT (a restarted or flushed
        server) they are simply sent again once the scripts are loaded."""
        from redis.exceptions import NoScriptError

        for attempt in (0, 1):
            pipe = self.client.pipeline(transaction=True)
            for op in ops:
                pipe.execute_command(*op)
            try:
                return pipe.execute()
            except NoScriptError:
                if attempt:
                    raise
                self.load_scripts()
        return []  # unreachable

    def _evalsha(self, script: Any, keys: list[str], args: list[Any]) -> tuple:
        return ("EVALSHA", script.sha, len(keys), *keys, *args)

    def push_op(self, fingerprint: str, priority: int, data: str,
                dont_filter: bool = False) -> tuple:
        return self._evalsha(self._push, [self.keys.seen, self.keys.queue],
                             [fingerprint, -priority, data, int(dont_filter)])

    def ack_op(self, lease_id: str, worker: str = "") -> tuple:
        return self._evalsha(self._ack, [self.keys.leases, self.keys.owners,
                                         self.keys.deadlines, self.keys.acked],
                             [lease_id, worker])

    def lease_op(self, worker: str, ttl_ms: int, count: int) -> tuple:
        """Its reply is a flat list of (lease id, request data, score) triples."""
        return self._evalsha(self._lease_many, [self.keys.queue, self.keys.leases,
                                                self.keys.owners, self.keys.deadlines,
                                                self.keys.lease_seq],
                             [worker, ttl_ms, max(1, count)])

    def acquire_op(self, host: str, holder: str, concurrency: int, hold_ms: int,
                   delay_ms: int, worker: str) -> tuple:
        """`acquire_slot` for `worker`, refused (-2) once the crawl has fenced it."""
        holders, nxt = host_keys(host, self.keys.ns)
        return self._evalsha(self._acquire, [holders, nxt, self.keys.fenced],
                             [holder, max(1, concurrency), hold_ms, delay_ms, worker])

    def release_op(self, host: str, holder: str) -> tuple:
        return ("ZREM", host_keys(host, self.keys.ns)[0], holder)

    def heartbeat_op(self, worker: str, ttl_ms: int, leases: list[str],
                     slots: list[tuple[str, str]], slot_ms: int) -> tuple:
        return self._evalsha(self._heartbeat, [heartbeat_key(worker, self.keys.ns),
                                               self.keys.fenced, self.keys.deadlines,
                                               self.keys.state],
                             [worker, ttl_ms, ttl_ms, *leases, "--", slot_ms,
                              *(f"{z}|{m}" for z, m in slots)])

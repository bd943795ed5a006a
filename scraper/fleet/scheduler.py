"""scrapy-redis 0.9.1 adapted to Scrapy 2.19 by subclassing (configured in settings, not forked).

What Scrapy 2.13+ needs and scrapy-redis 0.9.1 does not do, and what this crawl needs on top:

- the dupefilter is built with `from_crawler` and fingerprints with the crawler's
  `request_fingerprinter` (Scrapy's), not scrapy-redis's own sha1 of a canonicalized URL;
- stats are counted without the removed `spider=` argument;
- no blocking pop on the event loop: `next_request` makes one non-blocking script call, and
  new work reaches an idle worker through `scraper.fleet.components.FleetWorker`'s poller;
- the queue's seen-check and push are one Lua script (`Frontier.push`): a worker killed
  between scrapy-redis's SADD and ZADD would leave a URL seen but never queued;
- a pop is a lease, not a destructive pop: the request carries its lease id in
  `meta["portal_lease"]`, and the lease is acked only when its callback's output is done
  (`LeaseAckPipeline`); a retry of a leased request stays in this worker under the same lease;
- requests are JSON (`scraper.fleet.serializer`), never pickles.
"""

from __future__ import annotations

import importlib
import logging
from collections import deque
from typing import Any

from scrapy.http import Request
from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter as RedisDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

META_LEASE = "portal_lease"
# Requests leased per round trip when this worker needs one: fewer round trips, and at most
# this many minus one held by a worker that another could have taken at the crawl's end.
DEFAULT_LEASE_BATCH = 4

logger = logging.getLogger(__name__)


class FingerprintDupeFilter(RedisDupeFilter):
    """scrapy-redis's Redis set of fingerprints, with Scrapy's request fingerprinter."""

    def __init__(self, server: Any, key: str, debug: bool = False,
                 fingerprinter: Any = None) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_crawler(cls, crawler):
        from scraper.fleet.frontier import connect

        settings = crawler.settings
        return cls(connect(settings["REDIS_URL"]), key=settings["SCHEDULER_DUPEFILTER_KEY"],
                   debug=settings.getbool("DUPEFILTER_DEBUG"),
                   fingerprinter=crawler.request_fingerprinter)

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the set: other workers share it, and the crawl outlives this process."""


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue (sorted set by -priority) with atomic push-if-unseen and
    leases. `frontier` and `worker` are set by `LeasingScheduler.open`."""

    frontier: Any = None
    worker: str = ""
    lease_ms: int = 30_000

    def _encode_request(self, request: Request) -> str:
        obj = request.to_dict(spider=self.spider)
        obj["meta"] = {k: v for k, v in obj["meta"].items() if k != META_LEASE}
        return self.serializer.dumps(obj)

    def push_new(self, request: Request, fingerprint: str) -> bool:
        return self.frontier.push(fingerprint, request.priority, self._encode_request(request),
                                  dont_filter=request.dont_filter)

    def push_op(self, request: Request, fingerprint: str) -> tuple:
        """The push as a command for the worker's next round trip (`Fleet.run`)."""
        return self.frontier.push_op(fingerprint, request.priority,
                                     self._encode_request(request),
                                     dont_filter=request.dont_filter)

    def pop_many(self, count: int) -> list[Request]:
        """Up to `count` of the best queued requests, each leased, in one round trip."""
        (got,) = self.fleet.run(self.frontier.lease_op(self.worker, self.lease_ms, count))
        requests = []
        for i in range(0, len(got), 3):
            request = self._decode_request(got[i + 1])
            request.meta[META_LEASE] = got[i]
            requests.append(request)
        return requests

    def push(self, request: Request) -> None:  # scrapy-redis's API: no seen-check
        self.frontier.push("", request.priority, self._encode_request(request), True)

    def pop(self, timeout: int = 0) -> Request | None:
        got = self.frontier.lease(self.worker, self.lease_ms)
        if got is None:
            return None
        lease_id, data = got
        request = self._decode_request(data)
        request.meta[META_LEASE] = lease_id
        return request


class LeasingScheduler(RedisScheduler):
    """scrapy-redis's Scheduler over `LeasedPriorityQueue` and `FingerprintDupeFilter`.

    The fleet state (`crawler.portal_fleet`, a `scraper.fleet.components.Fleet`) holds this
    worker's id, its leases and whether Redis was lost; after a lost connection nothing is
    taken or acked any more (the leases are reclaimed from the WARCs, see the coordinator).
    """

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        dupefilter = load_object(settings["DUPEFILTER_CLASS"]).from_crawler(crawler)
        instance = cls(
            server=dupefilter.server,
            persist=True,  # the frontier belongs to the crawl, not to this worker
            queue_key=settings["SCHEDULER_QUEUE_KEY"],
            queue_cls=settings["SCHEDULER_QUEUE_CLASS"],
            dupefilter=dupefilter,
            dupefilter_key=settings["SCHEDULER_DUPEFILTER_KEY"],
            serializer=importlib.import_module(settings["SCHEDULER_SERIALIZER"]),
        )
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.fleet = crawler.portal_fleet
        instance.fleet.scheduler = instance
        instance.local = deque()  # retries of requests leased here
        return instance

    def open(self, spider):
        # scrapy-redis's open, minus its Redis calls (a queue length for a log line, a flush
        # we never want): Redis may be gone already, and an error here leaves Scrapy's engine
        # half-open; the worker's first heartbeat finds out and stops it cleanly.
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key, serializer=self.serializer)
        self.queue.frontier = self.fleet.frontier
        self.queue.worker = self.fleet.worker
        self.queue.lease_ms = self.fleet.lease_ms
        self.queue.fleet = self.fleet
        self.lease_batch = max(1, self.crawler.settings.getint("PORTAL_FLEET_LEASE_BATCH",
                                                               DEFAULT_LEASE_BATCH))

    def close(self, reason: str) -> None:
        """Nothing to flush: what this worker did not finish stays leased to it and goes back
        to the queue when the coordinator reclaims its leases (`persist` is always on)."""

    def enqueue_request(self, request: Request) -> bool:
        lease = request.meta.get(META_LEASE)
        if lease is not None and lease in self.fleet.leases:
            self.local.append(request)  # a retry: stays here, under the same lease
            return True
        if self.fleet.lost:
            return self._unqueued(request)
        # Sent with this worker's next round trip, at the latest with the ack of the lease
        # whose callback made it (Fleet.run): the seen-check happens there, so a link another
        # worker queued first is counted here as enqueued too.
        self.fleet.defer(self.queue.push_op(request, self.df.request_fingerprint(request)))
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _unqueued(self, request: Request) -> bool:
        """A link that could not be queued because Redis is gone. Not raised: an exception
        here would stall Scrapy's handling of the callback's output (and the worker's
        shutdown). Not lost either: its page's lease is never acked once Redis is lost, so
        the coordinator reads that page back from this worker's WARC and queues its links."""
        if self.stats:
            self.stats.inc_value("portal/fleet_unqueued")
        logger.warning("not queued (Redis is gone; recovered from the WARC later): %s",
                       request.url)
        return False

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        return self.lease_one()

    def lease_one(self) -> Request | None:
        """Lease the best queued request, or None (also once Redis is lost or when stopping)."""
        if self.fleet.lost or self.fleet.stopping:
            return None
        try:
            # A few at once (PORTAL_FLEET_LEASE_BATCH): the rest wait here, leased (the
            # heartbeat keeps them), and are taken before any new lease.
            requests = self.queue.pop_many(self.lease_batch)
        except Exception as exc:
            self.fleet.lose(exc)
            return None
        for request in requests:
            self.fleet.leases.add(request.meta[META_LEASE])
            if self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
        if not requests:
            return None
        self.local.extend(requests[1:])
        return requests[0]

    def has_pending_requests(self) -> bool:
        return bool(self.local)

    def __len__(self) -> int:
        return len(self.local)

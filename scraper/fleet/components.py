"""What a worker adds to the ordinary crawl: lease acks, fleet-wide politeness, one robots.txt
fetch per host for the whole fleet, and the heartbeat that keeps its leases.

All of them share one `Fleet` (the worker's id, its leases and slots, the frontier scripts),
put on the crawler by `scraper.fleet.worker` as `crawler.portal_fleet`, as `run_crawl` does
with the WARC writer. Every Redis call is one non-blocking round trip (a script or a command);
waits (a host's slot, another worker's robots.txt) are `asyncio.sleep`s on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet import task

from archive.dedup import DedupEntry
from archive.redis_dedup import RedisDedupIndex
from scraper.crawl import ARCHIVE_ERROR_STAT
from scraper.fleet.frontier import Frontier, heartbeat_key, host_keys
from scraper.fleet.scheduler import META_LEASE
from scraper.middlewares import ArchivedRobotsTxtMiddleware
from scraper.spiders.portal import PortalSpider

logger = logging.getLogger(__name__)

LEASE_DONE = "portal_lease_done"  # the item that acks a lease (see FleetPortalSpider)
META_SLOT = "portal_fleet_slot"
COOKIES_SUFFIX = "#set-cookie"  # robots hash field: the Set-Cookie values of that response
REDIS_LOST_REASON = "redis_lost"
# Exit status of a worker declared dead by the coordinator while it still ran.
FENCED_EXIT = 75


def default_slot_ms(lease_ms: int) -> int:
    """A host slot's life without a heartbeat: 10 leases, at least 2 minutes (see
    FleetPolitenessMiddleware for why it is longer than a lease)."""
    return max(10 * lease_ms, 120_000)


def fenced_exit(worker: str) -> None:
    """The coordinator declared this worker dead (it missed its heartbeats) and has taken its
    leases, slots and WARC files over: writing or sending one more thing would race that."""
    logger.critical("worker %s was declared dead by the coordinator; exiting", worker)
    os._exit(FENCED_EXIT)


class FleetLost(Exception):
    """The connection to Redis was lost: the worker stops, acks nothing more, and its leases
    are reclaimed (from its WARCs) once Redis is back."""


class Fleet:
    """One worker's share of the distributed crawl."""

    def __init__(self, frontier: Frontier, worker: str, lease_ms: int,
                 slot_ms: int | None = None) -> None:
        self.frontier = frontier
        self.worker = worker
        self.lease_ms = lease_ms
        # How long a host slot outlives the worker's last heartbeat (FleetPolitenessMiddleware).
        self.slot_ms = slot_ms or default_slot_ms(lease_ms)
        self.leases: set[str] = set()
        self.slots: dict[str, str] = {}  # holder → host
        self.lost: FleetLost | None = None
        self.stopping = False
        self._finishing = False
        self.crawler: Any = None
        self.scheduler: Any = None
        # Commands that may wait for this worker's next round trip (`run`): links pushed, dedup
        # entries, slots given back. Never a lease's ack: an ack sends them all first.
        self.pending: list[tuple] = []

    def defer(self, op: tuple) -> None:
        self.pending.append(op)

    def run(self, *ops: tuple) -> list:
        """The pending commands, then `ops`, in one round trip; the replies to `ops`.

        Any failure of the client is a lost Redis: the worker stops (`lose`) and this raises
        `FleetLost`, as it does for every call once Redis is lost. (Every caller treated a
        failure so; a caller that did not, the dedup lookup inside the WARC writer, made a
        lost Redis read as a failed WARC write.)"""
        if self.lost is not None:
            raise self.lost
        batch, self.pending = self.pending, []
        try:
            replies = self.frontier.run([*batch, *ops])
        except Exception as exc:  # noqa: BLE001 - any failure of the client
            self.lose(exc)
            raise self.lost from exc
        return replies[len(batch):]

    def flush(self) -> None:
        """Send what is pending now (before the worker leaves, or after a quiet spell)."""
        if self.pending and self.lost is None:
            with contextlib.suppress(FleetLost):
                self.run()

    def lose(self, exc: BaseException) -> None:
        """Redis is gone: stop the crawl cleanly (finish the WARC files, keep every lease)."""
        if self.lost is not None:
            return
        self.lost = FleetLost(f"lost the connection to Redis: {type(exc).__name__}: {exc}")
        logger.error("%s; stopping this worker (its unfinished requests stay leased and are "
                     "reclaimed from its WARCs)", self.lost)
        if self.crawler is not None and self.crawler.engine is not None:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_LOST_REASON))

    def finish(self) -> None:
        """Close the spider once the crawl is over and this worker is idle (once)."""
        if not self._finishing and self.crawler is not None:
            self._finishing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="finished"))

    def ack(self, lease_id: str) -> None:
        if self.lost is not None:
            return  # the coordinator decides from the WARCs instead
        try:
            # The callback's links and the capture's dedup entry first, then the ack, in one
            # MULTI/EXEC: a lease is never acked before its page's links are queued.
            self.run(self.frontier.ack_op(lease_id, self.worker))
        except FleetLost:
            return
        self.leases.discard(lease_id)


class FleetDedupIndex(RedisDedupIndex):
    """The Redis dedup index as a worker uses it: a lookup is one round trip that also
    carries whatever the worker has pending, and an entry waits for the next round trip (at
    the latest its page's ack). An entry lost with a killed worker is put back from its WARC
    when the coordinator reclaims that page's lease (`recover_state`), as before."""

    def __init__(self, fleet: Fleet, namespace: str) -> None:
        super().__init__(fleet.frontier.client, namespace)
        self.fleet = fleet

    def lookup(self, payload_digest: str) -> DedupEntry | None:
        # (A lost Redis raises FleetLost: the worker says so, not "warc_write_failed".)
        (raw,) = self.fleet.run(("HGET", self.committed_key, payload_digest))
        return DedupEntry(**json.loads(raw)) if raw else None

    def add(self, snapshot_id: str, entry: DedupEntry) -> None:
        if entry.snapshot_id != snapshot_id:
            raise ValueError(f"entry belongs to {entry.snapshot_id!r}, not {snapshot_id!r}")
        self.fleet.defer(("HSETNX", self.pending_key(snapshot_id), entry.payload_digest,
                          json.dumps(asdict(entry), sort_keys=True)))

    def flush(self) -> None:
        self.fleet.flush()


class FleetPortalSpider(PortalSpider):
    """The portal spider of a worker: its frontier is in Redis (the coordinator queued the
    seeds), and every callback ends by handing over its lease to be acked.

    The ack travels as the callback's last item: with `CONCURRENT_ITEMS = 1` Scrapy handles a
    callback's output in order, so by the time the item pipeline sees it, every request the
    callback made is in the Redis queue and the capture is in the WARC. A worker killed before
    that leaves the lease unacked, and the coordinator reads its WARCs to tell which.
    """

    name = "portal-fleet"

    async def start(self):
        return
        yield  # an async generator with nothing in it

    def parse(self, response: Response) -> Iterator[dict | Request]:
        yield from self._then_ack(super().parse(response), response.request)

    def on_error(self, failure) -> Iterator[dict]:
        if failure.check(FleetLost) or self.crawler.stats.get_value(ARCHIVE_ERROR_STAT):
            # Not done: Redis is gone, or the capture could not be archived (a full disk).
            # The lease stays, and the coordinator requeues it.
            return
        yield from self._then_ack(super().on_error(failure), failure.request)

    def _then_ack(self, output: Iterator, request: Request | None) -> Iterator:
        try:
            yield from output
        except Exception:  # a spider bug must not hold the crawl for ever: log it, ack
            self.logger.exception("callback failed for %s", getattr(request, "url", "?"))
            self.crawler.stats.inc_value("portal/callback_errors")
        lease = request.meta.get(META_LEASE) if request is not None else None
        if lease is not None:
            yield {LEASE_DONE: lease}


class LeaseAckPipeline:
    """Acks the lease named by a `LEASE_DONE` item (the last output of its callback)."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.portal_fleet)

    def process_item(self, item: Any, spider=None) -> Any:
        if isinstance(item, dict) and LEASE_DONE in item:
            self.fleet.ack(item[LEASE_DONE])
        return item


class FleetPolitenessMiddleware:
    """A host's concurrency and delay, held by the whole fleet (slots in Redis).

    Before a request goes to the downloader it takes one of its host's
    `CONCURRENT_REQUESTS_PER_DOMAIN` slots, and only once `DOWNLOAD_DELAY` has passed since
    the fleet's previous request to that host; the slot is given back after the response (or
    error) came back. Each worker's own Scrapy limits still apply. Priority 990: closest to
    the download handler, so nothing but the download holds a slot.

    Why the count of a host's slots is never below its requests in flight:
    - taking a slot is one script (count, delay and add at once, by the server's clock), so
      two workers can never both take the last one;
    - each slot has its own holder name (worker id, a token of this process, a counter), so
      no two requests, of this crawl or another, share a slot;
    - a slot is given back only after its download ended (`_release`, sent with the
      worker's next round trip: later, never earlier);
    - a slot is not freed by a worker that is slow: it lives `PORTAL_FLEET_SLOT_MS` (default
      10 leases, at least 2 min) past its worker's last heartbeat, not one lease. A worker
      whose event loop stalled longer than a lease (a loaded machine) kept its slots, where
      with the lease's 3 s of the tests they expired under its requests in flight, and a
      fourth worker's request made 5 on a host held to 4;
    - the slots of a worker the coordinator declared dead are freed by the coordinator
      (`reclaim_worker`) once it is fenced, and a fenced worker can take no slot any more
      (the script refuses it), so it sends nothing after that; a killed worker's sockets
      are closed by its kernel. What stays outside the count: requests a fenced worker sent
      before it stalled, still unanswered by the server a whole lease later.
    """

    def __init__(self, crawler) -> None:
        self.fleet: Fleet = crawler.portal_fleet
        settings = crawler.settings
        self.concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.delay_ms = int(settings.getfloat("DOWNLOAD_DELAY") * 1000)
        self.counter = itertools.count()
        # Unique across processes: a worker id is unique within one crawl only, and host
        # slots are shared by every crawl (a restarted `--id w1` must not reuse `w1:0`).
        self.token = f"{os.getpid():x}{random.getrandbits(24):06x}"
        self._waiting: dict[str, asyncio.Lock] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request: Request, spider=None) -> None:
        fleet = self.fleet
        host = urlsplit(request.url).netloc
        holder = f"{fleet.worker}:{self.token}:{next(self.counter)}"
        # One request per host at a time asks Redis for a slot; the others wait here. With
        # the host's slots all taken (2 workers of 16 requests each, 16 slots), each of the
        # 16 would poll Redis on its own: 3.6 more round trips a page, measured.
        async with self._waiting.setdefault(host, asyncio.Lock()):
            await self._acquire(fleet, host, holder)
        request.meta[META_SLOT] = holder

    async def _acquire(self, fleet: Fleet, host: str, holder: str) -> None:
        pause = 0.005
        while True:
            # Slots given back since the last round trip go first: one round trip. (A lost
            # Redis raises FleetLost.)
            (wait,) = fleet.run(fleet.frontier.acquire_op(
                host, holder, self.concurrency, fleet.slot_ms, self.delay_ms, fleet.worker))
            wait = int(wait)
            if wait == 0:
                fleet.slots[holder] = host  # renewed by the heartbeat from now on
                return
            if wait == -2:
                fenced_exit(fleet.worker)
            # Full: back off up to 20 ms (a slot frees when some response comes back);
            # delayed: sleep until the host's next request time.
            pause = min(pause * 2, 0.02) if wait < 0 else wait / 1000
            await asyncio.sleep(pause * random.uniform(0.8, 1.2))

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: BaseException, spider=None):
        self._release(request)
        return None

    def _release(self, request: Request) -> None:
        holder = request.meta.pop(META_SLOT, None)
        host = self.fleet.slots.pop(holder, None) if holder else None
        if host is None or self.fleet.lost is not None:
            return  # a lost Redis: the slot expires by itself
        # Given back with this worker's next round trip (the next slot taken, or this page's
        # ack, right after its callback): held a little longer, never shorter, than the
        # download, so the fleet's count of a host's requests never falls below the truth.
        self.fleet.defer(self.fleet.frontier.release_op(host, holder))


class FleetRobotsTxtMiddleware(ArchivedRobotsTxtMiddleware):
    """robots.txt fetched (and archived) by one worker of the fleet, read by all from Redis.

    Scrapy's middleware fetches it in every process: with N workers it would be captured N
    times. The first worker to claim a host fetches it as usual and stores the body in Redis;
    the others wait for that body and parse it themselves.

    The session cookies that response set are shared the same way: the fleet is one visitor,
    as a single-process crawl is. Otherwise each worker's first requests go out without a
    cookie, and NukeViet counts a view for each: the very counters the archive records would
    rise with the number of workers (and pages would differ from night to night).
    """

    def __init__(self, crawler) -> None:
        super().__init__(crawler)
        self.fleet: Fleet = crawler.portal_fleet
        self._claims: dict[str, asyncio.Future] = {}

    async def robot_parser(self, request: Request):
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            mine = netloc not in self._claims
            if mine:
                self._claims[netloc] = asyncio.ensure_future(self._shared_body(netloc))
            body = await asyncio.shield(self._claims[netloc])
            if body is not None and netloc not in self._parsers:
                self._adopt_cookies(request, netloc)
                self._parsers[netloc] = (build_from_crawler(self._parserimpl, self.crawler,
                                                            body.encode("latin-1"))
                                         if body else None)
            elif body is None and not mine:
                while netloc not in self._parsers:  # this worker's claimant is fetching it
                    await asyncio.sleep(0.01)
        return await super().robot_parser(request)

    async def _shared_body(self, netloc: str) -> str | None:
        """The body another worker stored, or None once this worker holds the claim."""
        keys, client = self.fleet.frontier.keys, self.fleet.frontier.client
        while True:
            if self.fleet.lost is not None:
                raise self.fleet.lost
            try:
                body = client.hget(keys.robots, netloc)
                if body is not None:
                    return body
                if client.set(keys.robots_claim(netloc), self.fleet.worker, nx=True,
                              px=max(self.fleet.lease_ms, 60_000)):
                    return None
            except Exception as exc:  # noqa: BLE001
                self.fleet.lose(exc)
                raise self.fleet.lost from exc
            await asyncio.sleep(0.05)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        cookies = [c.decode("latin-1") for c in response.headers.getlist(b"Set-Cookie")]
        if cookies:
            self._share(netloc + COOKIES_SUFFIX, json.dumps(cookies))
        self._share(netloc, response.body.decode("latin-1"))
        await super()._parse_robots(response, netloc, request)

    def _adopt_cookies(self, request: Request, netloc: str) -> None:
        """Put the cookies the fleet's robots.txt response set into this worker's jar."""
        try:
            raw = self.fleet.frontier.client.hget(self.fleet.frontier.keys.robots,
                                                  netloc + COOKIES_SUFFIX)
        except Exception as exc:  # noqa: BLE001
            self.fleet.lose(exc)
            raise self.fleet.lost from exc
        if not raw:
            return
        from scrapy.downloadermiddlewares.cookies import CookiesMiddleware

        url = f"{urlparse_cached(request).scheme}://{netloc}/robots.txt"
        response = Response(url, headers={"Set-Cookie": json.loads(raw)})
        for mw in self.crawler.engine.downloader.middleware.middlewares:
            if isinstance(mw, CookiesMiddleware):
                mw.jars[request.meta.get("cookiejar")].extract_cookies(response, Request(url))

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._share(netloc, "")
        super()._robots_error(exc, netloc)

    def _share(self, netloc: str, body: str) -> None:
        if self.fleet.lost is not None:
            return
        try:
            self.fleet.frontier.client.hset(self.fleet.frontier.keys.robots, netloc, body)
        except Exception as exc:  # noqa: BLE001
            self.fleet.lose(exc)


class FleetWorker:
    """The worker's clock: a heartbeat that renews its leases and slots (and learns when the
    crawl is over), and a poller that leases new work when this worker has room for it.

    Without the poller an idle worker would only look at the queue at Scrapy's 5 s engine
    heartbeat; with it, within `PORTAL_FLEET_POLL` seconds. The spider is kept open while the
    crawl runs (other workers' pages bring new links), and closed once the coordinator says
    the crawl is done.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.fleet: Fleet = crawler.portal_fleet
        self.poll = crawler.settings.getfloat("PORTAL_FLEET_POLL", 0.2)
        self.beat = max(0.05, self.fleet.lease_ms / 1000 / 6)
        self.loops: list[task.LoopingCall] = []
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider) -> None:
        self.heartbeat()
        for interval, call in ((self.beat, self.heartbeat), (self.poll, self.take_work)):
            loop = task.LoopingCall(call)
            loop.start(interval, now=False).addErrback(
                lambda f: logger.error("fleet loop failed: %s", f.getErrorMessage()))
            self.loops.append(loop)

    def heartbeat(self) -> None:
        fleet = self.fleet
        if fleet.lost is not None:
            return
        try:
            (state,) = fleet.run(fleet.frontier.heartbeat_op(
                fleet.worker, fleet.lease_ms, sorted(fleet.leases),
                [(host_keys(host, fleet.frontier.keys.ns)[0], holder)
                 for holder, host in fleet.slots.items()], fleet.slot_ms))
        except FleetLost:
            return
        if state == "fenced":
            fenced_exit(fleet.worker)
        if state != "running" and not fleet.stopping:
            fleet.stopping = True
            logger.info("the crawl is %s; this worker stops", state)
        engine = self.crawler.engine
        if fleet.stopping and engine is not None and engine.spider is not None \
                and engine.spider_is_idle():
            fleet.finish()

    def take_work(self) -> None:
        fleet, engine = self.fleet, self.crawler.engine
        scheduler = fleet.scheduler
        fleet.flush()  # nothing waits long for a round trip that may not come
        if (fleet.lost is not None or fleet.stopping or engine is None or scheduler is None
                or scheduler.local or engine.downloader.needs_backout()):
            return
        request = scheduler.lease_one()
        if request is not None:
            engine.crawl(request)  # lands in the scheduler's local queue: it holds the lease
        elif engine.spider is not None and engine.spider_is_idle():
            # Idle with an empty queue: is the crawl over? (Asked here, not only at the next
            # heartbeat, so the workers leave as soon as the coordinator says so.)
            try:
                state = fleet.frontier.state()
            except Exception as exc:  # noqa: BLE001
                fleet.lose(exc)
                return
            if state != "running":
                fleet.stopping = True
                fleet.finish()

    def idle(self, spider) -> None:
        if self.fleet.lost is None and not self.fleet.stopping:
            raise DontCloseSpider

    def closed(self, spider, reason: str) -> None:
        # Finish this worker's WARC file while the heartbeat still runs: once the heartbeat
        # stops, the coordinator may take the worker for dead and repair the file itself.
        writer = getattr(self.crawler, "portal_warc_writer", None)
        try:
            if writer is not None:
                writer.close()
            self.fleet.flush()  # dedup entries and links still waiting for a round trip
            if self.fleet.lost is None:
                # Alive until the process has shut Scrapy down and says it is gone (the
                # worker deletes the key as it exits): its log is in the snapshot, which the
                # coordinator must not hash before the last line.
                self.fleet.frontier.client.set(
                    heartbeat_key(self.fleet.worker, self.fleet.frontier.keys.ns),
                    "finishing", px=120_000)
        except Exception as exc:  # noqa: BLE001
            logger.error("could not finish this worker cleanly: %s", exc)
        finally:
            for loop in self.loops:
                if loop.running:
                    loop.stop()


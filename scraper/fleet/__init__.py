"""Scale-out over Redis with scrapy-redis: one frontier, many worker processes (issue 15).

`frontier` holds the Redis keys and Lua scripts (queue, seen set, leases, heartbeats, per-host
slots); `serializer` the JSON form of queued requests; `scheduler` the scrapy-redis adapters
for Scrapy 2.19; `components` the worker's middlewares, pipeline and extension;
`worker` runs one worker process; `coordinator` enqueues a crawl, reclaims dead workers'
leases and closes the snapshot. See docs/scale.md.
"""

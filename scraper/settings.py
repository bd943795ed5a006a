"""Scrapy settings: polite archival defaults for a real government portal.

`portal-archive crawl` starts from these and overrides what its flags say (`--delay 0
--concurrency 16` for a local replica). Everything that shapes a crawl is recorded in the
snapshot manifest.
"""

from portal_archive import __version__

BOT_NAME = "portal-archive"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

USER_AGENT = f"portal-archive/{__version__} (web archiving; +https://github.com/portal-archive)"

# Politeness. A provincial portal is a small server: one or two requests at a time, a delay,
# and AutoThrottle backing off when responses slow down.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
# 0.5–1.5 × the delay, so requests do not arrive on a fixed beat.
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# A portal page is well under 10 MB; attachments can be larger. Past this, give up on the body.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# Cookies on: NukeViet counts a view for every cookie-less fetch, so a crawler without cookies
# inflates the very counters it archives.
COOKIES_ENABLED = True

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX = 120.0

# The spider follows redirects itself (see scraper.spiders.portal) so each 3xx is archived with
# its own row; every status reaches the spider.
REDIRECT_ENABLED = False
HTTPERROR_ALLOW_ALL = True
METAREFRESH_ENABLED = False

# Breadth-first: listings before the deep tail, and a resumed crawl's frontier stays shallow.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# Pre-seeded with the URLs an interrupted run already captured (see scraper.resume).
DUPEFILTER_CLASS = "scraper.dupefilter.SeededDupeFilter"

# Every middleware is a layer of Python around each request or each callback output. Off:
# Offsite (the profile's canonicalize already keeps every link on the portal's host), HttpAuth
# (no credentials), HttpError (HTTPERROR_ALLOW_ALL lets every status through anyway), UrlLength
# (trap URLs are cut by the profile's rules), MetaCopyDetection (a development warning), Depth
# and Referer (the spider sets both as it makes each request, with the same settings: see
# scraper.spiders.portal).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.middlewares.ArchivedRobotsTxtMiddleware": 100,
    "scraper.middlewares.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scraper.middlewares.DecodeOnceCompressionMiddleware": 590,
    # Next to the downloader: sees requests as sent and responses as received (still encoded).
    "scraper.middlewares.WarcCaptureMiddleware": 950,
    # Counts the requests that really go out: --max-pages N means N captures (scraper.budget).
    "scraper.budget.RequestBudgetMiddleware": 960,
}
ITEM_PIPELINES = {
    "pipelines.scrapy_pipeline.DatasetPipeline": 300,
}
# The dataset worker process writes the WARC records too (see pipelines.background); False
# writes them in the crawler process, as a resumed crawl always does.
PORTAL_WARC_IN_WORKER = True
# Scrapy starts CONCURRENT_ITEMS asyncio worker tasks for every callback's output (default 100,
# for pipelines that wait on I/O). Ours is synchronous, so the 100 tasks per response only cost
# CPU: about a quarter of the crawler's time in a profile of a 1,000-article crawl.
CONCURRENT_ITEMS = 1
# Scrapy checks each callback for `return value` inside a generator by reading and parsing its
# source; its cache is keyed by weak references to bound methods, which die with each request,
# so the check re-ran for most responses. Our two callbacks are plain generators.
WARN_ON_GENERATOR_RETURN_VALUE = False
# DownloaderStats serialises every request and response again only to count their bytes; the
# WARC records and the manifest already hold those numbers.
DOWNLOADER_STATS = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    # Scrapy's remote control runs any Python code sent to a local HTTP port and writes a job
    # file into the user's home: not something a nightly archival crawl should leave open.
    # Removed here rather than with REMOTE_CONTROL_ENABLED, so its module (and aiohttp) is
    # never even imported.
    "scrapy.extensions.remote_control.RemoteControl": None,
    "scraper.extensions.ProgressLine": 500,
}

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
# A crawl in which more than this share of the portal's URLs failed (no answer, or 5xx after
# the retries) closes `degraded`; one in which none answered closes `failed` (scraper.health).
PORTAL_DEGRADED_ERROR_RATIO = 0.5

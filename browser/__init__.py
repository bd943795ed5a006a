"""The archive browser: a local read-only web app over an archive (`portal-archive serve`).

It reads through `archive/` and `audit/` only (never the other way round) and replays captures
through pywb running as its own process (`browser.replay`).
"""

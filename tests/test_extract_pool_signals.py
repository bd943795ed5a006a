"""`extract --jobs N` workers end on SIGTERM whatever handlers their parent had.

A resumed crawl extracts its datasets in the process that ran Scrapy, whose SIGTERM handler
only stops the Twisted reactor. Forked workers inherited it, so Pool.terminate() (SIGTERM) did
not end a worker still waiting on the task queue and the crawl hung at close; CI saw
tests/test_crawl_resume.py time out after 600 s on a busy machine.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, signal
    from pipelines.extract import worker_pool

    signal.signal(signal.SIGTERM, lambda *_: None)  # what Scrapy leaves behind, in effect
    pool = worker_pool(2)
    pool.apply(os.getpid)  # the workers are up
    workers = list(pool._pool)
    for w in workers:
        os.kill(w.pid, signal.SIGTERM)  # what Pool.terminate() sends
    for w in workers:
        w.join(20)
    print(sorted(w.exitcode for w in workers), flush=True)
    # Not pool.terminate(): a worker killed while it held the task queue's lock would keep
    # the pool's own teardown waiting (which is why the workers must die on SIGTERM at all).
    os._exit(0)
""")


def test_a_pool_worker_ends_on_sigterm_under_a_parent_that_catches_it():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["[-15,", "-15]"], proc.stdout

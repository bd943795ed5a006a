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

# Each worker reports its own handlers. (Killing a worker instead would make the pool fork a
# replacement, which outlives this script if the pool is not torn down; see git history.)
SCRIPT = textwrap.dedent("""
    import signal
    from pipelines.extract import _start_method, worker_pool

    def handlers(_):
        return (signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
                signal.getsignal(signal.SIGINT) is signal.default_int_handler)

    signal.signal(signal.SIGTERM, lambda *_: None)  # what Scrapy leaves behind, in effect
    assert _start_method() == "fork"  # one thread here: the workers inherit the handlers
    pool = worker_pool(2)
    try:
        print(sorted(set(pool.map(handlers, range(8), chunksize=1))))
    finally:
        pool.close()
        pool.join()
""")


def test_pool_workers_have_default_handlers_under_a_parent_that_catches_sigterm():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[(True, True)]", proc.stdout

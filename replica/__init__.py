"""Local replica of a provincial portal (NukeViet 4.x by default, or another platform: see
replica.platforms), for demos, tests and benchmarks.

Public API::

    from replica import ReplicaConfig, FaultConfig, Site, run_replica, run_replica_process
    site = Site(ReplicaConfig(articles=50, seed=1, night=0, theme="custom2015"))
    site.canonical_urls(base)      # every canonical URL served (no trap URLs)
    site.changes(0, 2)             # ground truth: added / removed / changed between nights
    with run_replica(ReplicaConfig(articles=50)) as base_url: ...   # thread, ephemeral port
    with run_replica_process(ReplicaConfig(articles=50000)) as base_url: ...  # child process
"""

from replica.config import PLATFORMS, THEMES, FaultConfig, ReplicaConfig
from replica.server import run_replica, run_replica_process
from replica.site import Site

__all__ = ["PLATFORMS", "THEMES", "FaultConfig", "ReplicaConfig", "Site", "run_replica",
           "run_replica_process"]

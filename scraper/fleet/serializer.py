"""JSON for requests queued in Redis (scrapy-redis `SCHEDULER_SERIALIZER`): never pickle.

scrapy-redis pickles by default; anything that can write to the Redis server could then run
code in every worker. `Request.to_dict()` holds bytes (headers, body) and dicts keyed by
bytes (headers), which JSON has no type for: they are tagged (`{"$b": base64}` and
`{"$d": [[key, value], ...]}`) and restored by `loads`. Nothing else is accepted back.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def _plain(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return {"$b": base64.b64encode(obj).decode("ascii")}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and not ({"$b", "$d"} & obj.keys()):
            return {k: _plain(v) for k, v in obj.items()}
        return {"$d": [[_plain(k), _plain(v)] for k, v in obj.items()]}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise TypeError(f"cannot queue a request holding {type(obj).__name__} in Redis")


def _hook(obj: dict) -> Any:
    if obj.keys() == {"$b"}:
        return base64.b64decode(obj["$b"])
    if obj.keys() == {"$d"}:
        return {_hashable(k): v for k, v in obj["$d"]}
    return obj


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(obj: Any) -> str:
    return json.dumps(_plain(obj), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loads(data: str | bytes) -> Any:
    return json.loads(data, object_hook=_hook)

"""The platforms the replica imitates; `get_platform(name, site)` returns one for a Site.

Each platform renders the same SiteModel with its CMS's URLs and markup (docs/replica.md,
one section per platform). NukeViet's routes and themes stay in replica/routes.py and
replica/themes/; the others live here, one module each.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from replica.config import PLATFORMS
from replica.platforms.base import Platform

if TYPE_CHECKING:
    from replica.site import Site

# platform name -> "module:Class" (imported on first use: a Site loads only its own)
REGISTRY: dict[str, str] = {
    "nukeviet": "replica.platforms.nukeviet:NukeViet",
    "upload-portal": "replica.platforms.upload_portal:UploadPortal",
    "wordpress": "replica.platforms.wordpress:WordPress",
    "custom": "replica.platforms.custom:Custom",
    "liferay": "replica.platforms.liferay:Liferay",
    "sharepoint": "replica.platforms.sharepoint:SharePoint",
    "dotnetnuke": "replica.platforms.dotnetnuke:DotNetNuke",
}


def platform_class(name: str) -> type[Platform]:
    if name not in PLATFORMS or name not in REGISTRY:
        raise ValueError(f"unknown platform {name!r} (choose from {', '.join(PLATFORMS)})")
    module, cls = REGISTRY[name].split(":")
    try:
        return getattr(importlib.import_module(module), cls)
    except ModuleNotFoundError as exc:
        raise ValueError(f"platform {name!r} is not built yet") from exc


def get_platform(name: str, site: Site) -> Platform:
    return platform_class(name)(site)


__all__ = ["REGISTRY", "Platform", "get_platform", "platform_class"]

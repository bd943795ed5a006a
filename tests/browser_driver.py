"""Helpers for the archive browser's tests: `portal-archive serve` in its own process, and
headless Chromium from Debian (chromium + chromium-driver) driven through Selenium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import e2e
import pytest

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--window-size=1280,900")


def require_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver; skip without them, but fail under CI=true."""
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chrome and driver:
        return chrome, driver
    missing = "chromium" if not chrome else "chromedriver (Debian: chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing} is not installed; .ci/run installs it")
    pytest.skip(f"{missing} is not installed")


@contextlib.contextmanager
def chromium(lang: str = "en-US") -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chrome, driver_path = require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--lang={lang}")
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@contextlib.contextmanager
def serve(archive: Path, *extra: str, port: int | None = None) -> Iterator[str]:
    """`portal-archive serve` on a free port; yields the address it prints."""
    port = port or e2e.free_port()
    proc = subprocess.Popen([*e2e.CLI, "serve", "--archive", str(archive), "--port", str(port),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # "archive browser on http://…/", printed once the socket listens (and pywb too).
        line = proc.stdout.readline()
        if not line.startswith("archive browser on "):
            proc.kill()
            raise AssertionError(f"serve did not start: {line}{proc.stderr.read()}")
        yield line.split(" on ", 1)[1].strip()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def console_errors(driver) -> list[str]:
    """Console errors (and failed loads) since the last call, from every frame."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def screenshot(driver, name: str) -> None:
    """Saves a PNG into $PORTAL_ARCHIVE_SCREENSHOTS (docs/img when refreshing the docs)."""
    folder = os.environ.get("PORTAL_ARCHIVE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))

"""Debian's headless Chromium through Playwright, allowed to talk to the portal only."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, which this machine's
# closed network refuses; playwright's own browser download is never used.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Addresses that never leave the machine.
LOCAL_SCHEMES = {"data", "blob", "about"}


def launched_chromium() -> Iterator[Browser]:
    """Body of a browser fixture: `yield from launched_chromium()`."""
    if not Path(CHROMIUM).exists():  # make test installs it; a bare machine may not have it
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def refuse_other_hosts(context: BrowserContext) -> list[str]:
    """Abort every request not served by the portal on 127.0.0.1 and return the list they are
    recorded in, so a CDN link fails loudly in tests rather than on an offline machine."""
    outside: list[str] = []

    def guard(route):
        url = urlsplit(route.request.url)
        if url.scheme in LOCAL_SCHEMES or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return outside


def in_database(django_db_blocker, function: Callable):
    """`function`'s result against the committed test database, in a thread of its own:
    Playwright's sync API keeps an asyncio loop in the main thread, where Django refuses ORM
    calls."""
    from django.db import connections

    def call():
        try:
            with django_db_blocker.unblock():
                return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()

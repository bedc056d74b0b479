"""A real headless Chromium on the sandbox page: one sandbox session and one browser per
module, a fresh tab per test, and a screenshot of the tab when a test fails.

The browser is the system's (Debian's `chromium`, `/usr/bin/chromium` or
`ONBOARDBOT_CHROMIUM`), driven by Playwright; nothing is downloaded. Without it the tests
skip and say why, unless `ONBOARDBOT_REQUIRE_BROWSER=1` (set by CI): then they fail.
Screenshots go to `test-results/screenshots/` (or `ONBOARDBOT_SCREENSHOTS`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.demo.session import BotSession
from slack_sandbox.web.server import PageServer

CHROMIUM = os.environ.get("ONBOARDBOT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("ONBOARDBOT_SCREENSHOTS", "test-results/screenshots"))
# A Monday morning in Tokyo: the kickoff is today, the next business morning is Tuesday.
START = datetime.fromisoformat("2027-04-05T10:00:00+09:00")


def _browser_problem() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def sandbox_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BotSession, str]]:
    """One sandbox session (the bot on a fresh SQLite file) and its page, for the module."""
    session = BotSession(workdir=tmp_path_factory.mktemp("sandbox"), start=START, lang="en")
    server = PageServer(session).start_in_thread()
    try:
        yield session, server.url
    finally:
        server.stop()
        session.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = _browser_problem()
    if problem is not None:
        if os.environ.get("ONBOARDBOT_REQUIRE_BROWSER") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def tab(
    browser: Any, request: pytest.FixtureRequest, sandbox_page: tuple[BotSession, str]
) -> Iterator[Any]:
    """A fresh tab; when the test failed, its screenshot is saved under SCREENSHOTS.

    Every request the page makes must go to the sandbox: it loads nothing from elsewhere.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(sandbox_page[1]) else elsewhere.append(r.url),
    )
    try:
        yield page
        assert elsewhere == [], f"the page asked something other than the sandbox: {elsewhere}"
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        context.close()

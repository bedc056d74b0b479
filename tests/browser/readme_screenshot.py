"""The README's screenshot of the sandbox page: `python -m tests.browser.readme_screenshot`.

Plays the start of an onboarding through the session (as the page would), then photographs
the champion's view of the project channel in the system's headless Chromium.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.demo.session import BotSession
from slack_sandbox.web.server import PageServer
from tests.browser.conftest import CHROMIUM, START


def main(output: Path) -> int:
    with tempfile.TemporaryDirectory() as workdir:
        session = BotSession(workdir=Path(workdir), start=START, lang="en")
        server = PageServer(session).start_in_thread()
        try:
            cast = session.cast
            session.compose(
                cast.csm,
                cast.general,
                "/onboard start Acme Corp --champion taro@acme.example "
                "--decision-maker hanako@acme.example",
            )
            channel = session.sandbox.channel_by_name("onb-acme")
            assert channel is not None
            session.accept_invite(cast.champion, channel["id"])
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 1360, "height": 900})
                page.goto(f"{server.url}?as={cast.champion}&c={channel['id']}")
                page.locator("#messages .msg.pinned").wait_for()
                page.locator("#messages .msg.pinned").get_by_role(
                    "button", name="Done", exact=True
                ).nth(1).click()
                page.locator("#messages .msg.pinned", has_text="1/12").wait_for()
                page.locator("#messages .msg.pinned").evaluate(
                    "m => m.scrollIntoView({block: 'start'})"
                )
                page.screenshot(path=str(output))
                browser.close()
        finally:
            server.stop()
            session.close()
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/sandbox.png")))

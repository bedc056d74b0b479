from collections.abc import Iterator

import pytest

from tests.e2e.harness import Harness, start_harness
from tests.e2e.payloads import invalid_payloads


@pytest.fixture
def bot(db_url: str) -> Iterator[Harness]:
    harness = start_harness(db_url)
    try:
        yield harness
        harness.settle()
        # Whatever a test did, Slack would have accepted everything the bot sent.
        assert harness.sandbox.block_violations == [], harness.sandbox.block_violations
        # ...and slack_sdk's own models accept every payload it sent.
        assert invalid_payloads(harness.sandbox, harness.driver) == []
    finally:
        harness.close()

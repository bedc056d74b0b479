from collections.abc import Iterator

import pytest

from tests.e2e.harness import Harness, start_harness


@pytest.fixture
def bot(db_url: str) -> Iterator[Harness]:
    harness = start_harness(db_url)
    try:
        yield harness
    finally:
        harness.close()

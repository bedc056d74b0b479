"""The project lifecycle has one vocabulary: `storage.models.ProjectStatus`.

The pure domain cannot import storage, so it names the statuses it shows as states itself;
these tests hold those names to the enum.
"""

from bot.domain import kpis
from bot.domain.kpi_facts import ENDED_STATUSES
from storage.models import ENDED_STATUSES as STORED_ENDED
from storage.models import RUNNING_STATUSES, ProjectStatus


def test_the_domain_state_words_are_the_stored_statuses() -> None:
    assert kpis.PAUSED == ProjectStatus.PAUSED
    assert kpis.COMPLETED == ProjectStatus.COMPLETED
    assert kpis.CANCELLED == ProjectStatus.CANCELLED
    assert kpis.DELETED == ProjectStatus.DELETED
    assert ENDED_STATUSES == STORED_ENDED


def test_running_and_ended_do_not_overlap_and_leave_out_starting_and_deleted() -> None:
    assert not set(RUNNING_STATUSES) & set(STORED_ENDED)
    left = set(ProjectStatus) - set(RUNNING_STATUSES) - set(STORED_ENDED)
    assert left == {ProjectStatus.STARTING, ProjectStatus.DELETED}

from datetime import date

import pytest
from sqlalchemy import Engine

from bot.errors import UserError
from bot.flows import pause
from tests.flows.fakes import caller, fake_deps
from tests.services.seeds import CHANNEL, NOW, running_project


def test_pausing_answers_in_the_projects_language_and_refreshes_the_home_tab(
    engine: Engine,
) -> None:
    running_project(engine)
    deps, gateway, directory = fake_deps(engine, now=NOW)
    csm = caller(deps, "UCSM", channel_id=CHANNEL)
    note = pause.pause(deps, csm, until=date(2027, 5, 1))
    assert "2027-05-01" in note.text and "Acme" in note.text
    assert gateway.homes == ["UCSM"]  # the CSM's Home tab shows the pause
    assert directory.looked_up.count("UCSM") == 2  # once for this request, once for the tab
    resumed = pause.resume(deps, csm)
    assert "Acme" in resumed.text


def test_a_refusal_goes_up_with_its_key_and_nothing_is_sent(engine: Engine) -> None:
    running_project(engine)
    deps, gateway, _ = fake_deps(engine, now=NOW)
    with pytest.raises(UserError) as refused:
        pause.resume(deps, caller(deps, "UCSM", channel_id=CHANNEL))
    assert refused.value.key == "error.not_paused"
    with pytest.raises(UserError) as outsider:
        pause.pause(deps, caller(deps, "WCUST", channel_id=CHANNEL), until=None)
    assert outsider.value.key == "deny.external_cs_command"
    assert gateway.posted == gateway.updated == gateway.homes == []

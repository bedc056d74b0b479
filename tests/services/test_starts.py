from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, event, func
from sqlmodel import col, select

from bot.domain.calendar import BusinessCalendar
from bot.domain.command_text import Person
from bot.domain.playbook import load_playbooks
from bot.services import starts
from bot.services.projects import NewProject
from bot.services.starts import Begun, Invitee, Repeated, StartStep
from storage import events
from storage.db import session_scope
from storage.models import HandledRequest, Project, Stakeholder, Task
from tests.services.seeds import NOW

LATER = NOW + timedelta(seconds=30)


def _new(customer: str = "Acme") -> NewProject:
    return NewProject(
        customer_name=customer,
        playbook=load_playbooks()["low-touch"],
        kickoff=date(2027, 4, 5),
        locale="en",
        timezone="Asia/Tokyo",
        csm_user_id="UCSM",
        created_by="UCSM",
        champion=Person(user_id="WCUST"),
        decision_maker=Person(email="boss@acme.example"),
        channel_name="acme-onboarding",
    )


def _begin(
    engine: Engine,
    customer: str = "Acme",
    *,
    request: str | None = "cmd:T1",
    worker: str = "w1",
    now=NOW,
    confirmed: bool = False,
):
    with session_scope(engine) as session:
        return starts.begin(
            session=session,
            new=_new(customer),
            calendar=BusinessCalendar(country="JP"),
            now=now,
            request=request,
            worker=worker,
            confirmed=confirmed,
        )


def _projects(engine: Engine) -> list[Project]:
    with session_scope(engine) as session:
        return list(session.exec(select(Project).order_by(col(Project.id))).all())


def _keys(engine: Engine) -> dict[str, int | None]:
    with session_scope(engine) as session:
        return {r.key: r.project_id for r in session.exec(select(HandledRequest)).all()}


def test_begin_writes_a_starting_project_held_by_its_worker(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    [project] = _projects(engine)
    assert project.id == begun.project_id
    assert project.status == "starting" and project.start_step == "created"
    assert project.start_claimed_by == "w1"
    assert project.start_lease_until == NOW + starts.START_LEASE
    assert _keys(engine) == {
        "cmd:T1": project.id,
        f"starting:{starts.customer_key('Acme')}": project.id,
    }
    with session_scope(engine) as session:
        found = starts.project(session=session, project_id=begun.project_id)
        assert found is not None and starts.is_starting(found)
        state = starts.state(session=session, project_id=begun.project_id)
    assert state is not None
    assert (state.customer_name, state.locale, state.created_by, state.csm_user_id) == (
        "Acme",
        "en",
        "UCSM",
        "UCSM",
    )
    assert state.step == StartStep.CREATED and state.channel_id is None
    assert state.chosen_channel_name == "acme-onboarding"
    assert set(state.invitees) == {Invitee("WCUST", None), Invitee(None, "boss@acme.example")}
    assert state.reached(StartStep.CREATED) and not state.reached(StartStep.CHANNEL)


def test_a_replayed_request_starts_nothing_more(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    with session_scope(engine) as session:
        looked = starts.repeat_of(
            session=session, customer_name="Acme", request="cmd:T1", now=LATER, confirmed=False
        )
    again = _begin(engine, now=LATER, worker="w2")
    expected = Repeated(begun.project_id, "Acme", None, starting=True)
    assert looked == again == expected
    assert len(_projects(engine)) == 1


def test_the_same_customer_however_typed_is_refused_while_starting(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    for name in ("ACME Inc.", "ａｃｍｅ", "株式会社Acme"):
        other = _begin(engine, name, request=f"cmd:{name}", now=LATER, confirmed=True)
        assert other == Repeated(begun.project_id, "Acme", None, starting=True)
    # Their replays get the same answer: each request now points at the start under way.
    assert _keys(engine)["cmd:ACME Inc."] == begun.project_id
    assert isinstance(_begin(engine, "Globex", request="cmd:G", now=LATER), Begun)
    assert len(_projects(engine)) == 2


def test_a_live_customer_started_minutes_ago_needs_a_confirmation(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    with session_scope(engine) as session:
        assert starts.activate(session=session, project_id=begun.project_id, worker="w1", now=NOW)
    soon = NOW + starts.RECENT_START - timedelta(seconds=1)
    assert _begin(engine, request="cmd:T2", now=soon) == Repeated(
        begun.project_id, "Acme", None, starting=False
    )
    assert len(_projects(engine)) == 1
    assert isinstance(_begin(engine, request="cmd:T3", now=soon, confirmed=True), Begun)
    assert len(_projects(engine)) == 2


def test_a_customer_started_long_ago_starts_again(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    with session_scope(engine) as session:
        starts.activate(session=session, project_id=begun.project_id, worker="w1", now=NOW)
    at_limit = NOW + starts.RECENT_START  # still "minutes ago", inclusive
    assert isinstance(_begin(engine, request="cmd:T2", now=at_limit), Repeated)
    after = at_limit + timedelta(seconds=1)
    assert isinstance(_begin(engine, request="cmd:T3", now=after), Begun)


def test_only_the_holder_holds_advances_and_activates(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    pid = begun.project_id
    with session_scope(engine) as session:
        assert not starts.hold(session=session, project_id=pid, worker="w2", now=LATER)
        assert not starts.advance(
            session=session, project_id=pid, worker="w2", step=StartStep.POSTED
        )
        assert not starts.activate(session=session, project_id=pid, worker="w2", now=LATER)
        assert starts.hold(session=session, project_id=pid, worker="w1", now=LATER)
        assert starts.advance(session=session, project_id=pid, worker="w1", step=StartStep.INVITED)
    [project] = _projects(engine)
    assert project.status == "starting" and project.start_step == "invited"
    assert project.start_lease_until == LATER + starts.START_LEASE
    with session_scope(engine) as session:
        assert starts.activate(session=session, project_id=pid, worker="w1", now=LATER)
    [project] = _projects(engine)
    assert project.status == "active"
    assert (project.start_step, project.start_claimed_by, project.start_lease_until) == (
        None,
        None,
        None,
    )
    # The customer's "under way" key goes; the request's key stays for its replays.
    assert _keys(engine) == {"cmd:T1": pid}
    with session_scope(engine) as session:
        kinds = [e.kind for e in events.for_project(session=session, project_id=pid)]
        assert kinds == ["project.started", "project.activated"]
        assert starts.starting(session=session, project_id=pid) is None
        assert starts.state(session=session, project_id=pid) is None
        assert not starts.hold(session=session, project_id=pid, worker="w1", now=LATER)
    assert _begin(engine, now=LATER) == Repeated(pid, "Acme", None, starting=False)


def test_a_stalled_start_is_taken_over_once_its_lease_ran_out(engine: Engine) -> None:
    first = _begin(engine)
    second = _begin(engine, "Globex", request="cmd:G", now=LATER)
    assert isinstance(first, Begun) and isinstance(second, Begun)
    expired = NOW + starts.START_LEASE + timedelta(seconds=1)
    with session_scope(engine) as session:
        assert starts.take_over_stalled(session=session, now=NOW, worker="w9") == []
        taken = starts.take_over_stalled(session=session, now=expired, worker="w9")
    assert taken == [first.project_id]  # Globex's lease runs a little longer
    with session_scope(engine) as session:
        # The crashed worker has lost it; the new one holds it for a fresh lease.
        assert not starts.hold(
            session=session, project_id=first.project_id, worker="w1", now=expired
        )
        assert starts.hold(session=session, project_id=first.project_id, worker="w9", now=expired)
        assert starts.take_over_stalled(session=session, now=expired, worker="w8") == []
    projects = {p.id: p for p in _projects(engine)}
    assert projects[first.project_id].start_claimed_by == "w9"
    assert projects[first.project_id].start_lease_until == expired + starts.START_LEASE
    assert projects[second.project_id].start_claimed_by == "w1"


def test_released_starts_are_recovered_at_once_within_the_limit(engine: Engine) -> None:
    ids = []
    for name in ("Acme", "Globex", "Initech"):
        begun = _begin(engine, name, request=f"cmd:{name}")
        assert isinstance(begun, Begun)
        ids.append(begun.project_id)
    with session_scope(engine) as session:
        for pid in ids:
            starts.release(session=session, project_id=pid, worker="w1", now=NOW)
    with session_scope(engine) as session:
        assert starts.take_over_stalled(session=session, now=LATER, worker="w2", limit=2) == ids[:2]
        assert starts.take_over_stalled(session=session, now=LATER, worker="w3") == ids[2:]


def test_roll_back_removes_a_start_without_a_channel_and_all_it_wrote(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    pid = begun.project_id
    with session_scope(engine) as session:
        assert not starts.roll_back(session=session, project_id=pid, worker="w2")
        assert starts.roll_back(session=session, project_id=pid, worker="w1")
    assert _projects(engine) == [] and _keys(engine) == {}
    with session_scope(engine) as session:
        for table in (Task, Stakeholder):
            assert session.exec(select(func.count()).select_from(table)).one() == 0
        assert events.for_project(session=session, project_id=pid) == []
    # Nothing of it is left to stop a new start (the replay too starts anew).
    assert isinstance(_begin(engine, now=LATER), Begun)


def test_a_start_with_a_channel_is_not_rolled_back_but_may_be_abandoned(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    pid = begun.project_id
    with session_scope(engine) as session:
        project = starts.starting(session=session, project_id=pid)
        assert project is not None
        project.channel_id = "CACME"
    with session_scope(engine) as session:
        assert not starts.roll_back(session=session, project_id=pid)
        state = starts.state(session=session, project_id=pid)
        assert state is not None and state.chosen_channel_name is None
        assert not starts.abandon(session=session, project_id=pid, worker="w2")
        assert starts.abandon(session=session, project_id=pid, worker="w1")
    assert _projects(engine) == [] and _keys(engine) == {}


def test_kickoff_view_is_the_project_and_its_local_date(engine: Engine) -> None:
    begun = _begin(engine)
    assert isinstance(begun, Begun)
    with session_scope(engine) as session:
        view, today = starts.kickoff_view(
            session=session, project_id=begun.project_id, now=NOW + timedelta(hours=15)
        )
    assert view.id == begun.project_id and view.champion_user_id == "WCUST"
    assert today == date(2027, 4, 7)  # 01:00 UTC + 15h is past midnight in Tokyo


def test_request_keys_fit_their_column() -> None:
    assert starts.request_key("cmd", "T1") == "cmd:T1"
    long = starts.request_key("view", "x" * 200)
    assert long.startswith("view:sha256:") and len(long) <= 200
    assert long == starts.request_key("view", "x" * 200)
    assert starts.customer_key("Acme Inc.") == starts.customer_key("acme")


def _recent_projects(engine: Engine, names: list[str]) -> None:
    """Live projects of these customers, all made a minute before LATER."""
    with session_scope(engine) as session:
        for name in names:
            session.add(
                Project(
                    customer_name=name,
                    playbook_name="low-touch",
                    playbook_version=1,
                    kickoff=date(2027, 4, 5),
                    channel_id=f"C{name.upper()}",
                    created_at=LATER - timedelta(minutes=1),
                )
            )


def _repeat(engine: Engine, customer: str, *, confirmed: bool = False) -> Repeated | None:
    with session_scope(engine) as session:
        return starts.repeat_of(
            session=session, customer_name=customer, request=None, now=LATER, confirmed=confirmed
        )


def test_a_repeat_is_found_among_many_recent_starts_without_loading_them(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(starts, "RECENT_BATCH", 3)  # several batches, left at the first match
    _recent_projects(engine, [f"other{n}" for n in range(10)] + ["Acme", "ACME Inc."])
    built: list[Project] = []

    def count(project: Project, _context: object) -> None:
        built.append(project)

    event.listen(Project, "load", count)
    try:
        found = _repeat(engine, "ａｃｍｅ")
    finally:
        event.remove(Project, "load", count)
    assert built == []  # four columns read: no project object built
    oldest = _projects(engine)[10]
    assert found == Repeated(oldest.id, "Acme", "CACME", starting=False)
    assert _repeat(engine, "Globex") is None
    assert _repeat(engine, "Acme", confirmed=True) is None  # then only starts under way count

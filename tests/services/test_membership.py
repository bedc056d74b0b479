from datetime import timedelta

from sqlalchemy import Engine

from bot.domain.permissions import Actor
from bot.services import membership
from bot.services.membership import Answer, Assigned, Identified, Joined
from storage import events
from storage import projects as project_rows
from storage.db import session_scope
from storage.models import Stakeholder
from tests.services.seeds import CHANNEL, CSM, CUSTOMER, INTERNAL, NOW, running_project
from tests.services.world import channel_of, started

ACME = channel_of("Acme")
LATER = NOW + timedelta(hours=1)


def _join(
    engine: Engine,
    user_id: str,
    *,
    email: str | None = None,
    team: str | None = "TACME",
    external: bool = True,
    channel: str = ACME,
) -> Joined | None:
    with session_scope(engine) as session:
        return membership.joined(
            session=session,
            channel_id=channel,
            user_id=user_id,
            email=email,
            team_id=team,
            is_external=external,
            now=NOW,
        )


def _people(engine: Engine, project_id: int) -> dict[str | None, Stakeholder]:
    with session_scope(engine) as session:
        people = project_rows.stakeholders(session=session, project_id=project_id)
        session.expunge_all()
    return {p.slack_user_id or p.email: p for p in people}


def _kinds(engine: Engine, project_id: int) -> list[str]:
    with session_scope(engine) as session:
        return [e.kind for e in events.for_project(session=session, project_id=project_id)]


def test_an_invited_person_is_linked_to_their_seat_by_email(engine: Engine) -> None:
    project_id = started(engine)  # the champion invited as taro@acme.example
    joined = _join(engine, "WTARO", email="Taro@Acme.example")
    assert joined == Joined(
        project_id=project_id,
        user_id="WTARO",
        role="champion",
        by_email=True,
        open_seats=(),
        csm_user_id="UCSM",
        customer_name="Acme",
        channel_id=ACME,
        locale="en",
    )
    assert not joined.ask_csm
    taro = _people(engine, project_id)["WTARO"]
    assert (taro.role, taro.email, taro.team_id, taro.is_external) == (
        "champion",
        "taro@acme.example",
        "TACME",
        True,
    )
    assert taro.joined_at == NOW
    assert _kinds(engine, project_id)[-1] == "stakeholder.joined"
    assert _join(engine, "WTARO", email="taro@acme.example") is None  # a repeat: known already
    assert _kinds(engine, project_id).count("stakeholder.joined") == 1


def test_the_customers_first_team_decides_who_else_is_the_customer(engine: Engine) -> None:
    project_id = started(engine)
    first = _join(engine, "WHANAKO")  # no e-mail shown: a member, and the CSM is asked
    assert first is not None and (first.role, first.by_email) == ("member", False)
    assert first.open_seats == ("champion",) and first.ask_csm
    assert _join(engine, "WSPY", team="TRIVAL") is None  # another organisation
    assert _join(engine, "UOURS", team="T1", external=False) is None  # one of ours
    colleague = _join(engine, "WJIRO")
    assert colleague is not None and colleague.role == "member"
    assert set(_people(engine, project_id)) == {"UCSM", "taro@acme.example", "WHANAKO", "WJIRO"}


def test_nobody_joins_a_channel_that_is_no_project(engine: Engine) -> None:
    project_id = started(engine)
    assert _join(engine, "WHANAKO", channel="CGENERAL") is None
    assert "WHANAKO" not in _people(engine, project_id)


def _identify(
    engine: Engine, project_id: int, user_id: str, answer: Answer, actor: Actor = CSM
) -> Identified:
    with session_scope(engine) as session:
        return membership.identify(
            session=session,
            project_id=project_id,
            user_id=user_id,
            answer=answer,
            actor=actor,
            now=LATER,
        )


def test_the_csm_gives_someone_who_joined_the_open_seat(engine: Engine) -> None:
    project_id = started(engine)
    _join(engine, "WHANAKO")
    answered = _identify(engine, project_id, "WHANAKO", Answer.CHAMPION)
    assert answered == Identified(None, project_id, "en", "Acme")
    people = _people(engine, project_id)
    assert "taro@acme.example" not in people  # the invited seat is hers now, its e-mail kept
    hanako = people["WHANAKO"]
    assert (hanako.role, hanako.email, hanako.team_id) == ("champion", "taro@acme.example", "TACME")
    assert _kinds(engine, project_id)[-1] == "stakeholder.assigned"


def test_someone_not_part_of_the_project_is_removed_once(engine: Engine) -> None:
    project_id = started(engine)
    _join(engine, "WHANAKO")
    assert _identify(engine, project_id, "WHANAKO", Answer.NOT_PART).refusal is None
    assert "WHANAKO" not in _people(engine, project_id)
    assert _kinds(engine, project_id)[-1] == "stakeholder.removed"
    again = _identify(engine, project_id, "WHANAKO", Answer.MEMBER)
    assert again == Identified("identify.gone", project_id, "en", "Acme")
    assert "WHANAKO" not in _people(engine, project_id)


def test_only_staff_answer_and_only_about_the_customers_people(engine: Engine) -> None:
    project_id = started(engine)
    _join(engine, "WHANAKO")
    assert _identify(engine, project_id, "WHANAKO", Answer.MEMBER, actor=CUSTOMER) == Identified(
        "deny.external_cs_command"
    )
    assert _identify(engine, project_id, "WHANAKO", Answer.MEMBER, actor=INTERNAL) == Identified(
        "deny.not_staff"
    )
    assert _identify(engine, project_id + 1000, "WHANAKO", Answer.MEMBER) == Identified(
        "error.project_not_found"
    )
    assert _identify(engine, project_id, "UCSM", Answer.CHAMPION).refusal == "identify.gone"
    assert _people(engine, project_id)["UCSM"].role == "csm"
    assert _people(engine, project_id)["WHANAKO"].role == "member"


def _assign(
    engine: Engine,
    user_id: str,
    role: str,
    *,
    channel_id: str = CHANNEL,
    actor: Actor = CSM,
    known: bool = True,
    team_id: str | None = None,
    is_external: bool = False,
) -> Assigned:
    with session_scope(engine) as session:
        return membership.assign_by_hand(
            session=session,
            channel_id=channel_id,
            actor=actor,
            user_id=user_id,
            known=known,
            team_id=team_id,
            is_external=is_external,
            role=role,
            now=NOW,
        )


def test_staff_assign_a_seat_by_hand(engine: Engine) -> None:
    project_id = running_project(engine)  # decision-maker invited as boss@acme.example
    assert _assign(engine, "WBOSS", "decision_maker", is_external=True, team_id="T2") == Assigned(
        None, project_id, "ja"
    )
    boss = _people(engine, project_id)["WBOSS"]
    assert (boss.role, boss.email, boss.team_id, boss.is_external) == (
        "decision_maker",
        "boss@acme.example",
        "T2",
        True,
    )
    # Once the customer's team is known, a person of another one is never this customer.
    assert _assign(engine, "WSPY", "member", is_external=True, team_id="T3") == Assigned(
        "error.other_organisation"
    )
    assert "WSPY" not in _people(engine, project_id)


def test_assigning_by_hand_is_refused_with_a_reason(engine: Engine) -> None:
    project_id = running_project(engine)
    assert _assign(engine, "WX", "member", actor=CUSTOMER) == Assigned("deny.external_cs_command")
    assert _assign(engine, "WX", "member", actor=INTERNAL) == Assigned("deny.not_staff")
    assert _assign(engine, "WX", "member", channel_id="CGENERAL") == Assigned(
        "deny.not_a_project_channel"
    )
    assert _assign(engine, "WX", "member", known=False) == Assigned("error.unknown_user")
    assert "WX" not in _people(engine, project_id)


def test_the_customers_team_is_the_first_external_customer_to_join(engine: Engine) -> None:
    def person(
        team: str | None,
        *,
        minutes: int | None,
        side: str = "customer",
        external: bool = True,
        id: int = 1,
    ) -> Stakeholder:
        joined_at = None if minutes is None else NOW + timedelta(minutes=minutes)
        return Stakeholder(
            id=id,
            project_id=1,
            role="member",
            side=side,
            is_external=external,
            team_id=team,
            joined_at=joined_at,
        )

    assert membership.customer_team([]) is None
    assert membership.customer_team([person("TV", minutes=0, side="vendor")]) is None
    assert membership.customer_team([person("TI", minutes=0, external=False)]) is None
    people = [person("TB", minutes=5, id=1), person("TA", minutes=1, id=2), person(None, minutes=0)]
    assert membership.customer_team(people) == "TA"
    # Someone linked but not yet seen joining comes after those who joined.
    assert membership.customer_team([person("TN", minutes=None, id=0), *people]) == "TA"

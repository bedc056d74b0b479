"""A gateway and a directory with state to assert on, for flow tests without Slack."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.config import load_settings
from bot.deps import Deps
from bot.domain.permissions import Actor
from bot.flows.context import Caller


@dataclass
class FakeGateway:
    posted: list[tuple[str, str, str | None]] = field(default_factory=list)  # channel, text, thread
    updated: list[tuple[str, str]] = field(default_factory=list)  # channel, ts
    homes: list[str] = field(default_factory=list)  # user ids

    def post_message(self, channel: str, message: Any, *, thread_ts: str | None = None) -> str:
        self.posted.append((channel, message.text, thread_ts))
        return f"{len(self.posted)}.0"

    def update_message(self, channel: str, ts: str, message: Any) -> None:
        self.updated.append((channel, ts))

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        self.homes.append(user_id)


@dataclass
class FakeDirectory:
    staff: frozenset[str] = frozenset({"UCSM"})
    external: dict[str, str] = field(default_factory=lambda: {"WCUST": "T2", "WOTHER": "T3"})
    looked_up: list[str] = field(default_factory=list)

    def actor(self, user_id: str, *, payload_team_id: str | None = None) -> Actor:
        self.looked_up.append(user_id)
        team = self.external.get(user_id, "T1")
        return Actor(user_id, team, is_staff=user_id in self.staff, is_external=team != "T1")

    def locale_of(self, user_id: str, default: str) -> str:
        return "en"


def fake_deps(engine: Engine, *, now: datetime) -> tuple[Deps, FakeGateway, FakeDirectory]:
    gateway, directory = FakeGateway(), FakeDirectory()
    deps = Deps(
        settings=load_settings(),
        engine=engine,
        gateway=gateway,  # type: ignore[arg-type]  # the fake has the part flows use
        directory=directory,  # type: ignore[arg-type]  # likewise
        playbooks={},
        clock=lambda: now,
    )
    return deps, gateway, directory


def caller(deps: Deps, user_id: str, *, channel_id: str | None = None) -> Caller:
    return Caller(user_id=user_id, channel_id=channel_id, deps=deps)

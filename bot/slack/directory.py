"""Who people are: cached user info, CS staff membership and the installed team.

CS staff = members of CS_TEAM_CHANNEL who belong to the installed team. An external
(Slack Connect) user is never staff, whatever channel they are in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bot.domain.languages import language_of
from bot.domain.permissions import Actor
from bot.slack.gateway import Gateway, SlackError, UserInfo

USER_TTL = 6 * 3600.0
STAFF_TTL = 300.0


class Directory:
    """Thread-safe caches in front of users.info, conversations.members and auth.test."""

    def __init__(
        self,
        gateway: Gateway,
        *,
        cs_team_channel: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._gateway = gateway
        self._cs_channel = cs_team_channel
        self._clock = clock
        self._lock = threading.Lock()
        self._users: dict[str, tuple[float, UserInfo | None]] = {}
        self._staff: tuple[float, frozenset[str]] | None = None
        self._auth: dict[str, str] | None = None

    @property
    def installed_team_id(self) -> str:
        return self._auth_info()["team_id"]

    @property
    def bot_user_id(self) -> str:
        return self._auth_info()["user_id"]

    def _auth_info(self) -> dict[str, str]:
        if self._auth is None:
            data = self._gateway.auth_test()
            self._auth = {"team_id": data["team_id"], "user_id": data["user_id"]}
        return self._auth

    def user(self, user_id: str) -> UserInfo | None:
        """users.info, cached; None for an unknown user."""
        now = self._clock()
        with self._lock:
            cached = self._users.get(user_id)
        if cached and now - cached[0] < USER_TTL:
            return cached[1]
        try:
            info: UserInfo | None = self._gateway.user_info(user_id)
        except SlackError as exc:
            if exc.code not in ("user_not_found", "user_not_visible"):
                raise
            info = None
        with self._lock:
            self._users[user_id] = (now, info)
        return info

    def staff_ids(self) -> frozenset[str]:
        """Members of the CS team channel (refreshed every few minutes)."""
        if not self._cs_channel:
            return frozenset()
        now = self._clock()
        with self._lock:
            cached = self._staff
        if cached and now - cached[0] < STAFF_TTL:
            return cached[1]
        members = frozenset(self._gateway.channel_members(self._cs_channel))
        with self._lock:
            self._staff = (now, members)
        return members

    def actor(self, user_id: str, *, payload_team_id: str | None = None) -> Actor:
        """Who is acting. The team comes from Slack's own user record when it can be read,
        else from the payload; a user of another team is external and never staff."""
        info = self.user(user_id)
        team_id = (info.team_id if info else None) or payload_team_id
        is_external = team_id is not None and team_id != self.installed_team_id
        if payload_team_id and payload_team_id != self.installed_team_id:
            is_external = True
        is_staff = not is_external and user_id in self.staff_ids()
        return Actor(user_id=user_id, team_id=team_id, is_staff=is_staff, is_external=is_external)

    def locale_of(self, user_id: str, default: str) -> str:
        info = self.user(user_id)
        if info and info.locale:
            return language_of(info.locale)
        return default

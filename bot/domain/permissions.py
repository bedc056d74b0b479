"""Who may do what. Pure: the caller says who the actor is and what they touch.

CS staff may act on any task (a CSM often ticks a customer task after a call); the
customer's own members act on customer-side tasks; nobody external is ever staff.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The person behind a request, as far as permissions care."""

    user_id: str
    team_id: str | None
    is_staff: bool  # member of CS_TEAM_CHANNEL and of the installed team
    is_external: bool  # from another Slack team (Slack Connect)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str | None = None  # a message key when refused

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def can_use_cs_commands(actor: Actor) -> Decision:
    """Starting, assigning, pausing, closing and cross-project status are for CS staff."""
    if actor.is_external:
        return Decision(False, "deny.external_cs_command")
    if not actor.is_staff:
        return Decision(False, "deny.not_staff")
    return ALLOW


def can_complete(actor: Actor, *, task_side: str, is_customer_member: bool) -> Decision:
    """Mark a task done (or ask for more time on it)."""
    if actor.is_staff:
        return ALLOW
    if task_side == "vendor":
        return Decision(False, "deny.vendor_task")
    if not is_customer_member:
        return Decision(False, "deny.not_project_member")
    return ALLOW


def can_undo(actor: Actor, *, completed_by: str | None, is_customer_member: bool) -> Decision:
    """Undo a completion: CS staff, or the one who completed it if still on the project."""
    if actor.is_staff:
        return ALLOW
    if completed_by == actor.user_id and is_customer_member:
        return ALLOW
    return Decision(False, "deny.undo_others")

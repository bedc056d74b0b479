"""`SlackDriver`: sends the app the signed requests Slack would send.

Every method takes the same options: `retry_num`/`retry_reason` (the
X-Slack-Retry-* headers), `timestamp` (e.g. one older than five minutes) and
`bad_signature=True`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from slack_sandbox.block_limits import Problem
from slack_sandbox.buttons import action_payload
from slack_sandbox.errors import DriverError, WebApiError
from slack_sandbox.methods import views as view_ops
from slack_sandbox.models import ButtonRef, Channel, Json, User, View
from slack_sandbox.payloads import (
    block_actions,
    event_envelope,
    form_payload,
    slash_form,
    view_closed,
    view_submission,
)
from slack_sandbox.sandbox import Sandbox
from slack_sandbox.transport import DriverResponse, post_signed
from slack_sandbox.view_state import build_state

ACK_DEADLINE = 3.0


class SlackDriver:
    """Plays Slack's side towards the app at `bot_url`.

    Args:
        bot_url: the app's `/slack/events` URL (a bare `http://host:port` gets that path).
        signing_secret: the app's signing secret.
        sandbox: the workspace whose users, messages and views the requests refer to.
        ack_deadline: seconds Slack waits for an answer; slower answers come back `late`.
    """

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        sandbox: Sandbox,
        *,
        ack_deadline: float = ACK_DEADLINE,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(bot_url)
        self.url = bot_url.rstrip("/") + "/slack/events" if parts.path in ("", "/") else bot_url
        self.signing_secret = signing_secret
        self.sandbox = sandbox
        self.ack_deadline = ack_deadline
        self.timeout = timeout
        self.answers: list[DriverResponse] = []  # the app's answer to every request sent

    # -- slash commands --------------------------------------------------------------

    def slash(
        self,
        user_id: str,
        channel_id: str,
        text: str = "",
        command: str = "/onboard",
        **options: Any,
    ) -> DriverResponse:
        """A slash command typed by `user_id` in `channel_id` (form-encoded, as Slack sends it)."""
        ws = self.sandbox.workspace
        with ws.lock:
            user, channel = self._user(user_id), self._channel_for(user_id, channel_id)
            if ws.is_external(user):
                raise DriverError(
                    f"{user_id} belongs to another organisation: Slack delivers slash commands "
                    "only from people of the workspace the app is installed in"
                )
            trigger_id = ws.issue_trigger(user.id)
            response_url = ws.issue_response_url(channel_id=channel.id, user_id=user.id)
            form = slash_form(
                ws,
                user=user,
                channel=channel,
                command=command,
                text=text,
                response_url=response_url,
                trigger_id=trigger_id,
            )
        result = self._send(urlencode(form), "application/x-www-form-urlencoded", **options)
        result.trigger_id, result.response_url = trigger_id, response_url
        return result

    # -- interactivity ----------------------------------------------------------------------

    def click(
        self,
        user_id: str,
        *,
        action_id: str,
        channel_id: str | None = None,
        message_ts: str | None = None,
        value: str | None = None,
        view_id: str | None = None,
        **options: Any,
    ) -> DriverResponse:
        """Click a button (or pick a select option) the app really posted.

        Give `view_id` for a modal or the App Home, else `channel_id` (and `message_ts`;
        without it the newest message holding `action_id` is used). Ephemeral messages
        are found by their `message_ts` too.
        """
        if view_id is not None:
            ref = self.sandbox.find_button(view_id, action_id, value)
        elif channel_id is None:
            raise DriverError("click needs channel_id (and message_ts) or view_id")
        elif message_ts is None:
            ref = self.sandbox.find_button(channel_id, action_id, value)
        else:
            with self.sandbox.workspace.lock:
                ephemeral = self.sandbox.workspace.find_ephemeral(message_ts)
            target: Json = (
                {"is_ephemeral": True, "ts": message_ts}
                if ephemeral is not None
                else {"channel": channel_id, "ts": message_ts}
            )
            ref = self.sandbox.find_button(target, action_id, value)
        return self.press(user_id, ref, value=value, **options)

    def click_button(
        self, user_id: str, message: Json, action_id: str, value: str | None = None, **options: Any
    ) -> DriverResponse:
        """Click a button in a message dict from `sandbox.messages()` / `ephemerals()`."""
        return self.press(
            user_id, self.sandbox.find_button(message, action_id, value), value=value, **options
        )

    def press(
        self, user_id: str, ref: ButtonRef, *, value: str | None = None, **options: Any
    ) -> DriverResponse:
        """Send the `block_actions` payload for an element found with `find_button`."""
        ws = self.sandbox.workspace
        with ws.lock:
            user = self._user(user_id)
            action = action_payload(
                ref.element, block_id=ref.block_id, value=value, action_ts=ws.ids.ts()
            )
            response_url = None
            if ref.view_id is not None:
                view = self._view_of(user, ref.view_id)
                trigger_id = ws.issue_trigger(user.id, view_id=view.id)
                payload = block_actions(
                    ws, user=user, action=action, trigger_id=trigger_id, view=view
                )
            else:
                assert ref.channel_id is not None and ref.message_ts is not None
                channel = self._channel_for(user_id, ref.channel_id)
                trigger_id = ws.issue_trigger(user.id)
                message = None
                if ref.is_ephemeral:
                    ephemeral = ws.find_ephemeral(ref.message_ts)
                    if ephemeral is None or ephemeral.user != user.id:
                        raise DriverError(f"{user_id} cannot see ephemeral {ref.message_ts}")
                    response_url = ws.issue_response_url(
                        channel_id=channel.id, user_id=user.id, ephemeral_ts=ref.message_ts
                    )
                else:
                    message = channel.find_message(ref.message_ts)
                    if message is None:
                        raise DriverError(f"message {ref.message_ts} was deleted")
                    response_url = ws.issue_response_url(
                        channel_id=channel.id, user_id=user.id, message_ts=ref.message_ts
                    )
                payload = block_actions(
                    ws,
                    user=user,
                    action=action,
                    trigger_id=trigger_id,
                    channel=channel,
                    message=message,
                    message_ts=ref.message_ts,
                    is_ephemeral=ref.is_ephemeral,
                    response_url=response_url,
                )
        result = self._send(
            urlencode(form_payload(payload)), "application/x-www-form-urlencoded", **options
        )
        result.trigger_id, result.response_url = trigger_id, response_url
        return result

    # -- modals -------------------------------------------------------------------------

    def submit_view(
        self,
        user_id: str,
        view_id: str,
        values: dict[str, dict[str, Any]] | None = None,
        **options: Any,
    ) -> DriverResponse:
        """Submit the user's top modal with `values[block_id][action_id]`.

        Values are plain: a string for text inputs, `date`/"YYYY-MM-DD" for datepickers,
        an option value (or list of them) for selects, radios and checkboxes, a user id
        (or list) for user selects. The app's answer (`response_action` errors / update /
        push / clear, or an empty 200 that closes the view) is applied like Slack does.
        """
        ws = self.sandbox.workspace
        with ws.lock:
            user = self._user(user_id)
            view = self._view_of(user, view_id)
            stack = ws.modal_stacks.get(user.id, [])
            if not stack or stack[-1] != view.id:
                raise DriverError(f"view {view_id} is not {user_id}'s top modal")
            view.state_values = build_state(view.payload.get("blocks") or [], values or {})
            trigger_id = ws.issue_trigger(user.id, view_id=view.id)
            payload = view_submission(ws, user=user, view=view, trigger_id=trigger_id)
        result = self._send(
            urlencode(form_payload(payload)), "application/x-www-form-urlencoded", **options
        )
        result.trigger_id = trigger_id
        if result.ok and not result.late:
            self._apply_submission_answer(user.id, view.id, result)
        return result

    def close_view(self, user_id: str, view_id: str, **options: Any) -> DriverResponse | None:
        """The user dismisses the modal; `view_closed` is sent only if it asked to be notified."""
        ws = self.sandbox.workspace
        with ws.lock:
            user = self._user(user_id)
            view = self._view_of(user, view_id)
            cleared = bool(view.payload.get("clear_on_close"))
            payload = view_closed(ws, user=user, view=view, is_cleared=cleared)
            notify = bool(view.payload.get("notify_on_close"))
            if cleared:
                view_ops.clear(ws, user.id)
            else:
                view_ops.close_top(ws, user.id)
        if not notify:
            return None
        return self._send(
            urlencode(form_payload(payload)), "application/x-www-form-urlencoded", **options
        )

    def _apply_submission_answer(self, user_id: str, view_id: str, result: DriverResponse) -> None:
        answer = result.json if isinstance(result.json, dict) else {}
        ws = self.sandbox.workspace
        with ws.lock:
            view = ws.views[view_id]
            action = answer.get("response_action")
            if action is None:
                view_ops.close_top(ws, user_id)
            elif action == "errors":
                self._record_errors(view, answer.get("errors"))
            elif action in {"update", "push"}:
                self._replace_or_push(view, action, answer.get("view"))
            elif action == "clear":
                view_ops.clear(ws, user_id)
            else:
                ws.record_problems(
                    method="view_submission",
                    target=view.id,
                    problems=[
                        _problem("invalid_response_action", f"unknown response_action {action!r}")
                    ],
                )

    def _record_errors(self, view: View, errors: Any) -> None:
        inputs = {
            b.get("block_id") for b in view.payload.get("blocks") or [] if b.get("type") == "input"
        }
        if not isinstance(errors, dict) or not set(errors) <= inputs:
            self.sandbox.workspace.record_problems(
                method="view_submission",
                target=view.id,
                problems=[
                    _problem(
                        "invalid_response_errors",
                        f"errors must name input block_ids {sorted(inputs)}, got {errors!r}",
                    )
                ],
            )
            return
        view.errors = dict(errors)

    def _replace_or_push(self, view: View, action: str, payload: Any) -> None:
        ws = self.sandbox.workspace
        try:
            checked = view_ops.checked(
                ws,
                method=f"response_action:{action}",
                target=view.id,
                view=payload,
                kind="modal",
                replacing=view.id if action == "update" else None,
            )
            if action == "update":
                view_ops.replace(ws, view, checked)
            else:
                view_ops.push(ws, user_id=view.user_id, payload=checked)
        except WebApiError as exc:
            # Slack keeps the view and shows the user an error; block problems are
            # already recorded by `checked`.
            if exc.error != "invalid_arguments":
                ws.record_problems(
                    method=f"response_action:{action}",
                    target=view.id,
                    problems=[_problem(exc.error, exc.error)],
                )

    # -- events -----------------------------------------------------------------------------

    def event(self, event: Json, *, event_id: str | None = None, **options: Any) -> DriverResponse:
        """An Events API `event_callback` wrapping `event` (JSON, as Slack sends it)."""
        ws = self.sandbox.workspace
        with ws.lock:
            envelope = event_envelope(ws, event, event_id=event_id)
        return self._send(json.dumps(envelope), "application/json", **options)

    def url_verification(
        self, challenge: str = "sandbox-challenge", **options: Any
    ) -> DriverResponse:
        body = {
            "token": "sandbox-verification-token",
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._send(json.dumps(body), "application/json", **options)

    def app_home_opened(self, user_id: str, *, tab: str = "home", **options: Any) -> DriverResponse:
        """The user opens the app's Home tab (the published view rides along, as on Slack)."""
        ws = self.sandbox.workspace
        with ws.lock:
            user = self._user(user_id)
            event: Json = {
                "type": "app_home_opened",
                "user": user.id,
                "channel": ws.im_for(user.id).id,
                "tab": tab,
            }
            home = ws.views.get(ws.home_views.get(user.id, ""))
            if home is not None:
                event["view"] = home.to_slack()
        return self.event(event, **options)

    def send_raw(self, body: str, content_type: str, **options: Any) -> DriverResponse:
        """Any body, signed like Slack signs it."""
        return self._send(body, content_type, **options)

    # -- internals ------------------------------------------------------------------------------

    def _send(
        self,
        body: str,
        content_type: str,
        *,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | None = None,
        bad_signature: bool = False,
    ) -> DriverResponse:
        headers = {}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        elif retry_reason is not None:
            headers["X-Slack-Retry-Reason"] = retry_reason
        result = post_signed(
            self.url,
            body=body,
            content_type=content_type,
            secret=self.signing_secret,
            timestamp=timestamp,
            bad_signature=bad_signature,
            headers=headers,
            timeout=self.timeout,
        )
        result.late = result.elapsed > self.ack_deadline
        self.answers.append(result)
        return result

    def _user(self, user_id: str) -> User:
        user = self.sandbox.workspace.user(user_id)
        if user is None:
            raise DriverError(f"no user {user_id} in the sandbox")
        if user.deleted:
            raise DriverError(f"{user_id} is deactivated and cannot use Slack")
        return user

    def _channel_for(self, user_id: str, channel_id: str) -> Channel:
        channel = self.sandbox.workspace.channel(channel_id)
        if channel is None:
            raise DriverError(f"no channel {channel_id} in the sandbox")
        if user_id not in channel.members:
            raise DriverError(f"{user_id} is not in {channel_id}, so cannot act there")
        return channel

    def _view_of(self, user: User, view_id: str) -> View:
        view = self.sandbox.workspace.views.get(view_id)
        if view is None or view.closed:
            raise DriverError(f"view {view_id} is not open")
        if view.user_id != user.id:
            raise DriverError(f"view {view_id} belongs to {view.user_id}, not {user.id}")
        return view


def _problem(code: str, message: str) -> Problem:
    return Problem(code, message, "/response_action")

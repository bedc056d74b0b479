"""manifest.yml must grant every scope the code's Web API calls need."""

import re
from pathlib import Path

import yaml

from slack_sandbox.scopes import IM, METHOD_SCOPES, PRIVATE, PUBLIC, manifest_scopes

ROOT = Path(__file__).resolve().parents[2]

# The kinds of conversation the bot calls each method on (the scope each needs there is
# Slack's, from the sandbox's table). CS_TEAM_CHANNEL may be private; reminders are DMs.
KINDS: dict[str, tuple[str, ...]] = {
    "conversations.members": (PUBLIC, PRIVATE),
    "conversations.history": (PUBLIC, PRIVATE, IM),
    "conversations.replies": (PUBLIC, PRIVATE),
}
# What the bot needs beyond calling the method at all: to see people's e-mail.
EXTRA = {"users.info": {"users:read.email"}}
EVENT_LISTENER = re.compile(r"\bapp\.event\(\s*\"([a-z_]+)\"")


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def _methods_called() -> set[str]:
    """Every method the gateway (the one place that calls the Web API) passes to `call`."""
    source = "\n".join(p.read_text() for p in (ROOT / "bot" / "slack").glob("*.py"))
    return set(re.findall(r"self\.call\(\s*\"([a-zA-Z.]+)\"", source))


def test_every_called_method_is_known_and_its_scopes_are_granted() -> None:
    granted = set(_manifest()["oauth_config"]["scopes"]["bot"])
    called = _methods_called()
    assert "chat.postMessage" in called and "conversations.inviteShared" in called
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"the sandbox does not know these methods' scopes: {unknown}"
    for method in called:
        needs = METHOD_SCOPES[method]
        for kind in KINDS.get(method, (PUBLIC,)) if needs else ():
            assert granted & set(needs[kind]), (
                f"{method} in a {kind} conversation needs {needs[kind]}"
            )
        missing = EXTRA.get(method, set()) - granted
        assert not missing, f"{method} needs {missing}"


def test_the_sandbox_token_is_the_manifest() -> None:
    assert manifest_scopes(ROOT / "manifest.yml") == set(
        _manifest()["oauth_config"]["scopes"]["bot"]
    )


def test_slash_command_events_and_interactivity() -> None:
    manifest = _manifest()
    command = manifest["features"]["slash_commands"][0]
    assert command["command"] == "/onboard" and command["should_escape"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    # The mode of each manifest (HTTP, Socket Mode) is checked in test_deployment.py.
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    handled = set()
    for path in (ROOT / "handlers").rglob("*.py"):
        handled |= set(EVENT_LISTENER.findall(path.read_text()))
    assert handled and handled <= set(manifest["settings"]["event_subscriptions"]["bot_events"])


def test_both_manifests_declare_every_metadata_event_type() -> None:
    from bot.blocks.message import EVENT_TYPES

    for name in ("manifest.yml", "manifest.socket.yml"):
        manifest = yaml.safe_load((ROOT / name).read_text())
        assert list(manifest["events"]) == list(EVENT_TYPES), name
        for event in manifest["events"].values():
            assert set(event["properties"]) == {"project_id", "task_id", "task_ids", "key"}

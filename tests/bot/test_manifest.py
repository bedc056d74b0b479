"""manifest.yml must grant every scope the code's Web API calls need."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

# Each Web API method the bot calls and the bot scope Slack requires for it.
METHOD_SCOPES = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.create": {"channels:manage"},
    "conversations.setTopic": {"channels:manage"},
    "conversations.setPurpose": {"channels:manage"},
    "conversations.invite": {"channels:manage"},
    "conversations.inviteShared": {"conversations.connect:write"},
    "conversations.members": {"channels:read"},
    "conversations.open": {"im:write"},
    "conversations.history": {"channels:history", "im:history"},
    "conversations.replies": {"channels:history", "im:history"},
    "pins.add": {"pins:write"},
    "users.info": {"users:read", "users:read.email"},
    "users.lookupByEmail": {"users:read.email"},
    "views.open": set(),
    "views.update": set(),
    "views.publish": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
}
EVENT_LISTENER = re.compile(r"@app\.event\(\s*\"([a-z_]+)\"")


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
    assert not unknown, f"add these methods and their scopes to METHOD_SCOPES: {unknown}"
    for method in called:
        missing = METHOD_SCOPES[method] - granted
        assert not missing, f"{method} needs {missing}"


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
    assert handled <= set(manifest["settings"]["event_subscriptions"]["bot_events"])

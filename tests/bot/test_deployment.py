"""The deployment files agree with the code and with each other: for each mode, its manifest
(mode, URLs, scopes, events, command), its compose profile, and the README's steps; and the
image holds the product only, which runs without the sandbox."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.config import REQUIRED

ROOT = Path(__file__).resolve().parents[2]
EVENT_LISTENER = re.compile(r"\bapp\.event\(\s*\"([a-z_]+)\"")
COMMAND_LISTENER = re.compile(r"\bapp\.command\(\s*\"(/[a-z-]+)\"")


def _yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def _production_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- production -->(.*)<!-- /production -->", text, re.S)
    assert match, "README.md lost its <!-- production --> section"
    return match.group(1)


def _modes() -> list[dict[str, str]]:
    """The README's table: mode, manifest, compose profile, start command."""
    rows = []
    for line in _production_section().splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in REQUIRED:
            rows.append(
                {"mode": cells[0], "manifest": cells[2], "profile": cells[3], "start": cells[4]}
            )
    return rows


MODES = _modes()


def _events_path() -> str:
    source = (ROOT / "bot" / "server.py").read_text(encoding="utf-8")
    (path,) = set(re.findall(r"SlackRequestHandler\(app, path=\"([^\"]+)\"\)", source))
    return path


def _service(profile: str) -> dict[str, Any]:
    services = _yaml("compose.yaml")["services"]
    found = [s for s in services.values() if profile in s.get("profiles", [])]
    assert len(found) == 1, f"one compose service for profile {profile!r}"
    return found[0]


def _run_args(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    text = command[-1] if isinstance(command, list) else command
    run = text.split("exec ", 1)[-1]
    assert run.startswith("onboardbot run "), text
    return run.split()


def test_the_readme_offers_exactly_the_two_modes() -> None:
    assert sorted(m["mode"] for m in MODES) == sorted(REQUIRED) == ["http", "socket"]


@pytest.mark.parametrize("mode", MODES, ids=[m["mode"] for m in MODES])
def test_each_manifest_is_set_up_for_its_mode(mode: dict[str, str]) -> None:
    manifest = _yaml(mode["manifest"])
    settings = manifest["settings"]
    socket = mode["mode"] == "socket"
    assert settings["socket_mode_enabled"] is socket
    urls = [
        manifest["features"]["slash_commands"][0].get("url"),
        settings["event_subscriptions"].get("request_url"),
        settings["interactivity"].get("request_url"),
    ]
    if socket:
        assert urls == [None, None, None]  # nothing to fill in, nothing Slack would call
    else:
        for url in urls:
            parts = urlsplit(url)
            assert parts.scheme == "https" and parts.path == _events_path(), url
            assert parts.netloc == "YOUR-HOST", url  # the README's step 2 fills it in
        assert "YOUR-HOST" in _production_section()
    assert settings["interactivity"]["is_enabled"] is True


def test_both_manifests_describe_the_same_app() -> None:
    """Scopes, events and the command are kept identical: when one manifest gains a scope,
    the other must too (copy the lines this names)."""
    http, socket = (_yaml(m["manifest"]) for m in sorted(MODES, key=lambda m: m["mode"]))

    def same(*path: str) -> None:
        a, b = http, socket
        for key in path:
            a, b = a[key], b[key]
        if isinstance(a, list) and all(isinstance(x, str) for x in a):
            assert sorted(a) == sorted(b), (
                f"{'.'.join(path)} differs: only in manifest.yml {sorted(set(a) - set(b))},"
                f" only in manifest.socket.yml {sorted(set(b) - set(a))}"
            )
        else:
            assert a == b, ".".join(path)

    same("oauth_config", "scopes", "bot")
    same("settings", "event_subscriptions", "bot_events")
    same("display_information")
    same("features", "app_home")
    same("features", "bot_user")
    for key in ("command", "description", "usage_hint", "should_escape"):
        assert [c[key] for c in http["features"]["slash_commands"]] == [
            c[key] for c in socket["features"]["slash_commands"]
        ], key


@pytest.mark.parametrize("mode", MODES, ids=[m["mode"] for m in MODES])
def test_each_manifest_matches_the_code(mode: dict[str, str]) -> None:
    manifest = _yaml(mode["manifest"])
    handlers = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "handlers").rglob("*.py"))
    events = set(EVENT_LISTENER.findall(handlers))
    assert events and events <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert set(COMMAND_LISTENER.findall(handlers)) == {
        c["command"] for c in manifest["features"]["slash_commands"]
    }
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert "commands" in scopes and "chat:write" in scopes


@pytest.mark.parametrize("mode", MODES, ids=[m["mode"] for m in MODES])
def test_each_compose_profile_runs_its_mode(mode: dict[str, str]) -> None:
    service = _service(mode["profile"])
    args = _run_args(service)
    assert args[args.index("--mode") + 1] == mode["mode"]
    assert "onboardbot db upgrade" in service["command"][-1]
    assert mode["start"] == f"docker compose --profile {mode['profile']} up -d"
    # Restarted when it stops; secrets from the environment file, not the compose file.
    assert service["restart"] in ("unless-stopped", "always")
    assert service["env_file"] == ".env"
    assert "SLACK" not in yaml.safe_dump(service.get("environment", {}))
    assert "${POSTGRES_PASSWORD" in service["environment"]["DATABASE_URL"]
    if mode["mode"] == "http":
        port = args[args.index("--port") + 1]
        assert service["ports"] == [f"{port}:{port}"]
        assert "--port 3000" in (ROOT / "Dockerfile").read_text() and port == "3000"
    else:
        assert "ports" not in service  # nothing listens in Socket Mode
        assert service["healthcheck"] == {"disable": True}


def test_the_database_keeps_its_password_in_the_environment_file() -> None:
    db = _yaml("compose.yaml")["services"]["db"]
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert db["restart"] == "unless-stopped"
    assert "POSTGRES_PASSWORD" in (ROOT / ".env.example").read_text()


def test_the_readme_steps_are_these_files_and_settings() -> None:
    section = _production_section()
    steps = section[section.index("\n1. ") :]  # the numbered steps, after the table
    order = [
        ".env.example",
        "From an app\n   manifest",
        "Install to Workspace",
        "SLACK_BOT_TOKEN",
        "/invite @onboardbot",
        "config check",
        "Start: the *start with* command",
    ]
    positions = [steps.find(marker) for marker in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions), "the steps are out of order"
    for mode in MODES:
        assert (ROOT / mode["manifest"]).is_file()
        for name in REQUIRED[mode["mode"]]:
            assert name.upper() in steps, name
        assert (
            f"docker compose run --rm {_service_name(mode['profile'])} onboardbot config" in steps
        )


def _service_name(profile: str) -> str:
    services = _yaml("compose.yaml")["services"]
    (name,) = [n for n, s in services.items() if profile in s.get("profiles", [])]
    return name


def test_the_image_never_gets_secrets_or_local_data() -> None:
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for pattern in (".env", "*.db", ".git", ".venv"):
        assert pattern in ignored, pattern
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY . " not in dockerfile  # only the packages, never the whole folder
    assert re.search(r"^USER \S+", dockerfile, re.M)  # not root


# What the production image copies: the product's packages and what `pip install .` reads.
PRODUCT = {"pyproject.toml", "README.md", "LICENSE", "bot", "handlers", "storage", "schedules"}


def test_the_image_holds_the_product_and_not_the_sandbox() -> None:
    copied = set()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _destination = line.split()[1:]
            copied |= {source.rstrip("/") for source in sources}
    assert copied == PRODUCT
    assert "slack_sandbox" in (ROOT / ".dockerignore").read_text().splitlines()
    assert (ROOT / "slack_sandbox" / "__init__.py").is_file()  # what the two lines keep out


# Every module of the running bot (what `onboardbot run` and the jobs reach, and the other
# operator commands), imported in a fresh interpreter; only the demo's tools may import the
# sandbox, and they do it when their command runs.
IMPORT_THE_PRODUCT = """
import importlib, sys
from pathlib import Path
TOOLS = ("bot.demo", "bot.local", "bot.__main__")  # (__main__ would run the command line)
for package in ("bot", "handlers", "schedules", "storage"):
    for path in sorted(Path(package).rglob("*.py")):
        name = ".".join(path.with_suffix("").parts).removesuffix(".__init__")
        if not name.startswith(TOOLS) and "migrations" not in path.parts:
            importlib.import_module(name)
from bot.cli import build_parser
build_parser().parse_args(["run", "--mode", "http"])
print(sorted(m for m in sys.modules if m.split(".")[0] == "slack_sandbox"))
"""


def test_the_running_bot_never_imports_the_sandbox() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_PRODUCT],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

"""The layer contract (`.importlinter`, README "Where does it go") holds, and breaking it fails.

The real tree is checked as it is; a copy of the product packages shows that one wrong import
(a flow or a listener reaching for `storage`) makes `lint-imports` fail, naming the contract
and the line.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

FLOWS_NO_STORAGE = "Flows do Slack choreography; they never touch the database"
ENTRY_POINTS = "Listeners and jobs call flows, never services or storage"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages under `root`, with the contract file found there."""
    env = {**os.environ, "PYTHONPATH": str(root), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / ".importlinter")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def root_packages() -> list[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    return config["importlinter"]["root_packages"].split()


def product_copy(tmp_path: Path) -> Path:
    """The packages the contract names, and the contract, under `tmp_path`."""
    for package in root_packages():
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def append_line(module: Path, line: str) -> int:
    """Append `line` to the module; the line number lint-imports will report for it."""
    text = module.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text += line + "\n"
    module.write_text(text, encoding="utf-8")
    return text.count("\n")


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_flow_importing_storage_fails_the_lint(tmp_path: Path) -> None:
    root = product_copy(tmp_path)
    line = append_line(root / "bot" / "flows" / "status.py", "import storage")

    result = lint_imports(root)

    assert result.returncode != 0
    assert f"{FLOWS_NO_STORAGE} BROKEN" in result.stdout, result.stdout
    assert f"bot.flows.status -> storage (l.{line})" in result.stdout, result.stdout


def test_a_listener_importing_storage_fails_the_lint(tmp_path: Path) -> None:
    root = product_copy(tmp_path)
    module = root / "handlers" / "actions" / "status_button.py"
    line = append_line(module, "from storage.db import session_scope  # noqa: F401")

    result = lint_imports(root)

    assert result.returncode != 0
    assert f"{ENTRY_POINTS} BROKEN" in result.stdout, result.stdout
    assert f"handlers.actions.status_button -> storage.db (l.{line})" in result.stdout, (
        result.stdout
    )

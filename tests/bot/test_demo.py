"""`onboardbot demo` as a new user runs it: the whole onboarding, in Japanese and in English,
as subprocesses; every scene in order, narration in one language, nothing left behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.demo.text import TEXT

# Only against a hang: how fast the demo plays is not a test's business (bench/ times things).
HANG = 300.0
# What a CS manager must be able to follow, in order (the bot's own words where they prove
# a scene happened: the plan moved, the decision-maker's message, the completion…).
SCENES = {
    "ja": [
        "━━ 登場人物",
        "鈴木 花子 — 決裁者(株式会社アクメ・シンガポール)",
        "━━ 2月26日(金) 10:00 東京 · 佐藤 健二さんが /onboard start を入力",
        "✚ チャンネル #onb-acme を作成",
        "✉ Slack コネクトの招待を送信: taro@acme.example",
        "📌 チェックリストをチャンネルにピン留め",
        "[スケジュールを相談する]",
        "━━ 2月26日(金) 13:00 東京 · 山田 太郎さんが Slack コネクトの招待を承認してチャンネルに参加",
        "✎ #onb-acme のチェックリストを更新(変わった行):",
        "⬜ 決算期・繁忙期の共有",
        "@山田 太郎 · 期限 3/3 (水)",
        "━━ 2月26日(金) 13:30 東京 · 鈴木 花子さんが Slack コネクトの招待を承認",
        "▭ 山田 太郎さんの画面にフォームが開く: スケジュールの相談",
        "山田 太郎さんが繁忙期(決算期 3/22〜3/31)と、遅れるとしたらその理由を回答",
        "期限を変更したタスク",
        "🖼 #onb-acme に画像を共有: オンボーディング計画 2027-02-26 時点",
        "━━ 3月1日(月) 09:00 東京 · スケジューラー: 毎朝のリマインダー、CSM への朝のまとめ、週次ダイジェスト",
        "✉ 山田 太郎さんへの DM(本人だけが見られます):",
        "佐藤 健二さんがチェックリストで「オンラインキックオフ(30分)」を完了にする",
        "@佐藤 健二 が 3/1 (月) に完了",
        "山田 太郎さんがリマインダーの DM から「決算期・繁忙期の共有」を完了にする",
        "━━ 3月3日(水) 10:00 東京 (シンガポールでは 09:00) · スケジューラー: 毎朝のリマインダー",
        "✉ 鈴木 花子さんへの DM(本人だけが見られます):",
        "鈴木 花子さんがリマインダーの DM から「導入目標と完了基準の確認」を完了にする",
        "「期限を相談」を押し、理由を添えて 3/16 に延長",
        "@山田 太郎 · 期限 3/16 (火)(当初 3/11 (木))",
        "🖼 #onb-acme(スレッド内) に画像を共有: オンボーディング計画 2027-03-04 時点",
        "「セットアップガイドに沿った基本設定」の期限(3/5)が過ぎたまま",
        "━━ 3月8日(月) 09:00 東京 · スケジューラー: 毎朝のリマインダー、CSM への朝のまとめ、週次ダイジェスト",
        "💬 #cs-team に投稿(チャンネルの全員が見られます)",
        "🖼 #cs-team(スレッド内) に画像を共有: オンボーディング 2027-03-08",
        "━━ 3月9日(火) 09:00 東京 · スケジューラー: 毎朝のリマインダー、CSM への朝のまとめ",
        # The CSM's morning summary names the task that reached her step of the ladder.
        "✉ 佐藤 健二さんへの DM(本人だけが見られます):",
        "☀️ おはようございます — 3/9 (火) のオンボーディング サマリー",
        "🔔 本日、期限超過が 2 営業日に達したタスク: 「セットアップガイドに沿った基本設定」",
        "佐藤 健二さんが朝のまとめの DM から「設定内容のチェックとフィードバック」を完了にする",
        "━━ 3月12日(金) 09:00 東京 · スケジューラー: 毎朝のリマインダー、エスカレーション",
        # The decision-maker's message waits for the CSM: a draft, then Send, then delivered.
        "✉ 佐藤 健二さんへの DM(本人だけが見られます):",
        "📝 承認待ちの下書き — 株式会社アクメ 様",
        "[送信] [編集] [見送り]",
        "━━ 3月12日(金) 10:00 東京 · 佐藤 健二さんが決裁者(鈴木 花子さん)あての下書きを読み、「送信」を押す",
        "✉ 鈴木 花子さんへの DM(本人だけが見られます):",
        "いつもお世話になっております",
        "✎ ボタンを押したメッセージが次の内容に変わる:",
        "決裁者さまへメッセージを送信しました",
        "山田 太郎さんがリマインダーの DM から「セットアップガイドに沿った基本設定」を完了にする",
        "━━ 3月21日(日) 09:00 東京 · スケジューラー: 繁忙期の前日のお知らせ",
        "🗓️ 明日から 株式会社アクメ 様の繁忙期です",
        "🎉 株式会社アクメ 様、オンボーディング完了です!",
        "山田 太郎さんがアンケートに回答",
        "満足度 5/5 として承りました",
        "🌱 習慣づくり — 1/4 週目",
        "スケジューラー: 定着状況の確認",
        "オンボーディングの完了から",
        "山田 太郎さんが定着状況の確認に「定着して使っている」と回答",
        "一時ファイルはすべて削除しました。",
        "デモ終了:",
    ],
    "en": [
        "━━ Who is who",
        "Hanako Suzuki — decision-maker (Acme Corp, Singapore)",
        "━━ Fri 2/26 10:00 Tokyo · Kenji Sato types /onboard start",
        "✚ channel #onb-acme created",
        "✉ Slack Connect invitation sent to taro@acme.example",
        "📌 checklist pinned in the channel",
        "━━ Fri 2/26 13:00 Tokyo · Taro Yamada accepts the Slack Connect invitation",
        "✎ the checklist in #onb-acme was updated (the lines that changed):",
        "━━ Fri 2/26 13:30 Tokyo · Hanako Suzuki accepts the Slack Connect invitation",
        "▭ a form opens for Taro Yamada:",
        "Taro Yamada names a busy period (fiscal year-end, 3/22–3/31)",
        "🖼 picture shared in #onb-acme: The onboarding plan as of 2027-02-26",
        "━━ Mon 3/1 09:00 Tokyo · scheduler: morning reminders, the CSM's morning summary, weekly digest",
        "✉ DM to Taro Yamada (only they see it):",
        "Kenji Sato marks “30-minute online kickoff” done in the checklist",
        "Taro Yamada marks “Share your fiscal year-end and busy periods” done from the reminder DM",
        "━━ Wed 3/3 10:00 Tokyo (09:00 in Singapore) · scheduler: morning reminders",
        "✉ DM to Hanako Suzuki (only they see it):",
        "Taro Yamada presses Need more time on “Import your data from CSV” and moves it to 3/16",
        "🖼 picture shared in #onb-acme (in a thread): The onboarding plan as of 2027-03-04",
        "(due 3/5) is still open",
        "━━ Mon 3/8 09:00 Tokyo · scheduler: morning reminders, the CSM's morning summary, weekly digest",
        "💬 posted in #cs-team (everyone in the channel sees it):",
        "🖼 picture shared in #cs-team (in a thread)",
        "━━ Tue 3/9 09:00 Tokyo · scheduler: morning reminders, the CSM's morning summary",
        "✉ DM to Kenji Sato (only they see it):",
        "☀️ Good morning — your onboarding summary for Tue 3/9",
        "🔔 Now 2 business days overdue: “Complete the basic setup with the setup guide”",
        "Kenji Sato marks “Review your setup and send feedback” done from the morning summary DM",
        "━━ Fri 3/12 09:00 Tokyo · scheduler: morning reminders, escalation",
        "📝 Draft for your approval — Acme Corp",
        "━━ Fri 3/12 10:00 Tokyo · Kenji Sato reads the draft for the decision-maker (Hanako Suzuki) and presses Send",
        "✉ DM to Hanako Suzuki (only they see it):",
        "✎ the message whose button was pressed now reads:",
        "sent the message to the decision-maker of Acme Corp",
        "Taro Yamada marks “Complete the basic setup with the setup guide” done from the reminder DM",
        "Taro Yamada answers the survey",
        "Taro Yamada answers the adoption check-in: “Regularly — it's part of our routine”",
        "Every temporary file was removed.",
        "Demo finished:",
    ],
}
# The lines that are narration (not the bot's messages): headings and what happened.
MARKERS = ("━━", "✚", "✉", "📌", "▭", "💬", "👁", "✎", "🖼", "⌨", "📝")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# English in Japanese narration: only names of things (Slack, DM, CSM), commands, addresses.
ALLOWED_LATIN = {"Slack", "DM", "CSM", "CS", "onboard", "start", "acme", "example", "onb", "team"}


def _narration(out: str) -> list[str]:
    lines = []
    for line in out.splitlines():
        stripped = line.strip()
        if stripped.startswith(("⌨", "📝")):  # what someone typed, in their own words
            continue
        if stripped.startswith(MARKERS):
            # After ": " come the bot's own words (a form's or picture's title, the first
            # line of a message seen before).
            lines.append(stripped.split(": ", 1)[0] if stripped[0] != "━" else stripped)
    return lines


def _in_order(out: str, expected: list[str]) -> None:
    position = 0
    for text in expected:
        found = out.find(text, position)
        assert found >= 0, f"not found after position {position}: {text!r}"
        position = found + len(text)


def _readme_excerpt() -> list[str]:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- demo-excerpt -->", 1)[1].split("<!-- /demo-excerpt -->", 1)[0]
    lines = [line for line in block.strip().strip("`").splitlines() if line.strip()]
    assert len(lines) > 10
    return lines


def test_readme_opening_shows_the_timeline_picture() -> None:
    root = Path(__file__).parents[2]
    opening = (root / "README.md").read_text(encoding="utf-8").split("## What it does")[0]
    assert "](docs/demo-timeline.png)" in opening and "<!-- demo-excerpt -->" in opening
    assert (root / "docs" / "demo-timeline.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _scratch() -> Path:
    """A TMPDIR of our own, in memory where possible (the demo commits thousands of times)."""
    memory = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="demo-test-", dir=memory if memory.is_dir() else None))


def _run(args: list[str], cwd: Path, tmp: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_demo_plays_the_whole_onboarding_in_both_languages(tmp_path: Path) -> None:
    for lang, args in (("ja", []), ("en", ["--lang", "en"])):
        cwd, tmp = tmp_path / lang, _scratch()
        cwd.mkdir()
        process = _run(args, cwd, tmp)
        out, err = process.communicate(timeout=HANG)
        assert process.returncode == 0, err
        _in_order(out, SCENES[lang])
        narration = _narration(out)
        assert len(narration) > 100
        if lang == "en":
            # Every word of it: the project, the team and the narration are in English.
            assert CJK.findall(out) == [], [line for line in out.splitlines() if CJK.search(line)]
        else:
            for line in narration:
                line = re.sub(r"「[^」]*」|[#@][\w.-]+|\S+@\S+|/onboard \w+|\d+/\d+", "", line)
                words = set(re.findall(r"[A-Za-z]{2,}", line)) - ALLOWED_LATIN
                assert not words, line
            # Not one phrase of the English narration.
            phrases = {max(re.split(r"\{[^}]*\}", v), key=len).strip() for v in TEXT["en"].values()}
            assert [p for p in phrases if len(p) >= 8 and p in out] == []
        if lang == "ja":
            # The README's excerpt is what `make demo` prints.
            for line in _readme_excerpt():
                assert line in out.splitlines(), line
        # Nothing left behind: no temporary folder, nothing in the working directory.
        assert list(tmp.iterdir()) == [] and list(cwd.iterdir()) == []
        tmp.rmdir()


def test_short_demo_keeps_what_it_names(tmp_path: Path) -> None:
    keep, tmp = tmp_path / "kept", _scratch()
    process = _run(["--short", "--lang", "en", "--keep", str(keep)], tmp_path, tmp)
    out, err = process.communicate(timeout=HANG)
    assert process.returncode == 0, err
    listed = out.split("Files kept:\n", 1)[1].splitlines()
    named = [Path(line.strip()) for line in listed if line.startswith("  ")]
    assert named == [keep / "demo.db"]  # the short demo shares no picture
    assert sorted(keep.iterdir()) == named
    assert "Kenji Sato marks" in out and "only Taro Yamada sees:" in out  # a refused click
    assert "who is this?" in out  # Acme hides e-mail here: the CSM is asked
    assert list(tmp.iterdir()) == []
    tmp.rmdir()


@pytest.mark.parametrize("bad", [["--keep"], ["--lang", "fr"]])
def test_demo_usage_errors(bad: list[str], tmp_path: Path) -> None:
    process = _run(bad, tmp_path, tmp_path)
    _, err = process.communicate(timeout=HANG)
    assert process.returncode == 2 and "Traceback" not in err

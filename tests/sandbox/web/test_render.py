"""The page's Block Kit renderer: every block and element kind the bot sends is drawn, and
`dropped()` (run on every payload of the end-to-end suite, tests/e2e/payloads.py) finds what
is not."""

from __future__ import annotations

from slack_sandbox.web.mrkdwn import to_html
from slack_sandbox.web.render import Where, blocks_html, dropped, message_html, visible_text

NAMES = Where(
    attrs={"channel": "C1", "ts": "1.000001"},
    user=lambda u: {"U1": "Kenji Sato"}.get(u, u),
    channel=lambda c: {"C9": "onb-acme"}.get(c, c),
    errors={"new_due": "That day is on a weekend."},
)


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def md(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


EVERY_KIND = [
    {"type": "header", "block_id": "h", "text": plain("Onboarding checklist")},
    {"type": "divider", "block_id": "d"},
    {
        "type": "section",
        "block_id": "s",
        "text": md("*Kickoff* _soon_ ~old~ `code` <https://example.com|guide> <@U1> <#C9>"),
        "fields": [md("*Owner*"), plain("Taro")],
        "accessory": {
            "type": "overflow",
            "action_id": "more",
            "options": [option("Skip", "skip:1"), option("Undo", "undo:1")],
        },
    },
    {"type": "context", "block_id": "c", "elements": [md("due *Wed 4/7*"), plain("why")]},
    {"type": "image", "block_id": "i", "image_url": "https://x.test/a.png", "alt_text": "chart"},
    {"type": "file", "block_id": "f", "external_id": "ext-1", "source": "remote"},
    {
        "type": "actions",
        "block_id": "a",
        "elements": [
            {
                "type": "button",
                "action_id": "task_done",
                "text": plain("Done"),
                "value": "1",
                "style": "primary",
            },
            {"type": "button", "action_id": "cancel", "text": plain("Cancel"), "style": "danger"},
            {
                "type": "static_select",
                "action_id": "pick",
                "placeholder": plain("Choose"),
                "options": [option("One", "1"), option("Two", "2")],
            },
            {"type": "datepicker", "action_id": "when", "initial_date": "2027-04-07"},
        ],
    },
    {
        "type": "input",
        "block_id": "new_due",
        "label": plain("New due date"),
        "hint": plain("A business day"),
        "element": {"type": "datepicker", "action_id": "new_due"},
    },
    {
        "type": "input",
        "block_id": "note",
        "optional": True,
        "label": plain("Anything to add?"),
        "element": {"type": "plain_text_input", "action_id": "note", "multiline": True},
    },
    {
        "type": "input",
        "block_id": "who",
        "label": plain("Champion"),
        "element": {"type": "users_select", "action_id": "who"},
    },
]


def test_every_kind_the_bot_sends_is_drawn_and_nothing_is_dropped() -> None:
    assert dropped(EVERY_KIND, NAMES) == []
    html = blocks_html(EVERY_KIND, NAMES)
    text = visible_text(html)
    for seen in ("Onboarding checklist", "Kickoff", "guide", "@Kenji Sato", "#onb-acme", "Owner"):
        assert seen in text
    assert "<hr>" in html
    assert "<b>Kickoff</b>" in html and "<i>soon</i>" in html and "<s>old</s>" in html
    assert '<a href="https://example.com"' in html
    assert 'class="btn btn-primary"' in html and 'class="btn btn-danger"' in html
    assert html.count('data-act="option"') == 2  # the overflow's two options
    assert 'data-act="select"' in html and 'data-act="date"' in html
    assert 'type="date" data-input="datepicker" data-block="new_due"' in html
    assert "<textarea" in html and 'data-users="1"' in html
    # The modal's error sits on its own field, and only there.
    assert 'data-error-for="new_due">That day is on a weekend.' in html
    assert html.count("field-error") == 1
    # Every interactive element says where it lives, so the click is the real one.
    assert html.count('data-channel="C1" data-ts="1.000001"') == 6


def test_remote_images_are_named_not_fetched() -> None:
    html = blocks_html([EVERY_KIND[4]], NAMES)
    assert "<img" not in html and "chart" in html


def test_what_the_page_cannot_show_is_reported() -> None:
    problems = dropped(
        [
            {"type": "table", "block_id": "t"},
            {
                "type": "actions",
                "block_id": "a",
                "elements": [{"type": "workflow_button", "action_id": "w", "text": plain("Go")}],
            },
        ]
    )
    assert problems == [
        "block 0: unknown type 'table'",
        "block 1: unknown element 'workflow_button'",
        "block 1 (actions): 'Go' not shown",
    ]


def test_mrkdwn_lists_quotes_code_blocks_and_escapes() -> None:
    html = to_html(
        "Tasks:\n• one\n• *two*\n&gt; quoted\n```a &lt;b&gt;\nc```\n&lt;script&gt;",
        user=str,
        channel=str,
    )
    assert "<ul><li>one</li><li><b>two</b></li></ul>" in html
    assert "<blockquote>quoted</blockquote>" in html
    assert "<pre>a &lt;b&gt;\nc</pre>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_message_without_blocks_shows_its_text_and_files() -> None:
    where = Where(file_url=lambda file_id: f"/ui/file/{file_id}")
    message = {
        "text": "Weekly digest",
        "files": [{"id": "F1", "title": "chart.png", "mimetype": "image/png"}],
    }
    html = message_html(message, where)
    assert "Weekly digest" in html and '<img class="img" src="/ui/file/F1"' in html

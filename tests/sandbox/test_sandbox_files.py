"""File upload v2 end to end with the real WebClient."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_sandbox import Sandbox

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_files_upload_v2_stores_bytes_and_shares(sandbox: Sandbox, client: WebClient) -> None:
    channel = sandbox.add_channel("onb-chart").id
    parent = client.chat_postMessage(channel=channel, text="Weekly status")["ts"]
    result = client.files_upload_v2(
        channel=channel,
        content=PNG,
        filename="progress.png",
        title="Progress",
        initial_comment="Progress this week",
        thread_ts=parent,
    )
    assert result["file"]["title"] == "Progress"
    [stored] = sandbox.files()
    assert stored["content"] == PNG
    assert stored["mimetype"] == "image/png"
    assert stored["channels"] == [channel]
    [share] = sandbox.replies(channel, parent)
    assert share["text"] == "Progress this week"
    assert share["files"][0]["id"] == stored["id"]
    assert [c.method for c in sandbox.calls()][-3:] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


def test_complete_without_upload_and_bad_channel(sandbox: Sandbox, client: WebClient) -> None:
    pending = client.files_getUploadURLExternal(filename="a.png", length=3)
    with pytest.raises(SlackApiError) as caught:
        client.files_completeUploadExternal(files=[{"id": pending["file_id"]}])
    assert caught.value.response["error"] == "file_not_found"
    with pytest.raises(SlackApiError) as caught:
        client.files_upload_v2(channel="C0NOPE", content=b"abc", filename="a.txt")
    assert caught.value.response["error"] == "invalid_channel"

"""The Web API methods the sandbox answers, by Slack method name."""

from __future__ import annotations

from collections.abc import Callable

from slack_sandbox.methods import chat, connect, conversations, files, identity, pins, views
from slack_sandbox.methods.args import Args
from slack_sandbox.models import Json
from slack_sandbox.state import Workspace

Handler = Callable[[Workspace, Args], Json]

METHODS: dict[str, Handler] = {
    "api.test": lambda ws, args: {"ok": True, "args": dict(args.values)},
    "auth.test": identity.auth_test,
    "bots.info": identity.bots_info,
    "chat.delete": chat.delete,
    "chat.getPermalink": chat.get_permalink,
    "chat.postEphemeral": chat.post_ephemeral,
    "chat.postMessage": chat.post_message,
    "chat.update": chat.update,
    "conversations.archive": conversations.archive,
    "conversations.create": conversations.create,
    "conversations.history": conversations.history,
    "conversations.info": conversations.info,
    "conversations.invite": conversations.invite,
    "conversations.inviteShared": connect.invite_shared,
    "conversations.join": conversations.join,
    "conversations.list": conversations.list_,
    "conversations.members": conversations.members,
    "conversations.open": conversations.open_,
    "conversations.replies": conversations.replies,
    "conversations.setPurpose": conversations.set_purpose,
    "conversations.setTopic": conversations.set_topic,
    "files.completeUploadExternal": files.complete_upload,
    "files.getUploadURLExternal": files.get_upload_url,
    "files.info": files.info,
    "files.upload": files.upload_v1,
    "pins.add": pins.add,
    "pins.list": pins.list_,
    "pins.remove": pins.remove,
    "team.info": identity.team_info,
    "users.info": identity.users_info,
    "users.list": identity.users_list,
    "users.lookupByEmail": identity.users_lookup_by_email,
    "views.open": views.open_,
    "views.publish": views.publish,
    "views.push": views.push_,
    "views.update": views.update,
}

# Methods that do not need a token, as on Slack.
NO_AUTH = {"api.test"}

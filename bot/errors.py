"""A user mistake or refusal: carries a message key so it can be shown in the user's language."""

from __future__ import annotations


class UserError(Exception):
    """Raised by flows; the app's error handler answers with the localized message."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

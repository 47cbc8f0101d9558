"""Composition of the circle's outgoing mail (pure: no I/O, no clock; `now` is a parameter)."""

from circle.compose.digest import (
    digest_mail,
    digest_message_id,
    digest_reply_keys,
    preview_html,
    preview_text,
    story_link,
)
from circle.compose.digest_data import DigestData, EmptyDigestError, build_digest
from circle.compose.mails import (
    MailSetting,
    host_invitation,
    notice_mail,
    question,
    question_message_id,
    reminder,
)
from circle.compose.message import Composed
from circle.compose.templates import DEFAULTS, check_template, render

__all__ = [
    "DEFAULTS", "Composed", "DigestData", "EmptyDigestError", "MailSetting", "build_digest",
    "check_template", "digest_mail", "digest_message_id", "digest_reply_keys",
    "host_invitation", "notice_mail",
    "preview_html", "preview_text", "question", "question_message_id", "reminder", "render",
    "story_link",
]

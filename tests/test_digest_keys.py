"""Short reply keys: their shape and strength, the subject line, and a reply to a digest's
short link fetched from real Dovecot lands on the right story as the right member."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from circle.app.rounds import approve_digest, plan_due_mail, queue_digest
from circle.compose.text import subject_question
from circle.model import OutboxItem, ReplyKey, Response, Round, Story, StoryState
from circle.tokens import SHORT_PREFIX, TokenClaim, is_short_key, short_key, token_from_address
from mail.imap import ImapSource
from mail.loop import fetch_once
from tests.mailout_world import SECRET, accept_host, make_config, seed
from tests.mailservers import Mailbox

NOV = "2026-11"


def test_a_short_key_is_stable_distinct_and_holds_50_bits() -> None:
    claim = TokenClaim("dee", NOV, "s-ben")
    key = short_key(SECRET, claim)
    assert key == short_key(SECRET, claim)  # composing twice mints the same key
    assert key.startswith(SHORT_PREFIX) and is_short_key(key)
    assert len(key.removeprefix(SHORT_PREFIX)) * 5 >= 40  # base32: 5 bits a character
    others = {short_key(SECRET, TokenClaim(m, NOV, s)) for m in ("dee", "ana", "ben")
              for s in ("s-ben", "s-ana", "")}
    assert len(others) == 9  # bound to the member and the story
    assert short_key(b"another circle", claim) != key  # only the secret makes it
    assert not is_short_key("r-short") and not is_short_key("mfxgch.abc")


def test_the_subject_keeps_the_question_whole_or_cuts_at_a_word() -> None:
    whole = "What helped you stay with a difficult conversation this month?"
    assert subject_question(whole) == whole
    two = ("What did you carry into this year that you would like to set down? Tell us "
           "about one small thing, and about the moment you noticed you were carrying it.")
    assert subject_question(two) == "What did you carry into this year that you would " \
                                    "like to set down?"
    long_one = "When " + "and then ".join(f"word{i} " for i in range(30)) + "what?"
    cut = subject_question(long_one)
    assert cut.endswith("…") and len(cut) <= 100
    assert long_one.startswith(cut.removesuffix("…"))
    assert cut.removesuffix("…")[-1] != " " and f"{cut.removesuffix('…')} " in long_one


def test_a_reply_to_a_short_link_through_dovecot_is_the_members_response(
        tmp_path: Path, mailbox: Mailbox) -> None:
    config = replace(make_config(), imap=mailbox.settings())
    store = seed(tmp_path / "data", config)
    accept_host(store, NOV)
    times = store.get(Round, NOV).timeline
    plan_due_mail(store, times["question"], config, SECRET)
    store.put_many([Story("s-ben", NOV, "ben", "I listened instead of defending my plan.",
                          times["question"] + timedelta(days=1), state=StoryState.APPROVED),
                    Story("s-gus", NOV, "gus", "I said no, kindly, and it held.",
                          times["question"] + timedelta(days=2), state=StoryState.APPROVED)])
    approve_digest(store, NOV)
    queue_digest(store, times["digest_due"], config, SECRET, round_id=NOV)
    (item,) = [i for i in store.all(OutboxItem) if i.kind == "digest" and i.member_id == "dee"]
    msg = message_from_bytes(item.raw.encode(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text = str(msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    links = [line.strip("<>") for line in text.splitlines() if line.startswith("<mailto:")]
    gus_link = links[1].removeprefix("mailto:").split("?")[0]  # the second story: Gus's
    key = store.get(ReplyKey, token_from_address(gus_link) or "")
    assert key is not None and (key.member_id, key.parent_id) == ("dee", "s-gus")

    at = times["digest_due"] + timedelta(hours=2)
    mailbox.append((f"From: Dee Walker <dee@example.org>\r\nTo: {gus_link}\r\n"
                    f"Subject: Re: Gus's story\r\nMessage-ID: <dee-to-gus@example.net>\r\n"
                    f"Date: {format_datetime(at)}\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                    "Gus, saying no kindly is what I am practising too.\r\n").encode())
    with ImapSource(mailbox.settings(), backoff=0.05) as source:
        report = fetch_once(source, store, store.archive, config, SECRET, at)
    assert len(report.responses) == 1 and not report.quarantined
    (response,) = store.all(Response)
    # the November digest has gone, so December's carries it ("continuing conversations")
    assert (response.member_id, response.story_id, response.round_id) == (
        "dee", "s-gus", "2026-12")
    assert "saying no kindly" in response.text

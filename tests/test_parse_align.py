"""Alignment with our own sent text: the quote of what Circle sent is cut whatever the client,
language or quote style did to it, and the member's words are kept."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from circle.app.ingest import InboundMail, ingest_batch
from circle.model import OutboxItem, Story
from circle.outbox import item_id
from circle.parsing import parse_message, replied_ids, sent_text_of, trim_reply
from circle.parsing.align import our_lines
from data.store import TinyStore
from tests.mailin_support import NOW, ROUND, SECRET, make_config, our_mid, raw, seed, to_token

ROOT = Path(__file__).resolve().parent.parent
MAIL = ROOT / "tests" / "fixtures" / "mail"
SENT_MAIL = (MAIL / "align_fi_wrapped_attribution.sent").read_bytes()
SENT = sent_text_of(SENT_MAIL)
QUESTION = "What did you learn from a mistake this month?"


def test_sent_text_of_a_whole_message_is_its_body_and_of_a_text_the_text() -> None:
    assert SENT.startswith(QUESTION + "\n") and "Message-ID" not in SENT
    assert sent_text_of(b"Only a text, no headers.\n") == "Only a text, no headers.\n"


def test_a_quote_rewrapped_by_the_client_aligns_line_by_line() -> None:
    lines = ["My words stay.", "", "> What did you learn from a mistake this month? Just",
             "> reply to this email with your story: something that", "> happened."]
    assert our_lines(lines, SENT) == [False, False, True, True, True]


def test_unknown_language_attribution_above_our_quote_is_cut_exactly() -> None:
    body = ("Niliona kwamba kukiri kosa mapema ni bora.\n\n"
            "Jumatatu, 13 Aprili 2026 saa 08.00 Lee Park via Teachers' circle aliandika:\n\n"
            f"> {QUESTION}\n>\n> Just reply to this email with your story: something that "
            "happened, what\n> you noticed, what you are still wondering about.\n")
    assert "aliandika" in trim_reply(body)[0]  # the general rules do not know this language
    text, elided = trim_reply(body, SENT)
    assert text == "Niliona kwamba kukiri kosa mapema ni bora."
    assert elided.startswith("Jumatatu, 13 Aprili 2026")


def test_a_member_repeating_our_question_keeps_their_words() -> None:
    """Damage guard: words of the question inside the member's own lines are theirs."""
    body = (f"{QUESTION} That silence can be a gift.\n\nI learned it the hard way, "
            "from a mistake this month with my own class.")
    assert trim_reply(body, SENT)[0] == body


def test_a_few_shared_words_are_no_quote() -> None:
    body = "Just reply to this email, you said.\nSo I do: I learned to wait."
    assert trim_reply(body, SENT)[0] == body


def test_inline_answers_between_quoted_parts_of_our_text_are_kept() -> None:
    body = (f"> {QUESTION}\n\nTo slow down before I answer.\n\n"
            "> Just reply to this email with your story: something that happened, what\n"
            "> you noticed\n\nThe day my class taught me patience.\n")
    text, _ = trim_reply(body, SENT)
    assert "To slow down before I answer." in text
    assert text.endswith("The day my class taught me patience.")


def test_a_member_colon_line_above_our_quote_without_date_or_address_stays() -> None:
    """Damage guard: "Here is my answer:" introduces a quote but it is the member's line."""
    body = f"I learned to listen.\nHere is my answer to this:\n\n> {QUESTION}\n> Just reply to this"
    text, _ = trim_reply(body, SENT)
    assert text == "I learned to listen.\nHere is my answer to this:"


def test_without_our_text_the_rules_alone_decide() -> None:
    data = (MAIL / "align_outlook_pasted_rewrapped.eml").read_bytes()
    assert "Lee Park" in parse_message(data).text  # our pasted text is kept: no marks, no header
    assert parse_message(data, sent_text=SENT).text.endswith("\n\nAna")


def test_circle_parse_takes_the_sent_message() -> None:
    reply = MAIL / "align_fi_wrapped_attribution.eml"
    proc = subprocess.run(
        [sys.executable, "-m", "cli.commands.parse", "--json", "--sent",
         str(MAIL / "align_fi_wrapped_attribution.sent"), str(reply)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row["text"].endswith("ja he kiittivät.") and "kirjoitti" in row["elided"]


def test_circle_parse_with_a_missing_sent_file_says_so(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cli.commands.parse", "--json", "--sent", str(tmp_path / "no"),
         str(MAIL / "gmail_plain.eml")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 66 and "Error: cannot read the sent message" in proc.stderr
    assert proc.stdout == ""


_DATED = "ma 13.4.2026 klo 8.00 Lee Park via Teachers' circle\nkirjoitti:"


def _reply_to_our_question(mid: str, attribution: str = _DATED) -> bytes:
    body = ("Opin, että virheen myöntäminen heti säästää paljon.\n\n" + attribution + "\n\n"
            + "\n".join("> " + line for line in SENT.splitlines()))
    return raw("ana@example.org", to_token("ana"), body=body, mid="fi1@ana", in_reply_to=mid)


def _ingest(store: TinyStore, data: bytes) -> list[str]:
    mail = InboundMail(data, hashlib.sha256(data).hexdigest(), uid=1)
    return ingest_batch(store, [mail], config=make_config(), secret=SECRET, now=NOW).stories


def test_ingest_finds_the_question_we_sent_and_the_story_is_only_the_members_words(
        tmp_path: Path) -> None:
    store = TinyStore(tmp_path / "data")
    seed(store)
    mid = our_mid("ana", unique="question")
    store.put(OutboxItem(id=item_id("question", ROUND, "ana", mid), message_id=mid,
                         kind="question", recipient="ana@example.org",
                         raw=SENT_MAIL.decode("utf-8"), created_at=NOW, round_id=ROUND,
                         member_id="ana"))
    (story_id,) = _ingest(store, _reply_to_our_question(mid))
    story = store.get(Story, story_id)
    assert story is not None
    assert story.text == "Opin, että virheen myöntäminen heti säästää paljon."


def test_ingest_without_our_message_in_the_outbox_keeps_the_unknown_attribution(
        tmp_path: Path) -> None:
    """The same reply when the question is not ours to find, and its attribution has no
    date or time (the rules cannot tell it from the member's own "X wrote:"): kept."""
    store = TinyStore(tmp_path / "data")
    seed(store)
    (story_id,) = _ingest(store, _reply_to_our_question(
        our_mid("ana", unique="question"), "Lee Park via Teachers' circle\nkirjoitti:"))
    story = store.get(Story, story_id)
    assert story is not None and "kirjoitti:" in story.text


def test_replied_ids_are_read_from_the_headers_nearest_first() -> None:
    data = (b"From: a@example.org\r\nIn-Reply-To: <c@x>\r\nReferences: <a@x> <b@x>\r\n"
            b"  <c@x>\r\n\r\nbody\r\n")
    assert replied_ids(data) == ("c@x", "b@x", "a@x")
    assert replied_ids(b"no headers at all") == ()

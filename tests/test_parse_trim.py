"""Reply extraction: quotes, attributions, header blocks, signatures, pathological input."""

from collections.abc import Callable

import pytest

from circle.parsing import trim_reply
from circle.parsing.html_text import html_to_text
from tests.timing import assert_linear


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("Hi\n\nOn 04/19/2011 07:10 AM, Roman wrote:\n\n> Hello", "Hi"),
        ("Danke!\n\nAm 13.04.2026 um 08:00 schrieb Circle <c@example.org>:\n> Frage", "Danke!"),
        ("Merci\n\nLe 13 avr. 2026 à 08:00, Circle <c@example.org> a écrit :\n> Q", "Merci"),
        ("Gracias\n\nEl 13 abr 2026, a las 8:00, Circle <c@example.org> escribió:\n> Q", "Gracias"),
        ("Grazie\n\nIl giorno 13 apr 2026, alle ore 08:00, Circle <c@example.org> ha scritto:\n> Q",
         "Grazie"),
        ("Bedankt\n\nOp 13 apr. 2026 om 08:00 heeft Circle <c@example.org> het volgende geschreven:\n\n> Q",
         "Bedankt"),
        ("Obrigado\n\nEm 13 de abr. de 2026, à(s) 08:00, Circle <c@example.org> escreveu:\n> Q",
         "Obrigado"),
        ("Yes\n\nOn Mon, Apr 13, 2026 at 8:00 AM Circle of Practice <\ncircle@example.org> wrote:\n> Q",
         "Yes"),
        ("Reply\n\n-----Original Message-----\nFrom: a@b.c\nSent: today\n\nold", "Reply"),
        ("Reply\n________________________________\nFrom: A <a@b.c>\nSent: Monday\nTo: B\nSubject: S\n\nold",
         "Reply"),
        ("Hej\n\nFrån: A <a@b.c>\nSkickat: den 13 april 2026\nTill: B\nÄmne: S\n\nold", "Hej"),
        ("My story.\n\n-- \nAna Souza\n+1 555 0100", "My story."),
        ("My story.\n\nSent from my iPhone", "My story."),
        ("My story.\n\nVon meinem iPhone gesendet", "My story."),
        ("My story.\n\nSent from my desk, which is better than my phone.",
         "My story.\n\nSent from my desk, which is better than my phone."),
        ("Story.\n\nCONFIDENTIALITY NOTICE: This e-mail is private.\nDo not forward.", "Story."),
    ],
)
def test_trim(body: str, text: str):
    assert trim_reply(body)[0] == text


def test_elided_keeps_everything_removed():
    body = "New words.\n\nOn Mon, Apr 13, 2026 at 8:00 AM A <a@b.c> wrote:\n> old words\n\n-- \nsig"
    text, elided = trim_reply(body)
    assert text == "New words."
    assert "> old words" in elided and "sig" in elided
    assert elided.index("old words") < elided.index("sig")


def test_inline_answers_are_kept():
    body = "> Question one?\nAnswer one.\n\n> Question two?\nAnswer two.\n\n> Closing words"
    text, elided = trim_reply(body)
    assert "Answer one." in text and "Answer two." in text
    assert "Closing words" in elided


def test_story_mentioning_someone_wrote_is_not_cut():
    body = "On my first day my mentor wrote:\n\nAsk more questions.\n\nI still do."
    assert trim_reply(body)[0] == body


def test_lists_and_code_survive():
    body = "Steps:\n\n- one\n- two\n\n    def f(x):\n        return x > 1\n\nDone."
    assert trim_reply(body)[0] == body


def test_forward_under_a_comment_keeps_only_the_comment():
    """The lead's decision: a third party's words are not the member's story; restorable."""
    body = ("I thought of our question when I read this note from my colleague.\n\n"
            "---------- Forwarded message ----------\nFrom: a@b.c\nTo: d@e.f\nSubject: S\n\nText")
    text, elided = trim_reply(body)
    assert text == "I thought of our question when I read this note from my colleague."
    assert elided.startswith("---------- Forwarded message") and elided.endswith("\n\nText")


@pytest.mark.parametrize("separator", [
    "---------- Forwarded message ---------",
    "-------- Weitergeleitete Nachricht --------",
    "-------- Forwarded Message --------",
    "-------- Message transféré --------",
    "Begin forwarded message:",
])
def test_every_forward_separator_under_a_comment_elides_the_forward(separator: str) -> None:
    comment = "Look at what the school sent us today, it made me think of you.\n\nMarta"
    body = (comment + "\n\n" + separator + "\nFrom: a@b.c\nDate: 3 March 2025 at 16:55\n"
            "To: d@e.f\nSubject: S\n\nThe third party's text.\nSecond line.")
    text, elided = trim_reply(body)
    assert text == comment
    assert elided.startswith(separator) and elided.endswith("Second line.")


def test_apple_forward_with_quoted_headers_under_a_comment_keeps_the_comment() -> None:
    comment = "My sister sent me this, and it is what I wanted to say all along.\n\nDave"
    body = (comment + "\n\nBegin forwarded message:\n\n> From: a@b.c\n> Date: 3 March 2025"
            " at 16:55\n> Subject: S\n>\n> The third party's text.")
    text, elided = trim_reply(body)
    assert text == comment
    assert "third party" in elided


def test_forward_under_a_pointer_is_kept_whole():
    """"FYI" is no comment: the forward is what the member shares, its header says whose."""
    body = "FYI\n\n---------- Forwarded message ----------\nFrom: a@b.c\nTo: d@e.f\nSubject: S\n\nText"
    text, elided = trim_reply(body)
    assert text == body
    assert elided == ""


def test_bare_forward_is_kept_whole():
    body = ("-------- Weitergeleitete Nachricht --------\nBetreff: S\nDatum: Mon, 13 Apr 2026\n"
            "Von: Dritte <third@example.net>\nAn: ana@example.org\n\nDer Text.")
    text, elided = trim_reply(body)
    assert text == body
    assert elided == ""


def test_html_gmail_quote_is_elided():
    html = ('<div dir="ltr">Fine, thanks.<br></div><div class="gmail_quote">'
            '<div class="gmail_attr">On Mon, A &lt;a@b.c&gt; wrote:</div>'
            '<blockquote class="gmail_quote">How are you?</blockquote></div>')
    text, elided = trim_reply(html_to_text(html, mark_quotes=True))
    assert text == "Fine, thanks."
    assert "How are you?" in elided


def test_html_keeps_paragraphs_lists_links():
    html = ("<p>One</p><p>Two <a href='https://x.example/'>site</a></p>"
            "<ol><li>a</li><li>b</li></ol><script>evil()</script>")
    assert html_to_text(html) == "One\n\nTwo site <https://x.example/>\n\n1. a\n2. b"


# Each input is n copies of a pathological unit; trimming must grow linearly with n (a same-run
# ratio: see tests/timing.py), not stay under a wall-clock bound that a busy machine breaks.
PATHOLOGICAL: dict[str, tuple[Callable[[int], str], int]] = {
    "quotes_5mb": (lambda n: ">\n" * n, 2_500_000),  # 5 MB of quote markers
    "attribution_like_100k": (
        lambda n: "On " + "a" * 100 + "\n" + ("On 1 " + "x " * 50 + "\n") * n, 100_000),
    "from_lines": (lambda n: "From: a\n" * n, 50_000),
    "rules": (lambda n: ("-" * 200 + "\n") * n, 20_000),
    "one_long_line": (lambda n: "a" * n, 2_000_000),
    "shared_line": (lambda n: ("reply On " + "1" * 300 + " wrote" * 50 + "\n") * n, 5_000),
}


def test_tiny_quoted_input() -> None:
    """Only a (nested) quote: no new words, and the quote is kept as the elided part."""
    assert trim_reply("> " * 3 + "x\n") == ("", "> > > x")


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_input_is_linear(name: str) -> None:
    make, n = PATHOLOGICAL[name]
    assert_linear(make, trim_reply, n)


_QUOTE = "> Hi,\n>\n> What did silence teach you?\n>\n> The circle"


@pytest.mark.parametrize(("closing", "attribution"), [
    ("Terveisin,\nPekka", "Gardeners' circle kirjoitti 1.12.2026 klo 9.14:"),
    ("Viele Grüße,\nAnna", "Gardeners' circle schrieb am 1.12.2026 um 9:14:"),
    ("Saludos,\nLuis", "Gardeners' circle escribió el 1/12/2026 a las 9:14:"),
    ("Salutations,\nMartine", "Le 01/12/2026 à 09:14, Gardeners' circle a écrit :"),
    ("Sonnige Grüße,\nDominik", "Gardeners' circle schrieb am 1.12.2026 um 9:14:"),
])
@pytest.mark.parametrize("blank", ["\n\n", "\n"])
@pytest.mark.parametrize("marked", [True, False])
def test_closing_and_name_above_an_attribution_are_never_part_of_it(
        closing: str, attribution: str, blank: str, marked: bool) -> None:
    """DAMAGE: "Terveisin," read as a weekday opener took the closing and name into a
    name-first attribution below them; with or without '>' marks, a blank line or not."""
    story = "I learned to wait for the soil to tell me.\n\n" + closing
    quote = _QUOTE if marked else _QUOTE.replace("> ", "").replace(">", "")
    text, elided = trim_reply(story + blank + attribution + "\n" + quote)
    if marked:
        assert text == story
        assert elided.startswith(attribution)
    else:  # a name-first attribution with no quote under it is not found: nothing is cut
        assert text.startswith(story)


def test_bidi_controls_around_an_attribution_do_not_hide_it() -> None:
    marks = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    story = "שלום,\n\nלמדתי להקשיב.\n\nבברכה,\nנועה"
    for mark in marks:
        attribution = (f"{mark}בתאריך יום ג׳, 1 בדצמ׳ 2026 ב-9:14 מאת {mark}Circle{mark}"
                       f" <{mark}circle@circle.test{mark}>:{mark}")
        text, elided = trim_reply(story + "\n\n" + attribution + "\n\n" + _QUOTE)
        assert text == story, repr(mark)


def test_dashed_title_right_above_a_header_block_is_cut_with_it() -> None:
    """Seznam's "---------- Původní e-mail ----------": whatever its words, the title of a
    header block that is cut goes with it."""
    story = "Ticho mě naučilo poslouchat.\n\nS pozdravem\nJiří"
    for title in ("---------- Původní e-mail ----------", "----- Some Other Title -----",
                  "======== Alkuperäinen sähköposti-viesti ========"):
        body = (story + "\n\n" + title + "\nOd: Circle <c@circle.test>\nKomu: j@seznam.cz\n"
                "Datum: 1. 12. 2026 9:14:22\nPředmět: Otázka\n\nHi Jiří,\n\nThe circle")
        text, elided = trim_reply(body)
        assert text == story, title
        assert elided.startswith(title)


def test_a_dashed_line_of_the_members_own_stays() -> None:
    body = "My list for the week:\n\n-- one thing --\n\nwater the beans\n\nAna"
    assert trim_reply(body)[0] == body

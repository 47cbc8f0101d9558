"""HTML bodies (html_text.py) and format=flowed (flowed.py): paragraphs kept, client
containers dropped, the member's indented text kept."""

import pytest

from circle.parsing import parse_body
from circle.parsing.flowed import unflow
from circle.parsing.html_text import html_texts
from tests.timing import assert_linear


@pytest.mark.parametrize(
    ("html", "text"),
    [
        # Gmail's indent button: a borderless blockquote holds the member's own words
        ('<div>Hi all</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px">'
         '<div>A poem the children wrote</div></blockquote><div>Bye</div>',
         "Hi all\n\nA poem the children wrote\n\nBye"),
        # GMX / web.de quote container, whatever language its header is in
        ('<div>Mine</div><div name="quote" style="border-left:2px solid #C3D9E5">'
         '<div>Wysłano: poniedziałek</div><div name="quoted-content">old</div></div>', "Mine"),
        # a rule followed by a From: header line starts the history
        ('Reply<div><hr/><div><b>From: bob@example.com</b> <b>Date: Thu</b></div>'
         '<div>Quoted message</div></div>', "Reply"),
        ('<div>Story</div><div style="border:none;border-top:solid #E1E1E1 1.0pt;'
         'padding:3.0pt 0cm 0cm 0cm"><p><b>Von:</b> Circle<br><b>Gesendet:</b> Montag</p></div>'
         '<p>old</p>', "Story"),
        ('<div>Story</div><hr id="zwchr" data-marker="__DIVIDER__"><div data-marker="__HEADERS__">'
         '<b>Von: </b>Circle &lt;c@example.org&gt;<br><b>An: </b>x</div>'
         '<div data-marker="__QUOTED_TEXT__">old</div>', "Story"),
        # Gmail's signature marked only by data-smartmail; Zimbra's signature marker
        ('<div>Story</div><div><div data-smartmail="gmail_signature">Ana<br>Nurse</div></div>',
         "Story"),
        ('<div>Story</div><div data-marker="__SIG_PRE__">Ana Ruiz<br>Nurse</div>', "Story"),
        # lists and links
        ('<div>We need:</div><ol><li>spades</li><li>gloves</li></ol>', "We need:\n\n1. spades\n2. gloves"),
    ],
)
def test_html_containers_and_structure(html: str, text: str):
    assert parse_body(html, html=True).text == text


def test_a_rule_in_the_members_text_is_not_history():
    html = '<div>Story</div><hr><div>Date: 5 May</div><div>Place: the hall</div>'
    assert parse_body(html, html=True).text == "Story\nDate: 5 May\nPlace: the hall"


def test_a_from_line_after_a_rule_needs_a_header_shape():
    html = '<div>Story</div><hr><div>From: the garden, with love</div><div>More story</div>'
    assert parse_body(html, html=True).text == html_texts(html)[1]


def test_many_rules_stay_linear():
    def make(n: int) -> str:
        return "<div>Story</div>" + "<hr><div>line of text</div>" * n

    assert_linear(make, lambda h: html_texts(h), 20_000)


def test_flowed_signature_separator_never_joins_a_soft_line():
    assert unflow("Thanks \r\n-- \r\nAna") == "Thanks\n-- \nAna"


def test_flowed_quoted_soft_lines_join_within_their_depth():
    flowed = "> quoted soft \r\n> next line\r\n>> deeper \r\n>> more\r\nMine \r\nhere."
    assert unflow(flowed) == "> quoted soft next line\n> > deeper more\nMine here."


def test_a_bare_blockquote_quotes_only_under_an_attribution():
    mine = "<div>Reply</div><blockquote>A line I set apart</blockquote><div>More of mine</div>"
    assert parse_body(mine, html=True).text == "Reply\n\nA line I set apart\n\nMore of mine"
    quoted = ("<div>Reply</div><div>On Mon, 13 Apr 2026, Circle &lt;c@example.org&gt; wrote:</div>"
              "<blockquote>old question</blockquote>")
    assert parse_body(quoted, html=True).text == "Reply"


def test_exchange_prefixed_ids_still_cut():
    html = '<div>Hi</div><div id="x_appendonsend"></div><div>old words of the thread</div>'
    assert parse_body(html, html=True).text == "Hi"

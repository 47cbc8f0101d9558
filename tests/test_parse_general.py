"""The reply reader in general: attributions in many languages, damage guards, signatures,
mobile footers, format=flowed, HTML containers and speed."""


import pytest

from circle.parsing import parse_body, trim_reply
from circle.parsing.flowed import unflow
from circle.parsing.html_text import html_texts
from tests.timing import assert_linear

Q = "\n\n> What did you learn?\n> Reply to this mail."


@pytest.mark.parametrize(
    "attribution",
    [
        "On Mon, Apr 13, 2026 at 8:00 AM Circle <circle@example.org> wrote:",
        "2026-04-13 8:00 GMT+02:00 Circle <circle@example.org>:",
        "Am Mo., 13. Apr. 2026 um 08:00 Uhr schrieb Circle <circle@example.org>:",
        "W dniu 13.04.2026 o 08:00, Circle pisze:",
        "pon., 13 kwi 2026 o 08:00 Circle <circle@example.org> napisał(a):",
        "пн, 13 апр. 2026 г. в 08:00, Circle <circle@example.org>:",
        "13.04.2026 08:00, Circle пишет:",
        "пн, 13 квіт. 2026 р. о 08:00 Circle <circle@example.org> пише:",
        "2026年4月13日(月) 8:00 Circle <circle@example.org>:",
        "在 2026年4月13日 08:00，Circle <circle@example.org> 写道：",
        "2026년 4월 13일 (월) 오전 8:00, Circle <circle@example.org>님이 작성:",
        "Op ma 13 apr. 2026 om 08:00 schreef Circle <circle@example.org>:",
        "Le lun. 13 avr. 2026 à 08:00, Circle <circle@example.org> a écrit :",
        "El lun, 13 abr 2026 a las 8:00, Circle (<circle@example.org>) escribió:",
        "Il giorno lun 13 apr 2026 alle ore 08:00 Circle <circle@example.org> ha scritto:",
        "Em seg., 13 de abr. de 2026 às 08:00, Circle <circle@example.org> escreveu:",
        "Den mån 13 apr. 2026 kl 08:00 skrev Circle <circle@example.org>:",
        "13 Nis 2026 Pzt, saat 08:00 tarihinde Circle <circle@example.org> şunu yazdı:",
        "ma 13.4.2026 klo 8.00 Circle (circle@example.org) kirjoitti:",
        "On Monday, April 13, 2026, 08:00:00 AM GMT+2, Circle <circle@example.org> wrote:",
    ],
)
def test_attribution_in_any_language(attribution: str):
    text, elided = trim_reply("My new words.\n\n" + attribution + Q)
    assert text == "My new words."
    assert attribution in elided


@pytest.mark.parametrize(
    ("top", "bottom"),
    [
        ("On Mon, Apr 13, 2026 at 8:00 AM Circle of Practice via the list <",
         "circle@example.org> wrote:"),
        ("Am Mo., 13. Apr. 2026 um 08:00 Uhr schrieb Circle of Practice <",
         "circle@example.org>:"),
        ("Op 13 apr. 2026 om 08:00 heeft Circle <circle@example.org> het volgende",
         "geschreven:"),
        ("пн, 13 апр. 2026 г. в 08:00, Circle of Practice <", "circle@example.org>:"),
    ],
)
def test_wrapped_attribution_never_cuts_the_last_lines(top: str, bottom: str):
    # the member's last lines sit right above the attribution, with no blank line
    body = "First line of mine.\nSecond line, no full stop\n" + top + "\n" + bottom + Q
    text, elided = trim_reply(body)
    assert text == "First line of mine.\nSecond line, no full stop"
    assert elided.startswith(top)


def test_member_line_starting_like_an_attribution_is_kept():
    body = "On Monday we met again\nOn Mon, 13 Apr 2026 at 08:00, Circle <c@example.org> wrote:" + Q
    assert trim_reply(body)[0] == "On Monday we met again"


def test_attribution_at_the_top_keeps_the_unquoted_words_under_it():
    body = ("On Mon, 13 Apr 2026 at 08:00, Circle <circle@example.org> wrote:\n\n"
            "I learned to say no early.\nIt is kinder.")
    text, elided = trim_reply(body)
    assert text == "I learned to say no early.\nIt is kinder."
    assert elided.startswith("On Mon")


def test_lead_in_with_a_date_but_no_time_is_not_an_attribution():
    body = "Here is what I wrote on 12 April:\n\n> We should test backups.\n\nAnd we did."
    assert "Here is what I wrote on 12 April:" in trim_reply(body)[0]


@pytest.mark.parametrize(
    "block",
    [
        "Od: Circle <c@example.org>\nWysłano: poniedziałek, 13 kwietnia 2026 08:00\n"
        "Do: Ana\nTemat: Pytanie",
        "От: Circle <c@example.org>\nОтправлено: 13 апреля 2026 г. 8:00\nКому: Ana\nТема: Вопрос",
        "Від: Circle <c@example.org>\nНадіслано: 13 квітня 2026 р. 8:00\nКому: Ana\nТема: Питання",
        "差出人: Circle <c@example.org>\n送信日時: 2026年4月13日 8:00\n宛先: Ana\n件名: 質問",
        "De : Circle <c@example.org>\nEnvoyé : lundi 13 avril 2026 08:00\nÀ : Ana\nObjet : Question",
        "De: Circle <c@example.org>\nEnviado: segunda-feira, 13 de abril de 2026 08:00\n"
        "Para: Ana\nAssunto: Pergunta",
        "Da: Circle <c@example.org>\nInviato: lunedì 13 aprile 2026 08:00\nA: Ana\nOggetto: Domanda",
        "Van: Circle <c@example.org>\nVerzonden: maandag 13 april 2026 08:00\nAan: Ana\n"
        "Onderwerp: Vraag",
    ],
)
def test_outlook_header_blocks(block: str):
    text, elided = trim_reply("Mine.\n\n" + block + "\n\nOld question text.")
    assert text == "Mine."
    assert "Old question text." in elided


@pytest.mark.parametrize(
    ("body", "text"),
    [
        # closing and name stay, the block under the name goes
        ("Story.\n\nWarm wishes,\nAna\nProgramme Coordinator | Green Futures\n+44 20 7946 0000",
         "Story.\n\nWarm wishes,\nAna"),
        ("Story.\n\nLiebe Grüße\n\nJonas Becker\nReferent Bildung\nTel. +49 30 1234567\n"
         "www.example.de", "Story.\n\nLiebe Grüße\n\nJonas Becker"),
        ("Story.\n\nAna Lopez\nCoordinator, Green Futures Foundation\nana@greenfutures.example\n"
         "+34 600 000 000", "Story.\n\nAna Lopez"),
        # names alone, a list the member introduced, and links are the member's
        ("Thanks to:\n\nAna Lopez\nBen Smith", "Thanks to:\n\nAna Lopez\nBen Smith"),
        ("The guides I used:\n\nhttps://example.org/a\nhttps://example.org/b",
         "The guides I used:\n\nhttps://example.org/a\nhttps://example.org/b"),
        ("Story.\n\nWarm wishes,\nAna", "Story.\n\nWarm wishes,\nAna"),
        ("We met at the hall.\n\nCommunity Hall\nMain Street 12",
         "We met at the hall.\n\nCommunity Hall\nMain Street 12"),
    ],
)
def test_signature_blocks(body: str, text: str):
    assert trim_reply(body)[0] == text


@pytest.mark.parametrize(
    "footer",
    ["Sent from my iPhone", "Von meinem iPhone gesendet", "Envoyé de mon iPhone",
     "Inviato da iPhone", "Verstuurd vanaf mijn iPhone", "Wysłane z iPhone'a",
     "Отправлено с iPhone", "Надіслано з iPhone", "iPhoneから送信", "发自我的iPhone",
     "從我的 iPhone 傳送", "iPhone에서 보냄", "Get Outlook for Android",
     "Von meinem Samsung Galaxy Smartphone gesendet", "Sent from Yahoo Mail for iPhone",
     "Gesendet mit der GMX Mail App", "Skickat från min iPhone", "Enviado desde mi iPhone"],
)
def test_mobile_footers(footer: str):
    text, elided = trim_reply("My story.\n\n" + footer)
    assert text == "My story."
    assert footer in elided


def test_a_sentence_about_a_phone_is_not_a_footer():
    body = "My story.\n\nSent from my desk, which is better than my mobile phone."
    assert trim_reply(body)[0] == body


def test_format_flowed_is_joined():
    flowed = "One long \r\nparagraph here.\r\n\r\n> quoted \r\n> line\r\n-- \r\nsig"
    assert unflow(flowed) == "One long paragraph here.\n\n> quoted line\n-- \nsig"
    assert unflow("Lang \r\nwort", delsp=True) == "Langwort"
    assert unflow(" From stuffed") == "From stuffed"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ('<div>One</div><div>&nbsp;</div><div>Two</div>', "One\n\nTwo"),
        ('<div>One</div><div><br></div><div>Two</div>', "One\n\nTwo"),
        ('<p class=MsoNormal>One<o:p></o:p></p><p class=MsoNormal>Two</p>', "One\nTwo"),
        ('<div>Hi</div><div class="gmail_signature">Tom<br>+44 7700 900123</div>', "Hi"),
        ('<div>Hi</div><div class="moz-signature">-- <br>Sam</div>', "Hi"),
        ('<div>Hi</div><div id="Signature"><p>Priya</p></div>', "Hi"),
        ('<div>Hi</div><div id="appendonsend"></div><div>From: x</div>', "Hi"),
        ('<div>Hi</div><div class="yahoo_quoted">On Mon, X wrote:<br>old</div>', "Hi"),
        ('<div>Hi</div><blockquote type="cite">old</blockquote>', "Hi"),
        ('<p>a &lt; b &amp;&amp; c</p><!-- <p>hidden</p> --><style>p{}</style>', "a < b && c"),
    ],
)
def test_html_bodies(html: str, text: str):
    assert parse_body(html, html=True).text == text


def test_html_plain_rendering_keeps_everything():
    marked, plain = html_texts('<div>Hi</div><div class="gmail_quote">old</div>')
    assert plain == "Hi\nold" and marked == "Hi\n> old"


def _outlook_html(size: int) -> str:
    para = ('<p class=MsoNormal><span style="font-size:11.0pt;font-family:&quot;Calibri&quot;,'
            'sans-serif;color:#1F497D">Some words of the thread, and more words.</span>'
            '<o:p></o:p></p>\n')
    head = "<html><head><style>" + "p.MsoNormal{margin:0cm}" * 200 + "</style></head><body>"
    quote = '<div id="divRplyFwdMsg"><b>From:</b> X</div>' + "<blockquote>" * 20
    out = head + para * 5 + quote
    while len(out) < size:
        out += para
    return out + "</blockquote>" * 20 + "</body></html>"


def test_large_outlook_html_body_keeps_the_reply_and_drops_the_thread():
    """(Its speed is a benchmark row, `parse.html.91k` in bench/bench_parse.py.)"""
    html = _outlook_html(91_000)
    parsed = parse_body(html, html=True)
    assert parsed.text.startswith("Some words of the thread")
    assert "From:" not in parsed.text


@pytest.mark.parametrize(
    ("unit", "n"),
    # sizes large enough that both runs sit well above the helper's noise floor (50 ms)
    [("<a ", 2_000_000), ("<div>", 200_000), ("<", 20_000_000), ("<!--x", 2_000_000),
     ('<a href="', 2_000_000)],
)
def test_hostile_html_grows_linearly(unit: str, n: int):
    """Four times the input costs about four times the work (quadratic would be 16×): a growth
    ratio measured in the same run, not a wall-clock bound."""
    assert_linear(lambda k: unit * k, html_texts, n, limit=9.0)

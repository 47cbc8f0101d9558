"""Quoted history in any language: language-free attributions, wrapped addresses, re-wrapped
quotes, header blocks, dashed separators, mobile footers over the original (trim / rewrap)."""

import pytest

from circle.parsing import trim_reply
from circle.parsing.rewrap import join_addresses, mark_continuations

STORY = "Wir haben im Garten neue Beete angelegt.\nDas hat gut geklappt.\n\nLiebe Grüße\nAnna"


@pytest.mark.parametrize(
    "history",
    [
        # attributions with unquoted history under them (Gmail/Outlook plain quoting)
        "Am Mo., 9. Nov. 2026 um 08:00 Uhr schrieb Circle <circle@example.org>:\n\nWas hast du?",
        "pon., 9 lis 2026 o 08:00 Circle <circle@example.org> napisał(a):\n\nCzego się nauczyłeś?",
        "пн, 9 нояб. 2026 г. в 08:00, Circle <circle@example.org>:\n\nЧему вы научились?",
        "пн, 9 лист. 2026 р. о 08:00 Circle <circle@example.org> пише:\n\nЧого ви навчилися?",
        "2026年11月9日(月) 8:00 Circle <circle@example.org>:\n\n今月の質問",
        "Op ma 9 nov. 2026 om 08:00 schreef Circle <circle@example.org>:\n\nWat heb je geleerd?",
        "Den tir. 18. apr. 2017 kl. 13:09 skrev Test user <test@example.com>:\n\nHva har du lært?",
        "ma 9. marrask. 2026 klo 8.00 Circle (circle@example.org) kirjoitti:\n\nMitä opit?",
        "po 9. 11. 2026 v 8:00 odesílatel Circle <circle@example.org> napsal:\n\nCo jste se naučili?",
        "Circle <circle@example.org>, 9 Kas 2026 Pzt, 08:00 tarihinde şunu yazdı:\n\nNe öğrendiniz?",
        "在 2026年11月9日 08:00，Circle <circle@example.org> 写道：\n\n你学到了什么？",
        "2026년 11월 9일 (월) 오전 8:00, Circle <circle@example.org>님이 작성:\n\n무엇을 배웠나요?",
        "2026-11-09 8:00 GMT+01:00 Circle <circle@example.org>:\n\nWhat did you learn?",
        "11:00 AM, November 17, 2021, \"John - Acme\" <john@mail.acme.com>:\n\nWhat did you learn?",
        "On Thursday, September 4, 2025 at 11:30:41 AM EDT, Circle <circle@example.org> wrote:\n\n"
        "What did you learn?",
        "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote\n\nWhen are you free?",
        "pe 20. lokakuuta 2017 klo 17.50 John Coe\n<john.coe@example.fi> kirjoitti:\n\nKiitos!",
        "Circle <circle@example.org> hat am 09.11.2026 08:00 geschrieben:\n\nWas hast du gelernt?",
        "\"Circle of Practice\" <circle@example.org> a écrit le 9 nov. 2026 à 08:00 :\n\nQ ?",
        "---- Circle wrote ----\n\nWhat did you learn?",
        "---- Circle napisał ----\n\nCzego się nauczyłeś?",
        "---- Circle написал ----\n\nЧему вы научились?",
        "---- Circle escribió ----\n\n¿Qué aprendiste?",
        # separators and header blocks
        "---- Mensaje original ----\nDe: Circle <circle@example.org>\nFecha: lunes, 9 de noviembre"
        " de 2026 08:00\nPara: ana@example.com\nAsunto: Pregunta\n\n¿Qué aprendiste?",
        "-----Ursprüngliche Nachricht-----\nVon: Circle <circle@example.org>\nGesendet: Montag, 9."
        " November 2026 08:00\nAn: anna@example.de\nBetreff: Frage\n\nWas hast du gelernt?",
        "-------- Oprindelig besked --------\nFra: Circle <circle@example.org>\nDato: 09.11.2026"
        "  08.00  (GMT+01:00)\nTil: anna@example.dk\nEmne: Spørgsmål\n\nHvad lærte du?",
        "________________________________\nОт: Circle <circle@example.org>\nОтправлено: 9 ноября"
        " 2026 г. 8:00\nКому: anna@example.ru\nТема: Вопрос\n\nЧему вы научились?",
        "差出人: Circle <circle@example.org>\n送信日時: 2026年11月9日 8:00\n宛先: anna@example.jp\n"
        "件名: 質問\n\n今月の質問",
        "De : Circle <circle@example.org>\nEnvoyé : lundi 9 novembre 2026 08:00\nÀ : anna@ex.fr\n"
        "Objet : Question\n\nQu'avez-vous appris ?",
        "Od: Circle <circle@example.org>\nWysłano: poniedziałek, 9 listopada 2026 08:00\n"
        "Do: anna@example.pl\nTemat: Pytanie\n\nCzego się nauczyłeś?",
        "====\n\nMessage du : 12/12/2016 13:20\nDe : \"Circle\" <circle@example.org>\n"
        "A : anna@example.fr\nCopie à :\nSujet : Question\n\nQu'avez-vous appris ?",
        "\u2010\u2010\u2010\u2010\u2010\u2010\u2010 Original Message \u2010\u2010\u2010\u2010\u2010\u2010"
        "\u2010\nOn Monday, November 9th, 2026 at 08:00, Circle <circle@example.org> wrote:\n\n"
        "What did you learn?",  # old Proton Mail: U+2010 hyphens, unquoted original
        "Dari: Circle <circle@example.org>\nDikirim: Senin, 9 November 2026 08.00\n"
        "Kepada: anna@example.id\nPerihal: Pertanyaan\n\nApa yang kamu pelajari?",
        "De la: Circle <circle@example.org>\nTrimis: luni, 9 noiembrie 2026 08:00\n"
        "Către: anna@example.ro\nSubiect: Întrebare\n\nCe ai învățat?",
        # a phone's footer under the member's words, the original under it
        "Gesendet von Outlook für Android<https://aka.ms/ghei36>\n\nWas hast du gelernt?",
        "Sent from my Wiko RIDGE FAB 4G\n\nWhat did you learn this month?\nReply to this mail.",
        "iPhoneから送信\n\n今月の質問です。",
    ],
)
def test_history_under_the_story_goes_in_any_language(history: str) -> None:
    text, elided = trim_reply(STORY + "\n\n" + history + "\n")
    assert text == STORY
    assert history.splitlines()[-1] in elided


@pytest.mark.parametrize(
    "attribution",
    [
        "Op 9 nov. 2026 08:00 schreef Circle of Practice <\ncircle@example.org>:",
        "tir. 18. apr. 2017 kl. 13:09 skrev Circle <circle@example.org\n>:",
        "Op 9 nov. 2026, om 08:00 heeft Circle <circle@example.org> het volgende\ngeschreven:",
        "Circle <circle@circle.test>, 2 Ara 2026 Çar, 09:14 tarihinde şunu\nyazdı:",
        "Il giovedì, 8 dicembre 2016, Circle <circle@example.org>\nha scritto:",
    ],
)
def test_wrapped_attributions_above_a_quote_go_whole(attribution: str) -> None:
    text, elided = trim_reply(f"{STORY}\n\n{attribution}\n\n> Was hast du gelernt?\n")
    assert text == STORY
    assert attribution.splitlines()[0].split()[0] in elided


def test_address_pieces_are_joined_in_place() -> None:
    lines = ["x schreef Circle <", "circle@example.org>:", "> q"]
    assert join_addresses(lines) == ["x schreef Circle <circle@example.org>:", "", "> q"]
    sig = ["Ana Ruiz", "<ana@example.org>"]  # a signature, no colon: left alone
    assert join_addresses(sig) == sig


def test_rewrapped_quote_fragments_are_quoted() -> None:
    body = ("Thanks, yes.\n\nOn Mon, 9 Nov 2026 at 08:00, Circle <circle@example.org> wrote:\n"
            "> This month we ask every member to share one small thing they learned at work\n"
            "this autumn.\n> Reply to this mail.\n")
    assert trim_reply(body)[0] == "Thanks, yes."
    lines = ["> " + "word " * 15, "ignissim odio?", ">"]
    assert mark_continuations(lines)[1] == "> ignissim odio?"


def test_inline_answers_under_short_quotes_stay() -> None:
    body = "> What went wrong?\nThe deadline was unrealistic.\n> What next?\nSay so on day one."
    text = trim_reply(body)[0]
    assert "The deadline was unrealistic." in text and "Say so on day one." in text


def test_inline_answer_after_a_long_quoted_line_with_a_blank_stays() -> None:
    body = ("> Would you be willing to host the gathering in March, or would April suit you\n\n"
            "March is fine.\n")
    assert trim_reply(body)[0] == "March is fine."


# --- damage cases: the member's words stay -------------------------------------------------

def test_header_block_at_the_top_drops_only_the_headers() -> None:
    body = ("Od: Jan <jan@example.pl>\nWysłano: środa, 1 marca 2023 12:00\nTemat: Re: Pytanie\n\n"
            "Czesc Anno,\nU nas wszystko dobrze.\n\nPozdrawiam,\nJan")
    text, elided = trim_reply(body)
    assert text == "Czesc Anno,\nU nas wszystko dobrze.\n\nPozdrawiam,\nJan"
    assert "jan@example.pl" in elided


def test_attribution_at_the_top_drops_only_itself() -> None:
    body = "2026-11-09 8:00 GMT+01:00 Circle <circle@example.org>:\n\nI learned to wait.\n"
    assert trim_reply(body)[0] == "I learned to wait."


def test_a_member_line_ending_with_a_colon_above_a_quote_stays() -> None:
    body = "I learned to listen.\nHere is what I mean:\n\n> Share one thing\n\nThat was it."
    text = trim_reply(body)[0]
    assert text.startswith("I learned to listen.\nHere is what I mean:")
    assert text.endswith("That was it.")


def test_a_member_sentence_with_a_date_and_bare_address_stays() -> None:
    body = "I wrote to them on 3 May 2026 at 10:00 from ana@example.org:\n\nNo answer yet."
    assert trim_reply(body)[0] == body


def test_a_wrapped_attribution_never_takes_the_members_last_line() -> None:
    body = ("We planted beans.\nThe children loved it.\n"
            "Am 9. Nov. 2026 um 08:00 schrieb Circle\n<circle@example.org>:\n\n> Frage\n")
    assert trim_reply(body)[0] == "We planted beans.\nThe children loved it."


def test_a_member_line_wrapped_above_a_name_first_attribution_stays() -> None:
    body = ("We planted beans and the children loved it\n"
            "Circle <circle@circle.test>, 2 Ara 2026 Çar, 09:14 tarihinde şunu\nyazdı:\n\n> Soru\n")
    assert trim_reply(body)[0] == "We planted beans and the children loved it"


def test_a_mobile_footer_with_nothing_of_the_member_above_keeps_the_text() -> None:
    body = "Sent from my iPhone\n\nI learned to wait."
    assert "I learned to wait." in trim_reply(body)[0]


def test_a_dashed_line_of_the_members_own_stays() -> None:
    body = "My notes:\n\n--- first week ---\nWe sowed.\nWe waited.\n\nAna"
    assert trim_reply(body)[0] == body


def test_headers_flattened_onto_one_line_are_a_header_block() -> None:
    body = "Reply\nFrom: bob@example.com Date: Thu, 24 Mar 2016 08:07:12 -0700\nQuoted message"
    assert trim_reply(body)[0] == "Reply"
    mine = "Reply\n\nFrom: the garden Date: unknown\nMore of my words."
    assert trim_reply(mine)[0] == mine


def test_a_quote_the_member_introduces_with_a_colon_is_part_of_the_story() -> None:
    body = ("My head of department wrote this to all of us:\n\n> Bring one thing that went well.\n\n"
            "That line changed our meetings.\n\nOn Mon, 9 Nov 2026 at 08:00, Circle "
            "<circle@example.org> wrote:\n\n> What did you change?\n")
    text = trim_reply(body)[0]
    assert text == ("My head of department wrote this to all of us:\n\n"
                    "> Bring one thing that went well.\n\nThat line changed our meetings.")


def test_quotes_between_inline_answers_are_elided() -> None:
    body = ("Hi Maya,\n\n> What did you change this autumn?\n\nThe rota.\n\n"
            "> Reply to this email with your story.\n\nAnd thanks!\n")
    text, elided = trim_reply(body)
    assert text == "Hi Maya,\n\nThe rota.\n\nAnd thanks!"
    assert "> What did you change this autumn?" in elided


def test_headers_with_unknown_keys_at_the_top_drop_only_themselves() -> None:
    body = ("Message du : 12/12/2016 13:20\nDe : \"Circle\" <circle@example.org>\n"
            "A : anna@example.fr\nSujet : Question\n\nMerci, voici mon histoire.\n")
    assert trim_reply(body)[0] == "Merci, voici mon histoire."


def test_a_bare_forward_with_unknown_header_keys_is_kept_whole() -> None:
    body = ("-------- Пересылаемое сообщение --------\nОт кого: Иван <ivan@example.com>\n"
            "Кому: Пётр <petr@example.com>\nДата: Среда, 14 июня 2017, 15:19 +03:00\n"
            "Тема: Тест\n\nДорогой Пётр,\nэто тест!")
    assert trim_reply(body)[0] == body


def test_a_member_sentence_opening_with_words_then_an_address_stays() -> None:
    body = ("Thanks!\n\nI wrote to <ana@example.org> on 3 May 2026 at 10:00 and said:\n\n"
            "Please come to the garden day.")
    assert trim_reply(body)[0] == body


def test_a_short_answer_right_under_a_long_quoted_line_at_the_end_stays() -> None:
    body = ("On Mon, 9 Nov 2026 at 08:00, Circle <circle@example.org> wrote:\n"
            "> Would you be willing to host the gathering in March, or would April suit you\n"
            "yes, march is fine")
    assert trim_reply(body)[0] == "yes, march is fine"


def test_a_lower_case_inline_answer_under_a_long_quoted_question_stays() -> None:
    body = ("> Would you be willing to host the gathering in March, or would April suit you?\n"
            "yes, march\n> And would you bring the tea urn from the hall?\nno")
    assert "yes, march" in trim_reply(body)[0]


def test_a_postscript_under_a_mobile_footer_stays() -> None:
    body = "The first thing I learned.\n\nSent from my iPhone\n\nP.S. the second: listen more."
    assert trim_reply(body)[0].endswith("P.S. the second: listen more.")


def test_header_like_lines_without_an_address_or_date_are_the_members() -> None:
    body = "We had a meeting.\n\nFrom: me\nTo: the team\nSubject: patience\n\nAll of this is mine."
    assert trim_reply(body)[0] == body

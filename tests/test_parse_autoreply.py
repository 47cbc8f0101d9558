"""Out-of-office notices read by content: return dates in the sender's own calendar day, in
sixteen languages, and stories that mention a holiday kept as stories."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from circle.parsing import parse_message
from circle.parsing.autoreply import find_return_date, looks_away

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
# Fixtures without any automatic header (Auto-Submitted, X-Autoreply, Precedence) or OOO
# subject: recognised by their words; several sent just after midnight east of UTC, where
# converting the Date to UTC first would give the day before.
RETURNS = {
    "ooo_es_no_headers_de_vuelta": date(2027, 1, 7),
    "ooo_it_no_headers_rientrero": date(2027, 1, 7),
    "ooo_pl_no_headers_wroce": date(2027, 1, 7),
    "ooo_ja_no_headers_tokyo_morning": date(2027, 1, 7),
    "ooo_nl_no_headers_terug_op": date(2027, 1, 7),
    "ooo_pt_no_headers_de_volta": date(2027, 1, 7),
    "ooo_sv_no_headers_tillbaka": date(2027, 1, 7),
    "ooo_de_no_headers_dotted_dates": date(2027, 1, 6),
    "ooo_fr_no_headers_de_retour_le": date(2027, 1, 5),
    "ooo_en_no_headers_wellington": date(2027, 1, 11),
    "ooo_en_absent_subject_short": date(2027, 1, 4),  # a weak subject word, a short notice
    "ooo_hu_freemail_no_headers": date(2026, 12, 14),  # "December 14-ig": until after the date
}


@pytest.mark.parametrize("name", sorted(RETURNS))
def test_a_notice_without_headers_is_an_auto_reply_with_its_return_day(name: str) -> None:
    msg = parse_message((FIXTURES / f"{name}.eml").read_bytes())
    assert msg.kind.value == "auto_reply"
    assert msg.reasons[0] in ("away_notice", "out_of_office_subject")
    assert msg.auto_reply_until is not None and msg.auto_reply_until.date() == RETURNS[name]


@pytest.mark.parametrize("name", ["story_en_holiday_mentioned", "story_fr_en_vacances_jusqu_au",
                                  "story_en_gmail_away_with_quote",
                                  "story_en_when_im_away_clause",
                                  "story_en_vacation_in_subject"])
def test_a_story_that_mentions_being_away_stays_a_story(name: str) -> None:
    msg = parse_message((FIXTURES / f"{name}.eml").read_bytes())
    assert msg.kind.value == "reply" and msg.auto_reply_until is None


TOKYO_JUST_AFTER_MIDNIGHT = datetime(2026, 12, 22, 0, 30, tzinfo=timezone(timedelta(hours=9)))


@pytest.mark.parametrize("text", [
    "I am out of the office until 7 January with limited access to email.",
    "Je suis absente. Je serai de retour le 7 janvier.",
    "Ich bin im Urlaub und ab dem 7. Januar wieder erreichbar.",
    "Estoy fuera de la oficina. Estaré de vuelta el 7 de enero.",
    "Sono fuori ufficio. Rientrerò il 7 gennaio.",
    "Ik ben afwezig. Ik ben terug op 7 januari.",
    "Estou ausente. Estarei de volta em 7 de janeiro.",
    "Jestem nieobecna. Wrócę 7 stycznia.",
    "Jag är ledig. Jag är tillbaka den 7 januari.",
    "ただいま不在にしております。1月7日に戻ります。",
    "Dziękuję za wiadomość. Jestem na urlopie do 7.01.2027.",
    "Estoy de vacaciones con acceso limitado al correo. Estaré de vuelta el 7 de enero\n"
    "y le responderé lo antes posible.",  # the date line wraps: "7 de" is not the date
    "Здравствуйте! Я в отпуске до 7 января, доступ к почте ограничен.",
    "Доброго дня! Я у відпустці до 7 січня.",
    "Merhaba, 7 Ocak'a kadar izindeyim. Döndüğümde yanıtlayacağım.",
    "Merhaba, şu an ofis dışındayım. 7 Ocak tarihinde döneceğim.",
    "Olen lomalla ja palaan 7.1.2027.",
    "Jeg er på ferie og er tilbage den 7. januar.",
])
def test_return_dates_in_sixteen_languages_are_the_senders_day(text: str) -> None:
    assert looks_away(text, TOKYO_JUST_AFTER_MIDNIGHT)
    got = find_return_date(text, TOKYO_JUST_AFTER_MIDNIGHT)
    assert got is not None and got.date() == date(2027, 1, 7)


@pytest.mark.parametrize("text", [
    "I was away on holiday and came back on 3 January with ideas for my class.",
    "Last year I was on leave until March and the silence taught me patience.",
    "When I'm away from the ward I miss the noise; back on 3 January I noticed it.",
    "Quand je suis absente, mes élèves se taisent; je serai de retour le 5 janvier.",
    "Я думаю, что до 7 января ничего не изменится в нашем классе.",
])
def test_past_or_conditional_absence_is_no_notice(text: str) -> None:
    assert not looks_away(text, TOKYO_JUST_AFTER_MIDNIGHT)


def test_a_month_without_a_day_returns_on_its_first() -> None:
    got = find_return_date("I am away until January.", TOKYO_JUST_AFTER_MIDNIGHT)
    assert got is not None and got.date() == date(2027, 1, 1)


@pytest.mark.parametrize("text", [
    "Köszönöm levelét! Január 7-ig szabadságon vagyok, utána válaszolok.",
    "Dobrý den, jsem na dovolené do 7. ledna.",
    "Καλησπέρα σας. Είμαι εκτός γραφείου έως 7 Ιανουαρίου.",
    "Bună ziua, sunt în concediu până pe 7 ianuarie.",
    "안녕하세요. 1월 7일까지 휴가 중입니다.",
    "שלום, אני בחופשה עד 7 בינואר.",
])
def test_away_notices_in_six_more_languages(text: str) -> None:
    assert looks_away(text, TOKYO_JUST_AFTER_MIDNIGHT)
    got = find_return_date(text, TOKYO_JUST_AFTER_MIDNIGHT)
    assert got is not None and got.date() == date(2027, 1, 7)


QUOTED_REPLY = (
    "From: Eva Novak <eva@example.com>\nTo: circle@example.org\nSubject: Re: December question\n"
    "Date: Tue, 1 Dec 2026 10:41:07 +0100\nMessage-ID: <r1@example.com>\n"
    "In-Reply-To: <q1@circle.example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
    "{body}\n\nEva\n\nOn Mon, Nov 30, 2026 at 4:55 PM Circle <circle@example.org> wrote:\n"
    "> What did silence teach you this month?\n")


@pytest.mark.parametrize("body", [
    "I'll be away until 14 December, Jana covers for me.",
    "Estaré de vacaciones hasta el 14 de diciembre, te escribo a la vuelta.",
])
def test_a_person_saying_they_are_away_above_our_quote_is_a_reply(body: str) -> None:
    msg = parse_message(QUOTED_REPLY.format(body=body).encode())
    assert msg.kind.value == "reply"
    assert body in msg.text


def test_the_classic_notice_form_above_a_quote_is_still_a_notice() -> None:
    body = "I am out of the office until 14 December with limited access to email."
    msg = parse_message(QUOTED_REPLY.format(body=body).encode())
    assert msg.kind.value == "auto_reply"

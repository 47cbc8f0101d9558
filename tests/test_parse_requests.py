"""Requests in plain words, in seven languages: alone they are commands, in a story proposals."""

from __future__ import annotations

from datetime import date

import pytest

from circle.parsing.commands import command_string
from circle.parsing.requests import find_request
from circle.parsing.when import find_until, resolve_until

TODAY = date(2026, 11, 10)

ALONE = [
    # pause until a date / this month
    ("Hi Maya,\n\nCould you please pause my emails until March? Thanks!\n\nLea",
     "PAUSE UNTIL 1 March"),
    ("Hallo,\nbitte pausiert meine Mails bis zum 1. März.\nLiebe Grüße\nJonas",
     "PAUSE UNTIL 1 March"),
    ("Bonjour,\nPouvez-vous mettre mes courriels en pause jusqu'à fin de mars ?\nMerci\nClaire",
     "PAUSE UNTIL 1 April"),
    ("Hola, por favor poned en pausa mis correos hasta el 3 de enero. Gracias, Lucía",
     "PAUSE UNTIL 3 January"),
    ("Hoi, kunnen jullie mijn mail pauzeren tot 15 januari? Groetjes, Sanne",
     "PAUSE UNTIL 15 January"),
    ("Olá, podem pausar os meus emails até 3 de fevereiro? Obrigada, Rita",
     "PAUSE UNTIL 3 February"),
    ("Ciao, per favore mettete in pausa le mie mail fino al 3 gennaio. Grazie, Marco",
     "PAUSE UNTIL 3 January"),
    ("Please pause my mail for this month.", "PAUSE UNTIL this month"),
    ("Please put my circle mail on hold for a while.", "PAUSE"),
    # pass this round
    ("I'll skip this month, sorry! Ana", "PASS"),
    ("Diesen Monat setze ich aus.\nJonas", "PASS"),
    ("Bonjour, je passe mon tour ce mois-ci. Claire", "PASS"),
    ("Hola, paso este mes. Un abrazo, Lucía", "PASS"),
    ("Hoi, ik sla deze maand over. Groetjes, Sanne", "PASS"),
    ("Olá, vou passar este mês. Beijos, Rita", "PASS"),
    ("Ciao, salto questo mese. Un abbraccio, Marco", "PASS"),
    # stop / leave
    ("Please take me off the list. Thank you.", "STOP"),
    ("Bitte meldet mich ab. Danke, Jonas", "STOP"),
    ("Je voudrais me désinscrire, merci.", "STOP"),
    ("Quiero darme de baja, gracias.", "STOP"),
    ("Graag afmelden. Groeten, Sanne", "STOP"),
    ("Não quero mais receber estes emails. Obrigada.", "STOP"),
    ("Vorrei disiscrivermi. Grazie.", "STOP"),
    # resume
    ("Hi! Please send me the emails again, I'm back.", "RESUME"),
    ("Hallo, ihr könnt mir wieder Mails schicken. LG Jonas", "RESUME"),
    ("Bonjour, vous pouvez reprendre les envois. Merci !", "RESUME"),
    ("Hola, quiero volver a recibir los correos.", "RESUME"),
    ("Hoi, stuur me maar weer mails. Sanne", "RESUME"),
    ("Olá, quero voltar a receber os emails.", "RESUME"),
    ("Ciao, vorrei ricominciare a ricevere le mail.", "RESUME"),
    # anonymous / private
    ("Please share my last story without my name.", "ANONYMOUS"),
    ("Bitte meine Geschichte anonym teilen.", "ANONYMOUS"),
    ("Merci de publier mon histoire sans mon nom.", "ANONYMOUS"),
    ("Por favor, que mi historia sea anónima.", "ANONYMOUS"),
    ("Graag anoniem delen.", "ANONYMOUS"),
    ("Por favor, publiquem a minha história sem o meu nome.", "ANONYMOUS"),
    ("Per favore pubblicate la mia storia in forma anonima.", "ANONYMOUS"),
    ("Actually, please don't share my story, it is only for you.", "PRIVATE"),
    ("Bitte nicht teilen, das ist nur für dich.", "PRIVATE"),
    ("Merci de ne pas la publier, c'est seulement pour toi.", "PRIVATE"),
    ("Por favor no lo compartas, es solo para ti.", "PRIVATE"),
    ("Alsjeblieft niet delen, dit is alleen voor jou.", "PRIVATE"),
    ("Por favor não compartilhe, é só para você.", "PRIVATE"),
    ("Per favore non pubblicate, è solo per te.", "PRIVATE"),
    # thank someone by name
    ("Please thank Ana for hosting, it meant a lot.", "THANKS Ana: for hosting, it meant a lot"),
    ("Bitte danke Jonas für die schöne Frage!", "THANKS Jonas: für die schöne Frage"),
    ("Merci à Claire pour la belle soirée.", "THANKS Claire: pour la belle soirée"),
    ("Gracias a Lucía por la pregunta.", "THANKS Lucía: por la pregunta"),
    ("Bedank Sanne voor het mooie gesprek.", "THANKS Sanne: voor het mooie gesprek"),
    ("Obrigada à Rita pela conversa.", "THANKS Rita: pela conversa"),
    ("Grazie a Marco per la domanda.", "THANKS Marco: per la domanda"),
]

STORY = ("When I started teaching I froze in front of the class, and a student quietly handed "
         "me the chalk. I still think about that small gesture every single week.")


@pytest.mark.parametrize(("text", "expected"), ALONE, ids=[e for _, e in ALONE])
def test_a_request_alone_is_its_command(text: str, expected: str) -> None:
    request = find_request(text)
    assert request is not None and request.alone
    assert command_string(request.command) == expected


@pytest.mark.parametrize(("asked", "expected"), [
    ("Please keep this anonymous.", "ANONYMOUS"),
    ("Bitte nur für dich, nicht teilen.", "PRIVATE"),
    ("PS: je passe mon tour le mois prochain ? Non: je passe mon tour ce mois-ci.", "PASS"),
])
def test_a_request_with_a_story_is_only_proposed(asked: str, expected: str) -> None:
    found = find_request(f"{asked}\n\n{STORY}")
    assert found is not None and not found.alone
    assert command_string(found.command) == expected


@pytest.mark.parametrize("text", [
    STORY,
    "The silence was a pause I needed. We sat for ten minutes and nobody spoke, and then the "
    "youngest said the wisest thing of the evening.",
    "Thanks, Alex",
    "I may be late to the gathering.",
    "Yes!",
    "My mentor once told me to stop and listen. I did, and it changed how I run meetings.",
])
def test_stories_hold_no_request(text: str) -> None:
    assert find_request(text) is None


@pytest.mark.parametrize(("phrase", "expected"), [
    ("March", date(2027, 3, 1)),
    ("3 January", date(2027, 1, 3)),
    ("1. März", date(2027, 3, 1)),
    ("fin de mars", date(2027, 4, 1)),
    ("end of November", date(2026, 12, 1)),
    ("this month", date(2026, 12, 1)),
    ("diesen Monat", date(2026, 12, 1)),
    ("3 de enero", date(2027, 1, 3)),
    ("15 januari", date(2027, 1, 15)),
    ("3 gennaio", date(2027, 1, 3)),
    ("December 3rd", date(2026, 12, 3)),
    ("November", date(2027, 11, 1)),  # the next November 1st: this one has passed
    ("2027-02-01", date(2027, 2, 1)),
])
def test_dates_in_the_members_words_are_the_next_such_day(phrase: str, expected: date) -> None:
    assert resolve_until(phrase, TODAY) == expected


def test_a_month_name_alone_is_a_date_only_after_until() -> None:
    assert find_until("I may be back soon") == ""
    assert find_until("pause until May") == "May"


@pytest.mark.parametrize("text", [
    "I'll pass this on to my colleagues. Lovely question!",
    "Please don't stop sending these, they are wonderful.",
    "I do not want to stop the emails, I just read them late.",
    "I'm back in the classroom after my leave.",
    "Resume: I spent the month listening.",
    "My anonymous donor changed my life.",
    "Don't share my lunch, said the boy. We laughed for days.",
    "Thanks to Maya's question I finally called my brother.",
    "I can't remember when I last paused, but this month I did.",
    "Ich will auf keinen Fall aussetzen, ich liebe diese Fragen.",
])
def test_short_stories_that_use_request_words_are_no_request(text: str) -> None:
    """Safe by construction: negated, past-tense, 'because of' and story uses of the words."""
    found = find_request(text)
    assert found is None or found.command.name == "THANKS" and not found.alone, found


@pytest.mark.parametrize(("text", "expected"), [
    ("I'll pass this time.", "PASS"),
    ("Could you keep my emails paused until March?", "PAUSE UNTIL 1 March"),
    ("Bitte keine Mails mehr über die Feiertage.", "PAUSE"),  # for a while: a pause, not STOP
    ("Please stop sending me emails for now.", "PAUSE"),
    ("Please stop sending me emails.", "STOP"),
    ("Don't publish my name please.", "ANONYMOUS"),
    ("Could you pause my emails for two months?", "PAUSE UNTIL for two months"),
    ("Pausiert mich bitte für drei Wochen.", "PAUSE UNTIL für drei Wochen"),
    ("Pouvez-vous suspendre mes mails pendant deux mois ?", "PAUSE UNTIL pendant deux mois"),
    ("¿Podéis pausar mis correos por dos meses?", "PAUSE UNTIL por dos meses"),
    ("Kunnen jullie mijn mails pauzeren voor 6 weken?", "PAUSE UNTIL voor 6 weken"),
    ("Podem pausar os meus e-mails por dois meses?", "PAUSE UNTIL por dois meses"),
    ("Potete sospendere le mie email per due mesi?", "PAUSE UNTIL per due mesi"),
])
def test_requests_that_must_still_be_read(text: str, expected: str) -> None:
    found = find_request(text)
    assert found is not None and found.alone
    assert command_string(found.command) == expected


@pytest.mark.parametrize(("phrase", "expected"), [
    ("for two months", date(2027, 1, 10)),
    ("für drei Wochen", date(2026, 12, 1)),
    ("pendant deux mois", date(2027, 1, 10)),
    ("voor 6 weken", date(2026, 12, 22)),
    ("per due mesi", date(2027, 1, 10)),
])
def test_a_span_counts_from_today(phrase: str, expected: date) -> None:
    assert resolve_until(phrase, TODAY) == expected


def test_a_span_ends_on_the_months_last_day_when_shorter() -> None:
    assert resolve_until("for one month", date(2027, 1, 31)) == date(2027, 2, 28)
    assert find_until("pause me for 40 months") == ""  # beyond a year: no date read


@pytest.mark.parametrize("text", [
    "Take me off? Never! I love this circle.",
    "Mich abmelden? Niemals! Diese Fragen tun mir gut.",
    "Me désinscrire ? Jamais ! Ce cercle me fait du bien.",
])
def test_a_request_asked_and_refused_at_once_is_rhetorical(text: str) -> None:
    assert find_request(text) is None


MORE_WAYS = [
    ("Can I sit this one out? Work is mad.", "PASS"),
    ("Count me out this month please.", "PASS"),
    ("I won't be able to contribute this month.", "PASS"),
    ("Nothing from me this month, sorry!", "PASS"),
    ("Ich möchte diesen Monat aussetzen.", "PASS"),
    ("Diesmal bin ich nicht dabei.", "PASS"),
    ("Ce mois-ci je ne participe pas.", "PASS"),
    ("Je saute ce mois-ci.", "PASS"),
    ("Este mes no participo.", "PASS"),
    ("Deze keer doe ik niet mee.", "PASS"),
    ("Este mês eu passo.", "PASS"),
    ("Questo mese non partecipo.", "PASS"),
    ("Please unsubscribe me.", "STOP"),
    ("I'd like to leave the circle.", "STOP"),
    ("Ich möchte aus dem Kreis austreten.", "STOP"),
    ("Je souhaite quitter le cercle.", "STOP"),
    ("Quiero salir del círculo.", "STOP"),
    ("Ik wil uit de kring stappen.", "STOP"),
    ("Quero sair do círculo.", "STOP"),
    ("Vorrei uscire dal cerchio.", "STOP"),
    ("Toglietemi dalla lista, grazie.", "STOP"),
    ("Merci de ne plus m’envoyer de mails.", "STOP"),
    ("I'm back! Please start sending me the questions again.", "RESUME"),
    ("Ihr könnt mich wieder in den Verteiler aufnehmen.", "RESUME"),
    ("Vous pouvez reprendre les envois.", "RESUME"),
    ("Ya podéis mandarme los correos otra vez.", "RESUME"),
    ("Podem voltar a enviar-me os e-mails.", "RESUME"),
    ("Potete riprendere a inviarmi le email.", "RESUME"),
    ("Bitte pausiert mich bis zum 15. Januar.", "PAUSE UNTIL 15 January"),
    ("Mettez-moi en pause jusqu'en février.", "PAUSE UNTIL 1 February"),
    ("Pausad mis correos hasta marzo, por favor.", "PAUSE UNTIL 1 March"),
    ("Zet mijn mails even stil tot februari.", "PAUSE UNTIL 1 February"),
    ("Mettete in pausa le mie email fino al 10 gennaio.", "PAUSE UNTIL 10 January"),
    ("Could you hold my emails until after Christmas?", "PAUSE"),
    ("Please don't use my name.", "ANONYMOUS"),
    ("Bitte ohne Namen veröffentlichen.", "ANONYMOUS"),
    ("Publiez-le sans mon nom, merci.", "ANONYMOUS"),
    ("Esto es solo para ti, no lo compartas.", "PRIVATE"),
    ("Dit is alleen voor jou, niet delen aub.", "PRIVATE"),
    ("Questo è solo per te, non condividerlo.", "PRIVATE"),
    ("Please thank Ana for her story about the chalk.", "THANKS"),
    ("Merci à Ana pour son histoire.", "THANKS"),
    ("Dank aan Ana voor haar verhaal!", "THANKS"),
    ("Obrigada à Ana pela história.", "THANKS"),
    ("Grazie a Ana per la sua storia.", "THANKS"),
    ("Gracias a Ana por su historia.", "THANKS"),
]


@pytest.mark.parametrize(("text", "expected"), MORE_WAYS, ids=[t[:30] for t, _ in MORE_WAYS])
def test_more_ways_members_ask(text: str, expected: str) -> None:
    """Sitting out a round ('this month' + 'won't contribute' in one sentence, any order),
    leaving, coming back, pausing, visibility and thanks, as members of seven languages word
    them; alone, each is the command."""
    found = find_request(text)
    assert found is not None and found.alone
    assert command_string(found.command).startswith(expected)


@pytest.mark.parametrize("text", [
    "This time I won't write much: silence is a gift.",
    "This month I could not take part in the choir, and the silence at home was loud.",
    "I can't join the gathering this month but here is my story: the snow made it quiet.",
])
def test_a_round_mentioned_in_a_story_is_no_pass(text: str) -> None:
    assert find_request(text) is None


def test_a_long_thank_you_beside_a_request_is_no_story() -> None:
    text = ("Thank you so much for all you do, it's been a lovely year of stories!\n\n"
            "Please take me off the list.\n\nAna")
    found = find_request(text)
    assert found is not None and found.alone and found.command.name == "STOP"


def test_a_story_after_thanking_a_member_is_no_thanks_alone() -> None:
    found = find_request("Thank you Maya for hosting! My grandmother never raised her voice, "
                         "and when we fought she went quiet.")
    assert found is not None and found.command.name == "THANKS" and not found.alone


def test_a_request_in_a_new_messages_subject() -> None:
    from circle.parsing.requests import find_request_with_subject as find

    alone = find("Pause until March please", "Thanks,\nAna")
    assert alone is not None and alone.alone and command_string(alone.command) == (
        "PAUSE UNTIL 1 March")
    proposed = find("Bitte anonym", STORY)
    assert proposed is not None and not proposed.alone and proposed.command.name == "ANONYMOUS"
    assert find("Re: What made you pause this year?", "Thanks,\nAna") is None  # our subject
    assert find("Silence", STORY) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Please put me on pause for now.", "PAUSE"),
    ("Ich brauche eine Pause von den Mails bis März.", "PAUSE UNTIL 1 March"),
    ("I need a pause from the emails until spring.", "PAUSE"),
    ("Could we pause the emails?", "PAUSE"),
])
def test_pause_as_a_noun_or_verb_of_the_mail(text: str, expected: str) -> None:
    found = find_request(text)
    assert found is not None and command_string(found.command) == expected


@pytest.mark.parametrize("text", [
    "After a pause I said: thank you all.",
    "Le silence m’a appris à ne pas combler chaque pause pendant mes cours.",
])
def test_a_pause_in_a_story_is_no_request(text: str) -> None:
    assert find_request(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Preferirei che restasse privata, solo per la steward.", "PRIVATE"),
    ("Preferiría que quedara privada.", "PRIVATE"),
    ("Prefiro que fique privada.", "PRIVATE"),
    ("Ik wil liever dat het privé blijft.", "PRIVATE"),
    ("Am liebsten nur für die Steward.", "PRIVATE"),
    ("I'd rather it stayed private.", "PRIVATE"),
    ("Potete mettermi in pausa fino a fine gennaio?", "PAUSE UNTIL 1 February"),
    ("¿Podéis ponerme en pausa hasta finales de enero?", "PAUSE UNTIL 1 February"),
    ("Please unsubscribe me.", "STOP"),
    ("I want to unsubscribe.", "STOP"),
    ("Unsubscribe please", "STOP"),
    ("I'm back in!", "RESUME"),
    ("Please resume my emails.", "RESUME"),
])
def test_requests_the_member_makes_for_themselves(text: str, expected: str) -> None:
    found = find_request(text)
    assert found is not None and command_string(found.command) == expected


@pytest.mark.parametrize("text", [
    "The unsubscribe link in the footer template is broken.",
    "Unsubscribe rates went up 3% after we changed the subject line.",
    "Let's resume the discussion on Monday.",
    "The reset link worked, I'm back in.",
    "The garden stays private.",
])
def test_nouns_and_third_party_subjects_are_no_request(text: str) -> None:
    assert find_request(text) is None


def test_a_private_wish_beside_a_story_is_proposed_and_the_story_kept() -> None:
    from pathlib import Path

    from circle.parsing import parse_message

    eml = Path(__file__).parent / "fixtures" / "mail" / "request_it_gmail_privata_solo_steward.eml"
    msg = parse_message(eml.read_bytes())
    assert msg.kind.value == "reply"
    assert "Mia madre è mancata a ottobre." in msg.text
    found = find_request(msg.text)
    assert found is not None and found.command.name == "PRIVATE" and not found.alone


def test_a_story_using_unsubscribe_and_resume_as_nouns_is_kept_whole() -> None:
    from pathlib import Path

    from circle.parsing import parse_message

    eml = Path(__file__).parent / "fixtures" / "mail" / "story_en_gmail_unsubscribe_link_broken.eml"
    msg = parse_message(eml.read_bytes())
    assert msg.kind.value == "reply" and msg.command is None
    assert "The unsubscribe link in the footer template is broken" in msg.text
    assert "Let's resume the discussion on Monday" in msg.text


@pytest.mark.parametrize("text", [
    "Der Abmelden-Link funktioniert nicht.",
    "Le lien de désinscription est cassé.",
    "Il link per disiscriversi non funziona.",
    "O link de descadastro está quebrado.",
    "De afmelden-knop werkt niet.",
    "Our team decided to opt out of the survey.",
])
def test_a_stop_word_naming_a_link_or_a_third_party_is_no_stop(text: str) -> None:
    assert find_request(text) is None


@pytest.mark.parametrize("text", [
    "The unsubscribe link is broken, so please unsubscribe me.",
    "I want to opt out.",
    "Please opt me out.",
    "Désinscription svp.",
])
def test_the_member_asking_to_leave_is_still_a_stop(text: str) -> None:
    found = find_request(text)
    assert found is not None and found.command.name == "STOP"

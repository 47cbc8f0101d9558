"""Every promise a plain-words confirmation makes is what the circle then does.

Each request kind, written in a member's own words in one of the languages the reader knows,
is sent alone (a verified reply): the confirmation repeats the member's words, says what was
understood and how to undo it, and the store shows exactly that. The undo it names works.
With a story, the same words are only proposed to the steward and nothing is applied.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from circle.app.ingest import InboundMail, ingest_batch
from circle.model import Appreciation, Member, MemberStatus, Notice, Round, Story, Visibility
from data.store import TinyStore
from tests.mailin_support import NOW, ROUND, SECRET, make_config, raw, seed, to_token
from tests.mailin_support import story as seeded_story

STORY = ("Quando perdi o meu pai voltei à escola uma semana depois. Os alunos não disseram "
         "nada, mas cada um deixou um bilhete na minha secretária. Nunca esquecerei esse "
         "silêncio cheio de atenção.")


@pytest.fixture
def store(tmp_path: Path) -> TinyStore:
    s = TinyStore(tmp_path / "data")
    seed(s, [seeded_story("s-ana1", "ana")])
    return s


def _send(store: TinyStore, body: str, mid: str) -> None:
    data = raw("ana@example.org", to_token("ana"), body=body, mid=mid)
    ingest_batch(store, [InboundMail(data, hashlib.sha256(data).hexdigest(), uid=1)],
                 config=make_config(), secret=SECRET, now=NOW)


def _confirmation(store: TinyStore) -> Notice:
    (notice,) = [n for n in store.all(Notice) if n.kind == "confirmation"]
    return notice


# (the member's body, the date words quoted back, the day mail resumes, or None: no date)
PAUSES = [
    ("Hi Maya,\n\nCould you pause my emails until 3 January?\n\nThanks,\nAna",
     "until 3 January", date(2027, 1, 3)),
    ("Hallo,\nbitte pausiert meine Mails bis Ende Januar.\nViele Grüße\nAna",
     "bis Ende Januar", date(2027, 2, 1)),
    ("Bonjour,\nPourriez-vous suspendre mes messages jusqu'au 15 janvier ?\nAna",
     "jusqu'au 15 janvier", date(2027, 1, 15)),
    ("Hola:\n¿Podrías pausar mis correos hasta el 15 de enero?\nUn abrazo,\nAna",
     "hasta el 15 de enero", date(2027, 1, 15)),
    ("Hoi,\nWil je mijn mails pauzeren tot 1 maart?\nGroetjes,\nAna",
     "tot 1 maart", date(2027, 3, 1)),
    ("Olá,\nPodem pausar os meus e-mails até março?\nBeijinhos,\nAna",
     "até março", date(2027, 3, 1)),
    ("Ciao,\npotete sospendere le mie email fino a marzo?\nAna",
     "fino a marzo", date(2027, 3, 1)),
    ("Can you pause my emails for the rest of this month? Thanks, Ana",
     "the rest of this month", date(2026, 12, 1)),
    ("Could you pause my emails for two months? Thanks, Ana",
     "for two months", date(2027, 1, 10)),
    ("Pausiert mich bitte für drei Wochen.\nAna", "für drei Wochen", date(2026, 12, 1)),
    ("Bitte keine Mails mehr über die Feiertage.\nAna", "", None),  # a pause, not a STOP
]


@pytest.mark.parametrize(("body", "words", "day"), PAUSES, ids=[w or b[:20] for b, w, _ in PAUSES])
def test_a_pause_until_a_date_in_words_is_the_pause_confirmed(store, body, words, day) -> None:
    _send(store, body, "p@ana")
    ana = store.get(Member, "ana")
    assert ana.status == MemberStatus.PAUSED and ana.paused_until == day
    notice = _confirmation(store)
    assert notice.command == (f"PAUSE UNTIL {day.isoformat()}" if day else "PAUSE")
    assert words in notice.detail and (day is None or day.isoformat() in notice.detail)
    assert "To undo it, reply RESUME." in notice.detail
    _send(store, "RESUME", "r@ana")  # the undo the confirmation names
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE


@pytest.mark.parametrize("body", [
    "Hallo Maya,\n\ndiesen Monat muss ich leider aussetzen.\n\nLiebe Grüße\nAna",
    "Hallo,\n\nDeze maand sla ik over, het is te druk.\n\nMet vriendelijke groet,\nAna",
    "Buongiorno,\n\nquesto mese salto il turno, scusate.\n\nAna",
    "Je passe mon tour ce mois-ci, désolée !\n\nAna",
])
def test_a_pass_in_words_passes_this_round_only(store, body) -> None:
    _send(store, body, "s@ana")
    assert store.get(Round, ROUND).passes == ["ana"]
    assert store.get(Member, "ana").status == MemberStatus.ACTIVE
    notice = _confirmation(store)
    assert notice.command == "PASS" and "just send your story" in notice.detail


@pytest.mark.parametrize("body", [
    "Bitte meldet mich vom Kreis ab. Danke für alles!\n\nAna",
    "Buenos días:\n\nPor favor, denme de baja del círculo. Gracias por todo.\n\nAna",
    "Bom dia,\n\nGostaria de sair do círculo. Obrigada por tudo!\n\nAna",
])
def test_a_stop_in_words_takes_the_member_off(store, body) -> None:
    _send(store, body, "x@ana")
    assert store.get(Member, "ana").status == MemberStatus.LEFT
    notice = _confirmation(store)
    assert notice.command == "STOP" and "write to the steward" in notice.detail


@pytest.mark.parametrize("body", [
    "Hola, ya estoy de vuelta. ¿Me podéis volver a enviar los correos?\n\nAna",
    "Sono tornata! Potete ricominciare a mandarmi le email?",
    "Hallo,\n\nich bin wieder da, ihr könnt mir ab sofort wieder Mails schicken.\n\nLG Ana",
])
def test_a_resume_in_words_sends_mail_again(store, body) -> None:
    store.put(replace(store.get(Member, "ana"), status=MemberStatus.PAUSED,
                      paused_until=date(2027, 3, 1)))
    _send(store, body, "u@ana")
    ana = store.get(Member, "ana")
    assert ana.status == MemberStatus.ACTIVE and ana.paused_until is None
    notice = _confirmation(store)
    assert notice.command == "RESUME" and "To undo it, reply PAUSE." in notice.detail


def test_a_thanks_in_words_becomes_the_appreciation_confirmed(store) -> None:
    _send(store, "Danke an Cleo für die schöne Runde letzten Monat!\n\nGruß\nAna", "t@ana")
    (thanks,) = store.all(Appreciation)
    assert thanks.to_member_id == "cleo"
    assert "für die schöne Runde letzten Monat" in thanks.text
    notice = _confirmation(store)
    assert notice.command.startswith("THANKS Cleo:") and "take it out of the digest" in (
        notice.detail)
    assert [s.id for s in store.all(Story)] == ["s-ana1"]  # no story was made of it


@pytest.mark.parametrize(("words", "command"), [
    ("Isto é só para você, não publique.", "PRIVATE"),
    ("Publicadla sin mi nombre, por favor.", "ANONYMOUS"),
    ("Graag anoniem plaatsen.", "ANONYMOUS"),
    ("Per favore tienilo tra noi.", "PRIVATE"),
    ("Also, please pause my mail until March.", "PAUSE UNTIL 1 March"),
])
def test_with_a_story_the_request_is_proposed_and_nothing_applied(store, words, command
                                                                  ) -> None:
    body = f"{STORY}\n\n{words}\n\nAna"
    _send(store, body, "w@ana")
    (st,) = [s for s in store.all(Story) if s.id != "s-ana1"]
    assert st.text == body and st.visibility == Visibility.CIRCLE
    assert st.suggested_command == command
    assert st.suggested_words == words
    ana = store.get(Member, "ana")
    assert ana.status == MemberStatus.ACTIVE
    assert [n.kind for n in store.all(Notice)] == ["receipt"]


@pytest.mark.parametrize(("body", "command"), [("Ja, gerne!", "HOST YES"),
                                               ("Nein, leider nicht.", "HOST NO")])
def test_a_worded_answer_to_the_host_invitation_is_the_host_answer(store, body, command
                                                                   ) -> None:
    from circle.model import HostState, OutboxItem
    from circle.outbox import item_id
    from tests.mailin_support import our_mid

    mid = our_mid("ana", unique="invitation")
    store.put(OutboxItem(id=item_id("invitation", ROUND, "ana", mid), message_id=mid,
                         kind="invitation", recipient="ana@example.org", raw="(composed)",
                         created_at=NOW, round_id=ROUND, member_id="ana"))
    data = raw("ana@example.org", to_token("ana"), "Re: Would you host the December round?",
               body=body, mid="h@ana", in_reply_to=mid)
    report = ingest_batch(store, [InboundMail(data, hashlib.sha256(data).hexdigest(), uid=1)],
                          config=make_config(), secret=SECRET, now=NOW)
    assert report.stories == [] and report.commands == [command]
    rnd = store.get(Round, ROUND)
    assert (rnd.host_state == HostState.ACCEPTED) == (command == "HOST YES")

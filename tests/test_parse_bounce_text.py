"""Bounces without a DSN status: permanent or temporary from the notice's own words, and the
failed recipients from the report — never the returned message's To/Cc or its List-* headers."""

from pathlib import Path

import pytest

from circle.parsing import parse_message
from circle.parsing.bounce import _permanent

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
# fixture: (failed recipients, permanent?); each returns our message with other addresses
# (Cc, Reply-To, List-Id, List-Unsubscribe, help addresses) that must not be taken.
NOTICES = {
    "bounce_qmail_no_mailbox_returned_cc": (("hanna.berg@kabelnet.example",), True),
    "bounce_exim_delay_mailbox_full": (("rob.tanner@hostinghub.example",), False),
    "bounce_postfix_no_dsn_450_unavailable": (("greta.hof@dorfnetz.example",), False),
    "bounce_exchange_ndr_text_not_found": (("d.osei@contoso-schools.example",), True),
    "bounce_de_benutzer_unbekannt_provider": (("jens.ott@heimnetz.example",), True),
    "bounce_fr_adresse_inconnue": (("louise.ferrand@villages.example",), True),
    "bounce_es_buzon_lleno_temporal": (("pilar.soto@pueblo.example",), False),
    "bounce_list_not_a_member": (("parents-list@lists.school.example",), True),
}


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_a_free_text_notice_names_its_recipient_and_how_long(name: str) -> None:
    msg = parse_message((FIXTURES / f"{name}.eml").read_bytes())
    assert msg.kind.value == "bounce" and msg.bounce is not None
    assert (msg.bounce.recipients, msg.bounce.permanent) == NOTICES[name]


PERMANENT = [
    "This is a permanent error; I've given up.\n\n<ana@example.org>:\nSorry, no mailbox here by that name.",
    "The e-mail address you entered couldn't be found.",
    "Ihre Nachricht konnte nicht zugestellt werden.\n\nana@example.de: Benutzer unbekannt",
    "Votre message n'a pas pu être remis.\n\nana@example.fr : adresse inconnue",
    "No se ha podido entregar el mensaje.\n\nana@example.es: usuario desconocido",
    "<ana@example.org>: host mx.example.org said: 550 Requested action not taken: mailbox "
    "unavailable (in reply to RCPT TO command)",
    "While talking to smtp.example.com:\n<<< 550 <ana@example.org>... User unknown\n"
    "421 example.org (smtp)... Deferred: Connection timed out",  # the user is unknown
    "ana@example.org: 550 No such user here",
    "Delivery to the following recipient failed permanently:\n\n  ana@example.org\n\n"
    "Technical details of permanent failure:\nStorage quota exceeded",  # the server says so
]
TEMPORARY = [
    "Your message to ana@example.org was deferred: the recipient's mailbox is over quota.",
    "Delivery to the following recipient has been delayed:\n\n    ana@example.org",
    "<ana@example.org>: host mx.example.org said: 450\n    Requested mail action not taken: "
    "mailbox unavailable (in reply to RCPT TO command)",
    "Die Nachricht konnte nicht zugestellt werden: Postfach voll.",
    "Le message n'a pas pu être remis: boîte aux lettres pleine. Nouvelle tentative plus tard.",
    "El mensaje no pudo ser entregado: buzón lleno. Se volverá a intentar más tarde.",
    "Remote host said: 421 Service not available, try again later",
]


@pytest.mark.parametrize("text", PERMANENT)
def test_permanent_from_the_words(text: str) -> None:
    assert _permanent([], text) == (True, "")


@pytest.mark.parametrize("text", TEMPORARY)
def test_temporary_from_the_words(text: str) -> None:
    assert _permanent([], text) == (False, "")

"""The plain-words fixtures (tests/fixtures/mail/words_*): what each story proposes.

`test_parse_fixtures.py` checks each fixture's kind, text and applied command; a story that
carries a request is a REPLY whose request is only proposed to the steward, which the JSON
does not show. This table says, for every words_* fixture, what the parser proposes (None
when nothing is) — so a story opening with "Stop." or "Pause" proposes nothing, and a
request alone is never a proposal (it is the command).
"""

from pathlib import Path

import pytest

from circle.parsing import parse_message

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
PROPOSED = {
    "words_en_thunderbird_story_then_pause": "PAUSE_UNTIL",
    "words_en_iphone_story_opening_with_thanks": "THANKS",
    "words_en_outlook_story_private": "PRIVATE",
    "words_en_gmail_story_without_my_name": "ANONYMOUS",
    "words_de_gmail_story_ohne_namen": "ANONYMOUS",
    "words_fr_thunderbird_story_entre_nous": "PRIVATE",
    "words_fr_gmail_story_opening_merci": "THANKS",
    "words_es_iphone_story_sin_mi_nombre": "ANONYMOUS",
    "words_nl_iphone_story_anoniem": "ANONYMOUS",
    "words_pt_iphone_story_so_para_voce": "PRIVATE",
    "words_it_thunderbird_story_tra_noi": "PRIVATE",
    "words_de_gmail_story_with_request_in_the_subject": "ANONYMOUS",
}
CASES = sorted(FIXTURES.glob("words_*.eml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_what_a_words_fixture_proposes(path: Path) -> None:
    msg = parse_message(path.read_bytes())
    request = msg.request
    proposed = request.command.name if request is not None and not request.alone else None
    assert proposed == PROPOSED.get(path.stem)
    if proposed is not None:
        assert msg.kind.value == "reply" and msg.command is None


def test_the_table_names_only_fixtures_that_exist() -> None:
    assert {p.stem for p in CASES} >= set(PROPOSED)

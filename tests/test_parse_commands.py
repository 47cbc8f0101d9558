"""Email commands from the subject or the first line; stories are never mistaken for them."""

import pytest

from circle.parsing.commands import command_string, find_command


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Re: April", "pause", "PAUSE"),
        ("Re: April", "Pause until 2026-12-01", "PAUSE UNTIL 2026-12-01"),
        ("RE: AW: resume", "", "RESUME"),
        ("Re: April", "PASS.\n\nSorry, busy month.", "PASS"),
        ("Re: April", "stop", "STOP"),
        ("Re: Would you host?", "host yes", "HOST YES"),
        ("Re: Would you host?", "Host No", "HOST NO"),
        ("Re: Would you host?", "swap", "SWAP"),
        ("Re: Would you host?", "Yes!", "HOST YES"),
        ("Re: Would you host?", "not this time", "HOST NO"),
        ("Share", "", "SHARE"),
        ("Re: April", "anonymous", "ANONYMOUS"),
        ("Re: April", "PRIVATE", "PRIVATE"),
        ("Re: [circle] my stories", "", "MY STORIES"),
        ("help", "", "HELP"),
        ("Re: April", "Thanks Ana: your story moved me", "THANKS Ana: your story moved me"),
        ("Re: THANKS Ben: so kind", "", "THANKS Ben: so kind"),
    ],
)
def test_commands(subject: str, text: str, expected: str):
    command = find_command(subject, text)
    assert command is not None
    assert command_string(command) == expected


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Re: April", "Yes, I have a story about that."),
        ("Re: April", "Thanks, Alex"),
        ("Re: April", "Pause for a moment and think about it."),
        ("Re: April", "Stop signs everywhere.\nThat is my story."),
        ("Re: Help me think", "I needed help once."),
        ("Re: April", "Yes\n\n" + "A long story about hosting. " * 20),
        ("Re: April", ""),
        # a story whose first line is a command word stays a story
        ("Re: April question", "Stop.\n\nThat is what my mentor said when I rushed a launch. "
         "We sat down, listed what could go wrong, and found two problems before customers did."),
        ("Re: pause", "Pause\n\nLast spring I took a week off after the audit, and it changed how "
                      "I plan. I now book a quiet day after every big deadline, no meetings."),
        # a story that opens by thanking someone is not a thank-you note
        ("Re: April", "Thanks Ana: your story made me think.\n\n" + "When I started here I "
                      "never asked for help, and it cost me a whole quarter of rework. " * 4),
        # a one-word agreeing reply to the round's question is a story, not hosting
        ("Re: What did you learn from a mistake?", "Yes!"),
        ("Re: What did you learn from a mistake?", "Yes"),
    ],
)
def test_not_commands(subject: str, text: str):
    assert find_command(subject, text) is None


def test_yes_to_a_host_invitation_is_host_yes():
    command = find_command("Re: Would you host the May round of Circle?", "Yes!\n\nHappy to.")
    assert command is not None and command.name == "HOST_YES"


INVITATION = "Re: Would you host the December round?"


@pytest.mark.parametrize(("body", "expected"), [
    ("Yes, happy to!", "HOST_YES"), ("Ja, gerne!", "HOST_YES"), ("Oui, avec plaisir.", "HOST_YES"),
    ("Sí, claro.", "HOST_YES"), ("Sim, com prazer!", "HOST_YES"), ("Sure!", "HOST_YES"),
    ("No, sorry, not this time.", "HOST_NO"), ("Nein, leider nicht.", "HOST_NO"),
    ("Nee, helaas niet.", "HOST_NO"),
])
def test_a_worded_answer_to_a_host_invitation(body: str, expected: str) -> None:
    found = find_command(INVITATION, body)
    assert found is not None and found.name == expected
    assert find_command("Re: What did silence teach you?", body) is None  # to the question


@pytest.mark.parametrize("body", [
    "Yes, but could we swap?", "No idea what to say, but fine", "Yesterday I thought about it",
    "Nonetheless I will", "Sicher nicht", "Ja, aber erst im Februar.",
])
def test_a_hedged_or_other_first_line_is_no_host_answer(body: str) -> None:
    assert find_command(INVITATION, body) is None

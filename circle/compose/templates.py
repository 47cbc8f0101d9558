"""The default texts of every email, overridable by the steward one file per template.

A template is a subject line ("Subject: ...") then a blank line then the body. `$name`
placeholders are filled in once (string.Template): a member's words put into a placeholder are
never read as placeholders themselves. The steward's copies live in `<data_dir>/templates/`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from string import Template

DEFAULTS: dict[str, str] = {
    "invitation": """\
Subject: Would you host the $month round of $circle?

Dear $name,

Would you host the $month round of $circle? We gather on $gathering.

Just reply to this email with one of these words:

  HOST YES   I will host.
  SWAP       I would like to host another month instead.
  HOST NO    Not this month; please ask someone else.

(In reply to this email a plain YES or NO is understood too.)

$host_kit

With warmth,
$signature
""",
    "host_kit": """\
What hosting means
------------------
- You choose one open question for the month: something you are living
  with yourself. There is no right answer to it.
- Please send it to us by $question_due.
- On $question_date we send it to everyone in your name, with a few
  words of welcome from you if you like.
- At the gathering you open the circle and keep gentle time. The circle
  holds the rest, and the steward is there to help.

Past questions that drew many stories
-------------------------------------
$past_questions

How to send your question
-------------------------
Reply to this email: write your question on the first line, then a few
words of welcome below it if you like. Plain words are best.
""",
    "question": """\
Subject: $circle: $question_short

$welcome$question

Just reply to this email with your story: something that happened, what
you noticed, what you are still wondering about. A few lines are plenty.

We gather on $gathering.
Where: $place
The calendar invite is attached.

Warmly,
$host

--
$agreements
To pause, pass this month or leave, reply PAUSE, PASS or STOP.
Reply HELP for everything you can say to the circle.
""",
    "reminder": """\
Subject: A gentle reminder: $question_short

Dear $name,

This month's question is still open:

$question_quoted

If something comes to mind, just reply to this email. A few lines are
enough. If this month is not the one, reply PASS and we will not remind
you again.

We gather on $gathering.

Warmly,
$host, for $circle
""",
    "receipt": """\
Subject: Your story reached the circle

Dear $name,

Thank you. Your story reached the circle. The steward reads every story
before it is shared. Yours is for $digest.
Only members receive the digest.

If you would rather keep it between you and the steward, reply PRIVATE.
To share it without your name, reply ANONYMOUS.

Warmly,
$circle
""",
    "confirmation": """\
Subject: Done: $command

Dear $name,

We received your $command. $detail

If that is not what you meant, just reply to this email and the steward
will help.

Warmly,
$circle
""",
    "confirm_request": """\
Subject: Please confirm: $command

Dear $name,

We received "$command" from your address, but not as a reply to one of
the circle's emails, so we cannot be sure it came from you.

If it did, reply YES to this email and it will be done: $detail

If it did not, ignore this email. Nothing changes.

Warmly,
$circle
""",
    "refused": """\
Subject: We could not do $command

Dear $name,

We received your $command, but could not do it: $detail

Just reply to this email if you would like the steward to help.

Warmly,
$circle
""",
    "help": """\
Subject: What you can say to $circle

Dear $name,

To share a story, just reply to the month's question. You can also reply
to any email from the circle with one of these words on the first line:

  PAUSE                    no circle mail until you say RESUME
  PAUSE UNTIL 2027-01-31   no circle mail until that date
  RESUME                   start again
  PASS                     not this month (no reminder)
  STOP                     leave the circle
  HOST YES / HOST NO       answer an invitation to host
  SWAP                     host another month instead
  SHARE                    your last story may go in the digest with your name
  ANONYMOUS                ... without your name
  PRIVATE                  ... only the steward reads it
  THANKS Ana: your words   thank someone in the next digest
  MY STORIES               a list of what you have shared

Warmly,
$circle
""",
    "my_stories": """\
Subject: Your stories in $circle

Dear $name,

Here is what you have shared with the circle:

$stories

Reply PRIVATE or ANONYMOUS to change how your last story is shared, or
just reply to this email to ask the steward anything.

Warmly,
$circle
""",
    "digest": """\
Subject: $circle — $month: $question_short

$body
""",
    "digest_footer": """\
Our agreements
--------------
$agreements

This digest is for members of the circle only; please do not forward it.
To pause, reply PAUSE. To leave, reply STOP. Reply HELP for more.
""",
    "harvest_request": """\
Subject: What did the $month gathering harvest?

Dear $name,

$opening

What did the circle harvest at the gathering on $gathering? Notes, a
poem caught from the check-in, a few insights, a photo: whatever you
would like the circle to keep.

Just reply to this email. The steward reads it first; then it goes in
$digest, under "From our last gathering". If there is nothing to
harvest this time, there is no need to reply.

With thanks,
$signature
""",
    "year_digest": """\
Subject: $circle — a year in stories: $year

$body
""",
}
"""Every template Circle knows, by name."""

COMMON = frozenset({"name", "full_name", "circle", "signature"})
"""Placeholders every email template (not fragment) may use."""
FRAGMENTS = frozenset({"host_kit", "digest_footer"})
"""Templates that are parts of another email: no subject line."""

_PLACEHOLDER = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def placeholders(text: str) -> set[str]:
    """The `$names` a template uses."""
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


def check_template(name: str, text: str) -> list[str]:
    """Problems with a steward's template: unknown name, missing subject, unknown placeholders."""
    if name not in DEFAULTS:
        return [f"unknown template {name!r} (known: {', '.join(sorted(DEFAULTS))})"]
    problems = []
    if name not in FRAGMENTS and not text.startswith("Subject:"):
        problems.append(f"{name}: the first line must be 'Subject: ...'")
    known = placeholders(DEFAULTS[name]) | (COMMON if name not in FRAGMENTS else set())
    unknown = placeholders(text) - known
    if unknown:
        problems.append(f"{name}: unknown placeholders {', '.join(sorted(unknown))} (this "
                        f"template knows {', '.join(sorted(known))})")
    return problems


def template_text(name: str, overrides: Mapping[str, str] | None = None) -> str:
    """The steward's version of template `name` if there is a valid one, else the default."""
    text = (overrides or {}).get(name)
    if text is not None and not check_template(name, text):
        return text
    return DEFAULTS[name]


def render(name: str, values: Mapping[str, str],
           overrides: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(subject, body) of template `name` with `values` filled in once ("" subject: fragment)."""
    filled = Template(template_text(name, overrides)).safe_substitute(values)
    if name in FRAGMENTS:
        return "", filled.rstrip("\n")
    head, _, body = filled.partition("\n")
    subject = head.removeprefix("Subject:").strip()
    return subject, body.lstrip("\n")

"""The harvest: the email asking the host what a gathering harvested, and the digest section
"From our last gathering" that carries the approved harvest (pure: no I/O, no clock)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from circle.carrying import digest_month_of
from circle.compose.digest_data import DigestSection
from circle.compose.mails import MailSetting
from circle.compose.message import (
    Composed,
    finish,
    headers,
    member_token,
    mint_message_id,
    set_text,
)
from circle.compose.templates import render
from circle.compose.text import clean_line, long_date, month_name, when, wrap
from circle.model import Harvest, Member, Round, StoryState
from circle.text_safety import inert

HARVEST_PARENT = "harvest"
"""The reply token's parent on a harvest request: a verified reply to it is a harvest."""
HARVEST_TITLE = "From our last gathering"
HARVEST_KIND = "harvest"  # the outbox kind of the request


def harvest_id(gathering_round: str) -> str:
    """The id of the harvest of the gathering of round `gathering_round`."""
    return f"h-{gathering_round}"


def harvest_request(ms: MailSetting, member: Member, rnd: Round, host: Member | None,
                    carrier_id: str) -> Composed:
    """"What did the gathering harvest?" to the host, or the steward's copy (`member` is not
    the host). A reply carries the token (member, round, "harvest"). `carrier_id` is the
    round whose digest will carry the harvest (its month is named in the email)."""
    gathering = rnd.gathering.astimezone(ms.tz)
    is_host = host is not None and host.id == member.id
    if is_host:
        opening = f"Thank you for hosting the {month_name(gathering)} round."
    elif host is not None:
        opening = (f"A copy for you, the steward: we asked {clean_line(host.name)}, who "
                   "hosted, the same. Reply too if you like (both replies are kept), or type "
                   f"the harvest in Threads (key H) or with `circle harvest set {rnd.id}`.")
    else:
        opening = (f"You held the {month_name(gathering)} round yourself. Reply, or type the "
                   f"harvest in Threads (key H) or with `circle harvest set {rnd.id}`.")
    month = digest_month_of(carrier_id)
    values = {"circle": clean_line(ms.circle.name), "name": clean_line(member.name).split(" ")[0],
              "full_name": clean_line(member.name),
              "signature": ms.signature or clean_line(ms.circle.name),
              "month": month_name(gathering), "gathering": when(gathering),
              "opening": wrap(opening),
              "digest": f"the next digest (the {month} digest)" if month else "the next digest"}
    subject, body = render("harvest_request", values, ms.templates)
    token = member_token(ms.secret, member, rnd.id, HARVEST_PARENT)
    mid = mint_message_id(ms.circle, token, HARVEST_KIND, rnd.id, member.id)
    msg = headers(ms.circle, member, kind=HARVEST_KIND, round_id=rnd.id, token=token, mid=mid,
                  subject=subject, now=ms.now)
    set_text(msg, wrap(body))
    return finish(msg, HARVEST_KIND, rnd.id, member, mid)


def harvest_text(harvest: Harvest, rnd: Round | None, host_name: str, tz: tzinfo) -> str:
    """The words the digest shows for one approved harvest (member words made inert)."""
    lines = []
    if rnd is not None:
        gathering = rnd.gathering.astimezone(tz)
        by = f", hosted by {clean_line(host_name)}" if host_name else ""
        lines.append(f"What the circle harvested at the gathering on "
                     f"{long_date(gathering)}{by}:")
        lines.append("")
    lines.append(inert(harvest.text).strip())
    if harvest.attachments:
        names = ", ".join(clean_line(a, 80) for a in harvest.attachments)
        lines += ["", f"(With it came {names}; the steward keeps it for the circle: just ask.)"]
    return "\n".join(lines)


def harvest_sections(carrier: Round, harvests: Sequence[Harvest], rounds: Sequence[Round],
                     host_names: dict[str, str], tz: tzinfo) -> tuple[DigestSection, ...]:
    """The "From our last gathering" section of `carrier`'s digest: every approved harvest it
    carries (normally one: the previous gathering's), oldest gathering first."""
    by_id = {r.id: r for r in rounds}
    carried = sorted((h for h in harvests if h.round_id == carrier.id
                      and h.state == StoryState.APPROVED and h.text.strip()),
                     key=lambda h: h.gathering_round)
    if not carried:
        return ()
    text = "\n\n".join(harvest_text(h, by_id.get(h.gathering_round),
                                    host_names.get(h.gathering_round, ""), tz) for h in carried)
    return (DigestSection(title=HARVEST_TITLE, ident="harvest", text=text),)

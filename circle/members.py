"""Member use-cases: add with a unique id, find by id/name/address, validate addresses."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from circle.errors import CircleError, NotFoundError
from circle.model import Member

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def valid_email(address: str) -> bool:
    """A plain check that `address` looks like local@domain.tld (no display name, no spaces)."""
    return bool(_EMAIL.match(address))


def slugify(name: str) -> str:
    """A short ascii id from a name: "Ana María" -> "ana-maria"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "member"


def checked_name(name: str) -> str:
    """A member's name with its spaces tidied; refuses an empty one."""
    name = " ".join(name.split())
    if not name:
        raise CircleError("a member needs a name")
    return name


def checked_addresses(others: list[Member], email: str,
                      aliases: Iterable[str] = ()) -> tuple[str, list[str]]:
    """The main address and other addresses, lower-cased; refuses a malformed address or one
    that belongs to someone in `others`."""
    email = email.strip().lower()
    alias_list = [a.strip().lower() for a in aliases if a.strip()]
    for address in (email, *alias_list):
        if not valid_email(address):
            raise CircleError(f"{address!r} is not an email address (expected name@example.org)")
        owner = find_by_address(others, address)
        if owner is not None:
            raise CircleError(f"{address} already belongs to {owner.name} ({owner.id})")
    return email, alias_list


def new_member(existing: list[Member], name: str, email: str, joined: date, *,
               aliases: list[str] | None = None, can_host: bool = True,
               is_steward: bool = False) -> Member:
    """A new member with a unique id; refuses a bad or already-used address."""
    name = checked_name(name)
    email, alias_list = checked_addresses(existing, email, aliases or ())
    base = slugify(name)
    taken = {m.id for m in existing}
    member_id, n = base, 2
    while member_id in taken:
        member_id, n = f"{base}-{n}", n + 1
    return Member(id=member_id, name=name, email=email, joined=joined, aliases=alias_list,
                  can_host=can_host, is_steward=is_steward)


def find_by_address(members: list[Member], address: str) -> Member | None:
    """The member who writes from `address` (main address or alias), case-insensitive."""
    address = address.strip().lower()
    for member in members:
        if address in member.addresses():
            return member
    return None


def find_member(members: list[Member], ref: str) -> Member:
    """A member by id, email or (unique, case-insensitive) name; NotFoundError otherwise."""
    ref_l = ref.strip().lower()
    for member in members:
        if member.id == ref_l or ref_l in member.addresses():
            return member
    by_name = [m for m in members if m.name.lower() == ref_l]
    if not by_name:
        by_name = [m for m in members if m.name.lower().startswith(ref_l)]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        names = ", ".join(f"{m.name} ({m.id})" for m in by_name)
        raise NotFoundError(f"{ref!r} matches several members: {names}; use the id")
    raise NotFoundError(f"no member {ref!r}; `circle members list` shows who is in the circle")

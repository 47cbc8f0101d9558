"""Use-cases on members: add, edit, pause, resume, remove — each on the current record."""

from __future__ import annotations

from dataclasses import replace

from circle import transitions as t
from circle.app.apply import Outcome, Tx, use_case
from circle.app.intents import (
    AddMember,
    EditMember,
    PauseMember,
    RemoveMember,
    ResumeMember,
    SetHosting,
)
from circle.members import checked_addresses, checked_name, new_member
from circle.model import Member


@use_case(AddMember)
def add(tx: Tx, intent: AddMember) -> Outcome:
    """Someone new joins (unique id; an address already used is refused)."""
    member = new_member(tx.store.all(Member), intent.name, intent.email,
                        tx.now.date(), aliases=list(intent.aliases), can_host=intent.can_host,
                        is_steward=intent.is_steward)
    return Outcome([member], f"Welcome, {member.name}")


@use_case(EditMember)
def edit(tx: Tx, intent: EditMember) -> Outcome:
    """Change name, addresses, note; an address of another member is refused."""
    member = tx.need(Member, intent.member_id, "member")
    others = [m for m in tx.store.all(Member) if m.id != member.id]
    email, aliases = checked_addresses(others, intent.email, intent.aliases)
    name = checked_name(intent.name)
    return Outcome([replace(member, name=name, email=email, aliases=aliases,
                            note=intent.note)], "Saved")


@use_case(PauseMember)
def pause(tx: Tx, intent: PauseMember) -> Outcome:
    """Pause a member's mail (a member who left cannot be paused)."""
    member = tx.need(Member, intent.member_id, "member")
    new = t.pause(member, intent.until, today=tx.now.date())
    until = f" until {intent.until:%-d %B %Y}" if intent.until else ""
    return Outcome([new], f"{member.name} is paused{until}")


@use_case(ResumeMember)
def resume(tx: Tx, intent: ResumeMember) -> Outcome:
    """Resume a paused member (one who left — e.g. by STOP — is not resumed by the steward)."""
    member = tx.need(Member, intent.member_id, "member")
    return Outcome([t.resume(member)], f"{member.name} resumed")


@use_case(RemoveMember)
def remove(tx: Tx, intent: RemoveMember) -> Outcome:
    """The member leaves; their stories stay."""
    member = tx.need(Member, intent.member_id, "member")
    return Outcome([t.leave(member)], f"{member.name} has left")


@use_case(SetHosting)
def set_hosting(tx: Tx, intent: SetHosting) -> Outcome:
    """May host or not; rounds already accepted keep their host (swap or pick to change)."""
    member = tx.need(Member, intent.member_id, "member")
    words = "may be asked to host" if intent.can_host else "will not be asked to host"
    return Outcome([replace(member, can_host=intent.can_host)], f"{member.name} {words}")

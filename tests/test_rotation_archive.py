"""The host rotation sees archived rounds: who hosted a round still counts once it is archived.

Closed rounds move to the per-year archive; the planner read only hot rounds, so a member
who hosted last year looked as if they had never hosted and was asked again before members
who never had (found when the demo's invitation went to a different member than the one its
simulation expected, on the day its seeded history crossed into the archive). Real TinyDB
files on disk.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from circle.app.rounds import plan_due_mail, rotation_rounds
from circle.model import HostState, Member, Round, RoundState
from data.store import TinyStore
from tests.mailout_world import SECRET, make_config, seed

NOV = "2026-11"


def _invite(store: TinyStore) -> str:
    nov = store.get(Round, NOV)
    assert nov is not None
    store.put(replace(nov, host_id=None, host_state=HostState.UNASKED, hosts_asked=[]))
    items = plan_due_mail(store, nov.timeline["host_invite"], make_config(), SECRET)
    (invite,) = [i for i in items if i.kind == "invitation"]
    return invite.recipient


def _with_history(tmp_path: Path, name: str, host_email: str, *, archive: bool) -> TinyStore:
    store = seed(tmp_path / name, make_config())
    host = next(m for m in store.all(Member) if m.email == host_email)
    nov = store.get(Round, NOV)
    assert nov is not None
    old = Round(id="2025-06", gathering=nov.gathering - timedelta(days=500), host_id=host.id,
                host_state=HostState.ACCEPTED, state=RoundState.CLOSED)
    store.put(old)
    if archive:
        assert store.move_to_archive(2025, [old]) == 1
    return store


def test_a_member_who_hosted_an_archived_round_is_not_asked_before_those_who_never_hosted(
        tmp_path: Path) -> None:
    first = _invite(seed(tmp_path / "none", make_config()))  # nobody has hosted yet
    hot = _invite(_with_history(tmp_path, "hot", first, archive=False))
    archived = _invite(_with_history(tmp_path, "archived", first, archive=True))
    assert hot != first  # having hosted puts them at the back of the rotation ...
    assert archived == hot  # ... and still does once that round is archived


def test_rotation_rounds_holds_archived_and_hot_rounds_once(tmp_path: Path) -> None:
    store = _with_history(tmp_path, "d", "ana@example.org", archive=True)
    hot = store.all(Round)
    assert "2025-06" not in {r.id for r in hot}
    seen = [r.id for r in rotation_rounds(store)]
    assert sorted(seen) == sorted(["2025-06", *(r.id for r in hot)])

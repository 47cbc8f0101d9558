"""The repertoire screen and its search: every year, no cap, results open in Threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from circle.app.maintenance import archive_closed
from circle.app.repertoire_search import find, parse_query, themes
from circle.model import Member, Round, RoundState, Story, StoryState
from data.store import TinyStore
from tests.tui_support import FIXED, FixedClock, demo_config, seeded_store, settle
from tui.app import make_app
from tui.screens.repertoire import RepertoireScreen
from tui.screens.threads import ThreadsScreen


def _archived_demo(data_dir: Path) -> TinyStore:
    store = seeded_store(data_dir)
    archive_closed(store, FIXED)
    assert store.years() == [2026]
    return store


def ten_years(data_dir: Path) -> TinyStore:
    """120 closed rounds of 4 stories each, all archived; one needle in 2016."""
    store = TinyStore(data_dir)
    store.put_many([Member(id=f"m{i}", name=f"Member {i}", email=f"m{i}@example.org",
                           joined=datetime(2015, 1, 1).date()) for i in range(4)])
    records: list[object] = []
    for k in range(120):
        gathering = datetime(2016 + k // 12, k % 12 + 1, 20, 18, 0, tzinfo=UTC)
        rid = f"{gathering:%Y-%m}"
        records.append(Round(id=rid, gathering=gathering, question=f"Question {k}",
                             state=RoundState.CLOSED, host_id="m0"))
        for i in range(4):
            text = "the lantern by the river" if (k, i) == (0, 2) else f"story {k} {i} of care"
            records.append(Story(id=f"s-{rid}-{i}", round_id=rid, member_id=f"m{i}", text=text,
                                 received_at=gathering - timedelta(days=3),
                                 state=StoryState.APPROVED, themes=[f"theme{k % 7}"]))
    store.put_many(records)
    archive_closed(store, datetime(2026, 6, 1, tzinfo=UTC))
    return store


def test_search_over_a_ten_year_archive_has_no_cap(tmp_path: Path) -> None:
    store = ten_years(tmp_path / "data")
    assert store.years() == list(range(2016, 2026)) and not store.all(Story)
    members = store.all(Member)
    (needle,) = find(store, parse_query("lantern river"), members, [])
    assert needle.round_id == "2016-01" and needle.member_id == "m2"
    assert len(find(store, parse_query("care"), members, [])) == 479  # every year, no cap
    by_member = find(store, parse_query("care member:m1"), members, [])
    assert len(by_member) == 120 and {h.member_id for h in by_member} == {"m1"}
    assert len(find(store, parse_query("theme:theme3 round:2019-05"), members, [])) == 0
    assert len(find(store, parse_query("round:2019-05"), members, [])) == 4
    counts = {t.theme: t for t in themes(store)}
    assert counts["theme0"].first_round == "2016-01" and counts["theme0"].last_round == "2025-12"
    assert sum(t.stories for t in counts.values()) == 480


def test_parse_query_splits_filters() -> None:
    q = parse_query('letting go member:ana theme:"letting go" round:2026-07 question:listen')
    assert (q.words, q.member, q.theme, q.round_id, q.question) == (
        "letting go", "ana", "letting go", "2026-07", "listen")


async def test_the_repertoire_screen_finds_archived_stories_and_opens_them_in_threads(
        tmp_path: Path) -> None:
    store = _archived_demo(tmp_path / "data")
    archived = {s.id for s in store.archived(Story)}
    app = make_app(demo_config(), store, None, None, FixedClock(), secret=b"test-secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot, lambda: isinstance(app.screen, RepertoireScreen)
                     and app.history is not None)
        screen = app.screen
        assert isinstance(screen, RepertoireScreen)
        await settle(pilot, lambda: bool(screen.theme_list))
        assert "courage" in {t.theme for t in screen.theme_list}
        await pilot.click("#rep-query")
        await pilot.press(*"member:ana", "enter")
        await settle(pilot, lambda: bool(screen.hits))
        assert {h.member_id for h in screen.hits} == {"ana"}
        assert any(h.id in archived for h in screen.hits)
        target = next(h for h in screen.hits if h.id in archived and h.kind == "story")
        screen.open_hit(target)
        await settle(pilot, lambda: isinstance(app.screen, ThreadsScreen))
        threads = app.screen
        assert isinstance(threads, ThreadsScreen)
        await settle(pilot, lambda: threads.thread_tree.cursor_node is not None and
                     threads.thread_tree.cursor_node.data == ("story", target.id))


async def test_a_theme_searches_every_year(tmp_path: Path) -> None:
    store = _archived_demo(tmp_path / "data")
    app = make_app(demo_config(), store, None, None, FixedClock(), secret=b"test-secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot, lambda: isinstance(app.screen, RepertoireScreen))
        screen = app.screen
        assert isinstance(screen, RepertoireScreen)
        await settle(pilot, lambda: bool(screen.theme_list))
        screen.action_themes()  # the `t` key, when the query box has no focus
        await pilot.press("enter")
        await settle(pilot, lambda: bool(screen.hits))
        first = screen.theme_list[0].theme
        assert all(first in (s.themes if (s := store.get(Story, h.id)) else [])
                   for h in screen.hits)

"""Provider quotas: `[smtp] max_per_day` with `per_minute` — the pure planner, and real sends
(aiosmtpd) that stop at the quota and finish when `circle status` said they would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from circle.app.status import status_report
from circle.compose.message import Composed
from circle.config import SmtpSettings
from circle.model import OutboxItem, OutboxState
from circle.outbox import DAY, expected_finish, finish_adding, new_item, sent, start, within_quota
from data.store import TinyStore
from mail.smtp import SmtpSink, send_outbox
from tests.mailin_support import NOW, make_config, seed
from tests.smtp_server import SmtpServer

pytest_plugins = ["tests.smtp_server"]


def _item(kind: str, k: int, created: datetime = NOW) -> OutboxItem:
    mid = f"{kind}{k:03d}@circle.test"
    raw = (f"From: circle@circle.test\r\nTo: ana@example.org\r\nMessage-ID: <{mid}>\r\n"
           f"Subject: {kind} {k}\r\n\r\nhello\r\n").encode()
    return new_item(Composed(kind, "2026-11", "ana", "ana@example.org", mid, "t", raw),
                    created + timedelta(seconds=k))


def _items(kind: str, n: int) -> list[OutboxItem]:
    return [_item(kind, k) for k in range(n)]


def test_without_a_quota_everything_goes_receipts_first() -> None:
    due = [*_items("digest", 3), *_items("question", 2), *_items("receipt", 2)]
    order = [i.kind for i in within_quota(due, [], NOW, 0)]
    assert order == ["receipt"] * 2 + ["question"] * 2 + ["digest"] * 3


def test_the_quota_is_a_rolling_day_with_a_reserve_for_receipts() -> None:
    due = [*_items("digest", 30), *_items("receipt", 3)]
    recent = [NOW - timedelta(hours=1)] * 5 + [NOW - timedelta(hours=25)] * 10  # 10 expired
    chosen = within_quota(due, recent, NOW, 20)
    # 20 a day, 2 kept for receipts: 5 used + 3 receipts + 10 digests = 18
    assert [i.kind for i in chosen] == ["receipt"] * 3 + ["digest"] * 10
    nearly_spent = [NOW - timedelta(hours=2)] * 18
    assert [i.kind for i in within_quota(due, nearly_spent, NOW, 20)] == ["receipt"] * 2
    assert within_quota(due, [NOW] * 20, NOW, 20) == []


def test_expected_finish_paces_per_minute_and_waits_out_the_day() -> None:
    assert expected_finish([], [], NOW, max_per_day=10, per_minute=60) is None
    ten = _items("digest", 10)
    assert expected_finish(ten, [], NOW, max_per_day=0, per_minute=60) == \
        NOW + timedelta(seconds=9)
    assert expected_finish(ten, [], NOW, max_per_day=0, per_minute=0) == NOW
    # 10 a day keeps 1 for receipts: 9 digests a day, each batch paced one a second
    many = _items("digest", 25)
    assert expected_finish(many, [], NOW, max_per_day=10, per_minute=60) == \
        NOW + 2 * DAY + timedelta(seconds=6)
    # a receipt may use the reserve the digest leaves
    assert expected_finish([_item("receipt", 0)], [NOW] * 9, NOW, max_per_day=10,
                           per_minute=0) == NOW


def test_200_digests_at_the_default_rate_take_about_100_seconds() -> None:
    finish = expected_finish(_items("digest", 200), [], NOW, max_per_day=0, per_minute=120)
    assert finish == NOW + timedelta(seconds=99.5)


def _sent_earlier(store: TinyStore, n: int, at: datetime) -> None:
    store.put_many([sent(start(_item("notice", k, at), at), at) for k in range(n)])


async def _pass(store: TinyStore, server: SmtpServer, at: datetime) -> int:
    settings = SmtpSettings(host=server.host, port=server.port, security="plain",
                            connections=1, per_minute=0, max_per_day=10)
    async with SmtpSink(settings) as sink:
        report = await send_outbox(store, sink, at, sender="circle@circle.test")
    return report.sent


async def test_a_real_send_stops_at_the_quota_and_finishes_when_status_says(
        tmp_path: Path, smtp_server: SmtpServer) -> None:
    store = TinyStore(tmp_path)
    seed(store)
    _sent_earlier(store, 3, NOW - timedelta(hours=1))
    store.put_many([*_items("digest", 12), *_items("receipt", 4)])
    config = make_config(smtp=SmtpSettings(per_minute=0, max_per_day=10))
    plan = status_report(store, NOW, config)["sending"]
    assert plan["waiting"] == 16 and plan["sent_last_24h"] == 3
    # 3 used: 4 receipts now (limit 10) and 2 digests (limit 9); 3 more when the 3 earlier
    # ones leave the day (NOW + 23 h), 6 at NOW + 24 h, the last when those 3 leave it
    assert await _pass(store, smtp_server, NOW) == 6
    kinds = [r.message["Subject"].split()[0] for r in smtp_server.handler.received]
    assert kinds == ["receipt"] * 4 + ["digest"] * 2  # receipts and confirmations first
    finish = datetime.fromisoformat(status_report(store, NOW, config)["sending"]["finish_at"])
    assert finish == NOW + timedelta(hours=47)
    assert any("the last should go by" in line
               for line in status_report(store, NOW, config)["next"])
    assert await _pass(store, smtp_server, NOW + timedelta(hours=22)) == 0
    assert await _pass(store, smtp_server, NOW + timedelta(hours=23)) == 3
    assert await _pass(store, smtp_server, NOW + timedelta(hours=24)) == 6
    assert await _pass(store, smtp_server, finish - timedelta(minutes=1)) == 0
    assert await _pass(store, smtp_server, finish) == 1
    assert {i.state for i in store.all(OutboxItem, bodies=False)} == {OutboxState.SENT}
    assert len(smtp_server.handler.received) == 16  # every one exactly once
    assert status_report(store, finish, config)["sending"]["finish_at"] is None


async def test_the_tui_send_dialog_says_when_the_last_digest_should_go(tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.smtp_server import free_port
    from tests.tui_support import FixedClock as TuiClock
    from tests.tui_support import demo_config, screen_text, seeded_store, settle
    from tui.app import make_app
    from tui.widgets.render import day_time

    limits = SmtpSettings(host="127.0.0.1", port=free_port(), security="plain", per_minute=0,
                          max_per_day=4)
    config = replace(demo_config(), smtp=limits)
    app = make_app(config, seeded_store(tmp_path / "data"), None, SmtpSink(limits),
                   TuiClock(), secret=b"test-secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot, lambda: app.screen.preview is not None)
        await pilot.press("a")  # approve, then send (as `circle digest approve` / `send`)
        await settle(pilot, lambda: app.data.rounds["2026-11"].digest_approved)
        await pilot.press("S")
        await pilot.pause()
        text = " ".join(screen_text(app).split())
        assert "10 members will receive it" in text
        finish = finish_adding(app.data.outbox.values(), app.now(), limits, "digest", 10)
        assert finish is not None and finish - app.now() >= 2 * DAY  # 4 a day, 10 to go
        assert f"the last should go by {day_time(finish, config.tz)}" in text
        await pilot.press("escape")
        await settle(pilot)
    assert not [o for o in app.store.all(OutboxItem, bodies=False) if o.kind == "digest"
                and o.state == OutboxState.QUEUED]  # cancelled: nothing queued


def test_send_due_stops_at_the_quota_and_says_so(
        tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from cli.main import main
    from tests.mailin_support import SECRET

    monkeypatch.setenv("CIRCLE_SECRET", SECRET.decode())
    store = TinyStore(tmp_path / "data")
    seed(store)
    store.put_many(_items("receipt", 5))
    config = tmp_path / "config.toml"
    config.write_text(f"""[circle]
name = "Q"
slug = "q"
address = "circle@circle.test"
steward_email = "steward@circle.test"
data_dir = "data"

[smtp]
host = "127.0.0.1"
port = {smtp_server.port}
security = "plain"
max_per_day = 2
""", encoding="utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "send-due"]) == 0
    out = capsys.readouterr().out
    assert "Sent 2;" in out and "wait for the provider's daily quota" in out
    assert len(smtp_server.handler.received) == 2
    assert main(["--config", str(config), "status", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)["sending"]
    assert plan["max_per_day"] == 2 and plan["sent_last_24h"] == 2 and plan["waiting"] >= 3
    assert datetime.fromisoformat(plan["finish_at"]) > datetime.now(UTC) + timedelta(hours=23)

"""Write docs/example-digest.txt and .html from a realistic round (run: python -m tests.make_example_digest)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from circle.app.rounds import load_digest
from circle.compose import MailSetting, digest_mail
from circle.config import circle_from_config
from circle.model import Member, Round, Story
from tests.mailout_world import SECRET, accept_host, make_config, seed, seed_stories

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    config = make_config()
    with tempfile.TemporaryDirectory() as tmp:
        store = seed(Path(tmp), config)
        for mid, name in (("eve", "Eve Adams"), ("gus", "Gus Moreau")):
            member = store.get(Member, mid)
            assert member is not None
            store.put(replace(member, name=name))
        rnd = accept_host(store)
        seed_stories(store, rnd.timeline["question"] + timedelta(days=1))
        gus = store.get(Story, "s-gus")
        assert gus is not None
        store.put(replace(gus, text="I wanted to leave the room. I noticed my hands were cold, "
                          "and I named it out loud: \"I need a minute.\" Nobody minded. We "
                          "came back to it after tea, and it was a better conversation."))
        rnd = store.get(Round, "2026-11")
        assert rnd is not None
        data = load_digest(store, rnd, config, force=False)
        ms = MailSetting(circle_from_config(config), SECRET, rnd.timeline["digest_due"],
                         config.schedule)
        dee = store.get(Member, "dee")
        assert dee is not None
        msg = digest_mail(ms, dee, data)
    from email import message_from_bytes, policy

    parsed = message_from_bytes(msg.raw, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]
    (DOCS / "example-digest.txt").write_text(f"Subject: {msg.subject}\n\n{text}", "utf-8")
    (DOCS / "example-digest.html").write_text(html, "utf-8")
    print(f"wrote {DOCS / 'example-digest.txt'} and .html")


if __name__ == "__main__":
    main()

"""`circle fetch` (one pass) and `circle run [--once]` (the headless mail loop)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from circle.app.ingest import IngestReport
from circle.errors import CircleError, MailConfigError
from cli.context import Context, load_context
from cli.daemon import configure_logging, cycle_now, fetch_pass
from data.locks import mail_loop_lock
from mail.imap import ImapSource
from mail.loop import MAX_CONFIG_FAILURES, run_forever

log = logging.getLogger("circle.run")


def register(sub: Any) -> None:
    """Add the `fetch` and `run` commands."""
    f = sub.add_parser("fetch", help="fetch new mail once: stories, responses, commands")
    f.set_defaults(func=_fetch)
    r = sub.add_parser("run", help="the headless mail loop: fetch, act, wait for mail (IDLE)")
    r.add_argument("--once", action="store_true", help="one pass (fetch + hooks), then exit")
    r.set_defaults(func=_run)


def after_fetch(ctx: Context) -> None:
    """The daemon's step after each fetch: plan, archive, send; print what was sent."""
    from cli.commands.mailout import print_summary

    report = cycle_now(ctx)
    if report.sent.attempted or report.sent.uncertain or report.sent.dropped:
        print_summary(report.sent)


def _fetch(args: argparse.Namespace) -> int:
    ctx = load_context(args.config)
    with mail_loop_lock(ctx.data_dir), ImapSource(ctx.config.imap) as source:
        report = fetch_pass(ctx, source)
    print(report.summary())
    return 0


def _run(args: argparse.Namespace) -> int:
    configure_logging()  # one line per event on stderr; journald priorities under systemd
    ctx = load_context(args.config)
    stop = threading.Event()
    with mail_loop_lock(ctx.data_dir), ImapSource(ctx.config.imap, stop_event=stop) as source:
        if args.once:
            print(fetch_pass(ctx, source).summary())
            after_fetch(ctx)
            return 0
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        imap = ctx.config.imap
        log.info("watching %s on %s:%s (Ctrl-C or SIGTERM to stop)", imap.folder, imap.host,
                 imap.port)
        try:
            run_forever(source, ctx.store, ctx.store.archive, ctx.config, ctx.secret, ctx.clock,
                        stop, after_fetch=[lambda: after_fetch(ctx)], on_report=_print_report,
                        on_error=_print_error, idle_timeout=max(60.0, imap.poll_seconds))
        except KeyboardInterrupt:
            stop.set()
        finally:
            signal.signal(signal.SIGTERM, previous)
    log.info("stopped")
    return 0


def _print_report(report: IngestReport) -> None:
    if report.fetched or report.rescanned:
        log.info("%s", report.summary())


def _print_error(exc: CircleError) -> None:
    """One log line per distinct error (mail.loop reports each once until it clears)."""
    if isinstance(exc, MailConfigError):
        log.error("%s (a configuration problem: the loop stops after %d in a row)", exc,
                  MAX_CONFIG_FAILURES)
    else:
        log.warning("%s (retrying)", exc)

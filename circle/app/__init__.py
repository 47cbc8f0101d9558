"""The application layer: every change to the circle is an intent applied by a named use-case.

A key in the TUI, a CLI command, the mail loop and the scheduler all go through `apply`:
it re-reads the records the intent touches inside one store transaction, applies the rules
in `circle.transitions` (and friends), writes, and returns an `Outcome` saying what happened.
Nobody writes a copy of a record read earlier (docs/architecture.md, "Every change is an intent").
"""

from circle.app.apply import Outcome, apply, apply_or_refuse
from circle.app.intents import Intent

__all__ = ["Intent", "Outcome", "apply", "apply_or_refuse"]

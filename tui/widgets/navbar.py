"""The navigation bar: one key per screen, the current one highlighted, clickable."""

from __future__ import annotations

from textual.widgets import Static

from tui.bindings import SCREENS


class NavBar(Static):
    """`1 Today  2 Review ...` across the top; press the number or click the name."""

    def __init__(self, current: str) -> None:
        parts = []
        for n, (mode, title) in enumerate(SCREENS, start=1):
            label = f"{n} {title}"
            if mode == current:
                parts.append(f"[reverse b] {label} [/]")
            else:
                parts.append(f"[@click=app.switch_mode('{mode}')] {label} [/]")
        super().__init__("".join(parts), id="navbar")

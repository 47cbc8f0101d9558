"""Every key binding of the TUI, with ids (remappable from `[keys]` in the config) and tooltips."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

SCREENS: tuple[tuple[str, str], ...] = (
    ("today", "Today"), ("review", "Review"), ("threads", "Threads"), ("members", "Members"),
    ("hosts", "Hosts"), ("digest", "Digest"), ("quarantine", "Quarantine"),
)
"""The screens in navigation order: (mode name, title); key N opens the N-th."""

MORE_SCREENS: tuple[tuple[str, str], ...] = (("repertoire", "Repertoire"),)
"""Screens reached by their own key (8) and the palette, not listed in the navigation bar."""


@dataclass(frozen=True)
class ActionSpec:
    """One action: its binding id, default key, where it lives, and what it does in words."""

    id: str
    key: str
    action: str
    description: str
    tooltip: str
    scope: str = "app"  # "app" or a screen's mode name
    show: bool = True


_NAV = tuple(ActionSpec(f"goto_{mode}", str(n), f"app.switch_mode('{mode}')", title,
                        f"Open the {title} screen", show=False)
             for n, (mode, title) in enumerate(SCREENS, start=1))

ACTIONS: tuple[ActionSpec, ...] = (
    *_NAV,
    ActionSpec("goto_repertoire", "8", "app.switch_mode('repertoire')", "Repertoire",
               "Search every round of every year; browse the themes", show=False),
    ActionSpec("help", "question_mark,f1", "app.help", "Help", "What every key does here"),
    ActionSpec("toggle_theme", "ctrl+t", "app.toggle_theme", "Light/dark",
               "Switch between the light and the dark theme", show=False),
    ActionSpec("reload", "ctrl+r", "app.reload", "Reload", "Read the store again", show=False),
    # Review
    ActionSpec("approve", "a", "approve", "Approve", "Approve for the digest, then go to the "
               "next item", "review"),
    ActionSpec("hold", "h", "hold", "Hold", "Hold back for now (kept, not in the digest)",
               "review"),
    ActionSpec("hide", "x", "hide", "Hide", "Hide it: never in a digest, never deleted",
               "review"),
    ActionSpec("visibility", "v", "visibility", "Visibility",
               "Cycle who may read it: circle, anonymous, steward only", "review"),
    ActionSpec("edit", "e", "edit", "Edit", "Edit the text; the original is kept", "review"),
    ActionSpec("restore", "r", "restore", "Restore", "Put the trimmed quotes/signature back",
               "review"),
    ActionSpec("tags", "t", "tags", "Themes", "Tag the story with themes", "review"),
    ActionSpec("note", "n", "note", "Note", "A private note for the steward", "review"),
    ActionSpec("appreciation", "p", "appreciation", "Appreciation",
               "Celebrate it as an appreciation in the digest", "review"),
    ActionSpec("original", "o", "original", "Original", "Show the clean text or the original "
               "email", "review"),
    ActionSpec("show_held", "f", "show_held", "Filter", "Cycle the list: needs a decision "
               "(pending and held) → pending only → decided (approved, hidden) to decide again",
               "review"),
    ActionSpec("next_item", "j,right_square_bracket", "next_item", "Next", "Next item",
               "review", show=False),
    ActionSpec("previous_item", "k,left_square_bracket", "previous_item", "Previous",
               "Previous item", "review", show=False),
    # Threads
    ActionSpec("search", "slash", "search", "Search", "Search every round by text, member or "
               "theme", "threads"),
    ActionSpec("clear_search", "escape", "clear_search", "All rounds", "Back to every round",
               "threads"),
    ActionSpec("harvest", "H", "harvest", "Harvest", "Type or edit what the round's gathering "
               "harvested (approved for the next digest)", "threads"),
    # Repertoire
    ActionSpec("search", "slash", "search", "Search", "Words, member:, theme:, round:, "
               "question: across every year", "repertoire"),
    ActionSpec("themes", "t", "themes", "Themes", "Browse the themes of every year",
               "repertoire"),
    # Members
    ActionSpec("add_member", "a", "add_member", "Add", "Add a member", "members"),
    ActionSpec("edit_member", "e", "edit_member", "Edit", "Edit name and addresses", "members"),
    ActionSpec("pause_member", "p", "pause_member", "Pause", "Pause their mail, optionally "
               "until a date", "members"),
    ActionSpec("resume_member", "r", "resume_member", "Resume", "Resume their mail", "members"),
    ActionSpec("remove_member", "d", "remove_member", "Remove", "They leave the circle; their "
               "stories stay", "members"),
    # Hosts
    ActionSpec("swap_hosts", "s", "swap_hosts", "Swap", "Mark a round, then swap its host with "
               "another round's", "hosts"),
    ActionSpec("skip_host", "k", "skip_host", "Skip", "No host for this round", "hosts"),
    ActionSpec("pick_host", "p", "pick_host", "Pick", "Choose who hosts this round", "hosts"),
    ActionSpec("edit_question", "e", "edit_question", "Question", "Edit the coming round's "
               "question", "hosts"),
    ActionSpec("approve_question", "a", "approve_question", "Approve question",
               "Approve the question so it can go out", "hosts"),
    # Digest (the essential steps first: they stay in the footer at 80 columns)
    ActionSpec("approve_digest", "a", "approve_digest", "Approve", "Approve the digest as "
               "previewed; sending needs it (as `circle digest approve`)", "digest"),
    ActionSpec("send_all", "S", "send_all", "Send to all", "Send the digest to every member "
               "(asks first)", "digest"),
    ActionSpec("digest_note", "n", "digest_note", "Note", "Write the steward's note at the "
               "top of the digest", "digest"),
    ActionSpec("preview_member", "m", "preview_member", "As member", "Preview one member's "
               "own copy, with their reply links", "digest"),
    ActionSpec("send_test", "t", "send_test", "Test to me", "Send the digest to the steward "
               "only", "digest"),
    ActionSpec("outbox_detail", "o", "outbox_detail", "Open item", "Read why this outbox "
               "item waits and the message itself", "digest"),
    ActionSpec("resend_item", "r", "resend_item", "Resend", "Send this outbox item again",
               "digest"),
    ActionSpec("drop_item", "d", "drop_item", "Drop", "Give up on this outbox item", "digest"),
    ActionSpec("toggle_part", "v", "toggle_part", "Plain/HTML", "Show the plain-text email or "
               "the HTML part as text", "digest"),
    # Quarantine
    ActionSpec("assign_item", "a", "assign_item", "Assign", "It is from a member: choose who",
               "quarantine"),
    ActionSpec("add_sender", "m", "add_sender", "Add member", "Add the sender as a member",
               "quarantine"),
    ActionSpec("dismiss_item", "d", "dismiss_item", "Dismiss", "Nothing to do; keep it out of "
               "the way (asks first; u takes it back)", "quarantine"),
    # Members: roles and the detail view
    ActionSpec("host_role", "h", "host_role", "Hosting", "Whether they may be asked to host "
               "(switches yes/no)", "members"),
    ActionSpec("member_detail", "enter", "member_detail", "Details", "Status, delivery "
               "problems, stories and hosting of the selected member", "members"),
    # Every list: one filter (tui/widgets/filter.py)
    *(ActionSpec("filter", "slash", "filter", "Search", "Filter the list by any words in any "
                 "column", scope) for scope in ("review", "members", "hosts", "digest",
                                                "quarantine")),
    *(ActionSpec("clear_filter", "escape", "clear_filter", "Clear search", "Show the whole "
                 "list again", scope, show=False)
      for scope in ("review", "members", "hosts", "digest", "quarantine")),
    # Undo and the decision log (issue 14)
    ActionSpec("decisions", "ctrl+z", "app.decisions", "Decisions", "The decision log: every "
               "recent decision, each with undo", show=False),
    ActionSpec("decisions", "ctrl+z", "app.decisions", "Decisions", "The decision log: every "
               "recent decision, each with undo", "review"),
    ActionSpec("decisions", "ctrl+z", "app.decisions", "Decisions", "The decision log: every "
               "recent decision, each with undo", "quarantine"),
    ActionSpec("undo", "u", "undo", "Undo", "Take back the last decision made here", "review"),
    ActionSpec("undo", "u", "undo", "Undo", "Take back the last decision made here",
               "quarantine"),
    ActionSpec("undo", "u", "undo", "Undo", "Take back the last decision on a story or response",
               "threads"),
    ActionSpec("undo", "u", "app.undo('members')", "Undo", "Take back the last decision on "
               "members", "members", show=False),
    ActionSpec("undo", "u", "app.undo('hosts')", "Undo", "Take back the last decision on hosts "
               "and questions", "hosts", show=False),
    ActionSpec("undo", "u", "app.undo('digest')", "Undo", "Take back the digest's approval or "
               "the last outbox decision (until it is sent)", "digest", show=False),
    ActionSpec("approve", "a", "approve", "Approve", "Approve the selected story or response",
               "threads"),
    ActionSpec("hold", "h", "hold", "Hold", "Hold it back (kept, not in the digest)", "threads"),
    ActionSpec("hide", "x", "hide", "Hide", "Hide it: never in a digest, never deleted",
               "threads"),
    ActionSpec("visibility", "v", "visibility", "Visibility",
               "Cycle who may read it: circle, anonymous, steward only", "threads"),
    ActionSpec("quarantine_filter", "f", "cycle_filter", "Open/resolved", "Show open items, or "
               "the dismissed and resolved ones (to find and undo them)", "quarantine"),
    ActionSpec("accept_suggestion", "y", "accept_suggestion", "Accept request",
               "Apply the request the member made inside this story", "review"),
    ActionSpec("dismiss_suggestion", "z", "dismiss_suggestion", "Set request aside",
               "Leave the member's request aside; the story stays", "review"),
    ActionSpec("parse_again", "g", "parse_again", "Read again", "Read the original email "
               "again with the current rules (it may be placed now)", "quarantine"),
)


def specs_for(scope: str) -> list[ActionSpec]:
    """The actions of one scope ("app" or a screen's mode name)."""
    return [a for a in ACTIONS if a.scope == scope]


def bindings_for(scope: str) -> list[Binding]:
    """Textual bindings for one scope, each with its id and tooltip."""
    return [Binding(a.key, a.action, a.description, show=a.show, tooltip=a.tooltip, id=a.id)
            for a in specs_for(scope)]


def check_keymap(keys: dict[str, str]) -> list[str]:
    """Problems with a `[keys]` table: ids that name no action."""
    known = {a.id for a in ACTIONS}
    return [f"[keys] {k}: no such action (known: {', '.join(sorted(known))})"
            for k in keys if k not in known]


SECONDARY_KEYS: frozenset[str] = frozenset({
    "restore", "tags", "note", "appreciation"})
"""Binding ids the footer leaves out under 100 columns (still in `?` help and the palette):
at 80×24 every screen keeps its essential keys (tui/widgets/footer.py)."""

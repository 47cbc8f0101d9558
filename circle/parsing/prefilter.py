"""A cheap literal pre-filter for a big alternation: run the full regex only where it can match.

Python's `re` tries every alternative at every position, so a pattern of fifty worded
alternatives (`requests.py`) costs ~0.5 µs a character. `Prefilter(pattern)` reads the
pattern's parse tree and collects, for each top-level alternative, a literal that every
match of it must contain (the longest run of mandatory literal characters, or one literal
per branch of a mandatory group). Those literals, lowercased, form one plain alternation
that `re` scans at memory speed. `could_match(text)` is False only when no match is
possible; when some alternative has no mandatory literal, it is always True (correct,
just not faster). Lowercasing both sides keeps case-insensitive patterns covered.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

_parser: Any = importlib.import_module("re._parser")  # the stdlib's own regex parser
_c: Any = importlib.import_module("re._constants")

_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT}


def _best(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective requirement: its shortest literal is longest, then fewest."""
    usable = [c for c in candidates if c and all(c)]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(len(s) for s in c), -len(c)))


def _required(items: Any) -> frozenset[str] | None:
    """Literals of which every match of the sequence `items` contains at least one."""
    candidates: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av).lower()
            continue
        if op in _ZERO_WIDTH:
            continue  # consumes nothing: the literal run stays contiguous
        if run:
            candidates.append(frozenset({run}))
        run = ""
        if op is _c.SUBPATTERN:
            sub = _required(av[-1])
            if sub:
                candidates.append(sub)
        elif op is _c.BRANCH:
            subs = [_required(alt) for alt in av[1]]
            if all(subs):
                candidates.append(frozenset().union(*(s for s in subs if s)))
        elif op in _REPEATS and av[0] >= 1:
            sub = _required(av[2])
            if sub:
                candidates.append(sub)
    if run:
        candidates.append(frozenset({run}))
    return _best(candidates)


def required_literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lowercased literals one of which every match of `pattern` contains; None if unknown."""
    tree = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
    return _required(tree)


def _minimal(literals: set[str]) -> list[str]:
    """Drop every literal that contains a shorter one: finding the shorter one suffices."""
    kept: list[str] = []
    for lit in sorted(literals, key=lambda s: (len(s), s)):
        if not any(k in lit for k in kept):
            kept.append(lit)
    return kept


def trie_pattern(words: list[str]) -> str:
    """One regex for "any of these words", factored by common prefix: `re` then looks at
    one character per branch instead of trying every word at every position."""
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict[str, Any]]) -> str:
        if "" in node:
            return ""  # a word ends here: any longer word is found by its prefix anyway
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


class Prefilter:
    """`could_match(lowered)` before `pattern.search(text)`: False means it cannot match."""

    def __init__(self, *patterns: re.Pattern[str]) -> None:
        literals: set[str] = set()
        self.always = False
        for pattern in patterns:
            found = required_literals(pattern)
            if found is None:
                self.always = True
            else:
                literals |= found
        words = _minimal(literals)
        self._scan = re.compile(trie_pattern(words)) if words else None

    def could_match(self, lowered: str) -> bool:
        """Might one of the patterns match the text whose `str.lower()` is `lowered`?"""
        if self.always:
            return True
        return self._scan is not None and self._scan.search(lowered) is not None


_FILTERS: dict[re.Pattern[str], Prefilter] = {}


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when the pre-filter says it cannot match."""
    found = _FILTERS.get(pattern)
    if found is None:
        found = _FILTERS[pattern] = Prefilter(pattern)
    if not found.could_match(text.lower()):
        return None
    return pattern.search(text)

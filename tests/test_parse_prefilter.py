"""The literal pre-filter never hides a match: every string a request pattern matches passes it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circle.parsing import bounce, requests
from circle.parsing.autoreply import _AWAY
from circle.parsing.classify import _BOUNCE_BODY
from circle.parsing.prefilter import Prefilter, required_literals, trie_pattern

PATTERNS = {name: getattr(requests, name) for name in
            ("_STOP", "_PASS", "_RESUME", "_PAUSE", "_PRIVATE", "_ANONYMOUS", "_THANKS")}
PATTERNS["bounce._RETURNED"] = bounce._RETURNED
PATTERNS["classify._BOUNCE_BODY"] = _BOUNCE_BODY
PATTERNS["autoreply._AWAY"] = _AWAY
# Latin letters of the seven languages, and the typographic apostrophe the patterns accept
ALPHABET = st.characters(codec="latin-1") | st.just("’")


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_match_passes_the_prefilter(name: str) -> None:
    pattern = PATTERNS[name]
    prefilter = Prefilter(pattern)
    assert not prefilter.always  # every alternative has a literal: the filter does filter

    @settings(max_examples=30)
    @given(st.from_regex(pattern, alphabet=ALPHABET))
    def check(text: str) -> None:
        assert pattern.search(text)
        assert prefilter.could_match(text.lower()), text

    check()


def test_literals_of_a_small_pattern() -> None:
    assert required_literals(re.compile(r"\bon\s+hold\b|\bpaus(?:e|ed)\b", re.I)) == {"hold", "pause"}
    assert required_literals(re.compile(r"(?:ab|cd)+x?")) == {"ab", "cd"}
    assert required_literals(re.compile(r"a?b*")) is None


def test_a_pattern_without_literals_always_runs() -> None:
    prefilter = Prefilter(re.compile(r"\d{4}"))
    assert prefilter.always and prefilter.could_match("nothing here")


def test_trie_finds_each_word_and_nothing_else() -> None:
    words = ["pause", "paus", "pass", "stop", "abmelden"]
    scan = re.compile(trie_pattern(words))
    for word in words:
        assert scan.search(f"xx {word} yy")
    assert not scan.search("a story about the sea")


def test_requests_prefilter_skips_ordinary_story_lines() -> None:
    story = "We walked to the harbour and talked about the year.\nIt was a good night."
    assert not requests._ANY_REQUEST.could_match(story.lower())
    assert requests.find_request(story) is None

"""The one sanitiser: escapes, controls, bidi and hiding characters go; words never do."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from circle.text_safety import inert, inert_line, is_inert

ESC = "\x1b"
HOSTILE = (f"Hello{ESC}[2J{ESC}[1;31mred{ESC}[0m {ESC}]0;owned title\x07there "
           f"{ESC}]52;c;ZWNobyBwd25lZA==\x07{ESC}]8;;http://evil.example{ESC}\\link"
           f"{ESC}]8;;{ESC}\\ a\u202egnp.exe\u202c b\u200bc\u2060d\ufeffe\x00f\x9b2Jg\x07")


def _bad_chars(text: str) -> list[str]:
    return [c for c in text if (unicodedata.category(c) == "Cc" and c not in "\n\t")
            or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
            or c in "\u200b\u2060\ufeff"]


def test_escape_sequences_go_whole_and_the_words_stay() -> None:
    out = inert(HOSTILE)
    assert _bad_chars(out) == []
    assert "owned title" not in out and "ZWNobyBwd25lZA" not in out  # OSC payloads go whole
    assert "[2J" not in out and "31m" not in out
    assert out == "Hellored there link agnp.exe bcdefg"


def test_newlines_and_tabs_stay_carriage_returns_become_newlines() -> None:
    assert inert("a\tb\nc") == "a\tb\nc"
    assert inert("one\r\ntwo\rthree\u2028four\x0cfive") == "one\ntwo\nthree\nfour\nfive"


def test_c1_controls_and_8bit_sequences_go() -> None:
    assert inert("a\x85b") == "a\nb"  # NEL is a line break
    assert inert("a\x9b2Jb\x9d0;title\x9cc\x90dcs\x9cd") == "abcd"


def test_unterminated_osc_loses_only_its_introducer() -> None:
    assert inert(f"x{ESC}]0;rest of the story") == "x0;rest of the story"


def test_zero_width_joiner_is_kept_inside_emoji_and_scripts_only() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    coder = "\U0001f469\U0001f3fd\u200d\U0001f4bb"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ in Persian
    assert inert(family) == family and inert(coder) == coder and inert(persian) == persian
    assert inert("ST\u200dOP") == "STOP" and inert("\u200dx") == "x"


def test_bidi_marks_kept_in_right_to_left_text_only() -> None:
    hebrew = "\u05e9\u05dc\u05d5\u05dd\u200f!"
    assert inert(hebrew) == hebrew
    assert inert("abc\u200edef\u200f") == "abcdef"
    assert inert("\u2067\u05e9\u2069") == "\u05e9"  # isolates go even in RTL text


def test_tag_characters_go_except_in_flag_sequences() -> None:
    wales = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    smuggled = "hi" + "".join(chr(0xE0000 + ord(c)) for c in "ignore the rules")
    assert inert(wales) == wales
    assert inert(smuggled) == "hi"


def test_replacement_runs_collapse_to_one() -> None:
    assert inert("a\ufffd\ufffd\ufffd\ufffdb\ufffdc") == "a\ufffdb\ufffdc"
    assert inert("\x00" * 50 + "x") == "x"


def test_inert_line_is_one_line() -> None:
    assert inert_line("Ana\r\nBcc: x@evil.example\t ") == "Ana Bcc: x@evil.example"


def test_ordinary_text_is_untouched() -> None:
    text = "Grüße, Ana — «merci» 日本語 café\n\n> quoted\n\tindented 👍🏽"
    assert inert(text) == text and is_inert(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_property_no_controls_survive_and_idempotent(text: str) -> None:
    out = inert(text)
    assert _bad_chars(out) == [] and "\x1b" not in out
    assert inert(out) == out
    assert "\ufffd\ufffd" not in out


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=200))
def test_property_printable_ascii_is_kept_exactly(text: str) -> None:
    assert inert(text) == text

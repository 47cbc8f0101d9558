"""RFC 3676 `format=flowed` bodies: re-join soft-broken lines into paragraphs.

A flowed line ending in a space is "soft": the next line of the same quote depth continues
it. With `DelSp=yes` that trailing space was added by the sender's client and is removed
when joining (languages written without spaces, long words). A leading space is
"stuffing" and is removed. The signature separator `-- ` is never joined, neither to the
line below nor to a soft line above it. Quoted lines ("> " marks) are joined within the
same quote depth only; a change of depth ends the paragraph even after a soft break.
"""

from __future__ import annotations

_SIG_SEPARATOR = "-- "


def _depth(line: str) -> tuple[int, str]:
    """Quote depth ('>' count) and the line without its quote marks and stuffing."""
    depth = 0
    while depth < len(line) and line[depth] == ">":
        depth += 1
    rest = line[depth:]
    if rest.startswith(" "):
        rest = rest[1:]  # space-stuffing (or the customary space after '>')
    return depth, rest


def unflow(text: str, *, delsp: bool = False) -> str:
    """Decode a format=flowed body into plain text with one line per paragraph."""
    out: list[str] = []
    pending: list[str] = []
    pending_depth = -1

    def finish() -> None:
        nonlocal pending, pending_depth
        if pending_depth >= 0:
            prefix = "> " * pending_depth if pending_depth else ""
            joined = "".join(pending)
            # a paragraph's last soft space is no text ("-- " keeps its space)
            out.append((prefix + joined).rstrip() if pending_depth
                       else joined if joined == _SIG_SEPARATOR else joined.rstrip(" "))
        pending, pending_depth = [], -1

    for raw in text.replace("\r\n", "\n").split("\n"):
        depth, line = _depth(raw)
        if pending_depth >= 0 and (depth != pending_depth or line == _SIG_SEPARATOR):
            finish()  # a change of quote depth ends a paragraph (RFC 3676 §4.5), and the
            # signature separator never continues the line above it (§4.3)
        soft = line.endswith(" ") and line != _SIG_SEPARATOR
        piece = line[:-1] if soft and delsp else line
        if pending_depth < 0:
            pending_depth = depth
        pending.append(piece)
        if not soft:
            finish()
    finish()
    return "\n".join(out)


def is_flowed(content_type_params: dict[str, str]) -> tuple[bool, bool]:
    """(format=flowed?, DelSp=yes?) from lower-cased Content-Type parameters."""
    flowed = content_type_params.get("format", "").strip().lower() == "flowed"
    delsp = content_type_params.get("delsp", "").strip().lower() == "yes"
    return flowed, delsp

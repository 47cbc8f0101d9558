"""HTML to readable plain text (paragraphs, lists, links), marking quoted and signature
containers of the common mail clients so that the trimmer can elide them.

Containers recognised: Gmail (`gmail_quote`, `gmail_signature`), Outlook (`divRplyFwdMsg`,
`appendonsend`, the bordered reply header, `Signature`), Apple (`blockquote type=cite`,
`AppleMailSignature`), Yahoo (`yahoo_quoted`, `ymail_android_signature`), Proton
(`protonmail_quote`, `protonmail_signature_block`), Thunderbird (`moz-cite-prefix`,
`moz-signature`), GMX/web.de (`name="quote"`), Zimbra (`data-marker`), Gmail's
`data-smartmail=gmail_signature`, anything with `type=cite`, and any other `blockquote`
except a borderless one (Gmail's and Outlook's indent button: the member's own text) and
a bare `<blockquote>` (no attributes) that does not follow a line ending in a colon (an
attribution): rich editors use it to set the member's own text apart.
A horizontal rule or a top border followed by a header line ("From:", "Von:", "De :",
"Gesendet:") starts quoted history (Outlook, Zimbra, forwarded
blocks in webmail). One linear pass renders both the marked text (for trimming) and the
plain text (for the record).
"""

from __future__ import annotations

import re

from circle.parsing.html_tokens import Token, tokens

# A line holding only this character tells the trimmer "quoted history starts here".
CUT_MARK = "\ue000"
# A line starting with this character belongs to a signature container (elided).
SIG_MARK = "\ue001"

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol", "dl",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "center", "form", "address",
    "dt", "dd", "li", "hr", "main", "aside", "nav", "figure",
}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
# class/id tokens of containers that hold quoted history.
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
                  "zmail_extra", "mailru-blockquote", "orig_message", "aolreplyheader",
                  "tutanota_quote", "reply_quote", "ydp_quoted")
_CUT_IDS = ("divrplyfwdmsg", "appendonsend", "stopspelling", "x_divrplyfwdmsg",
            "oleobject", "mail-editor-reference-message-container", "reply-intro")
_MAX_STACK = 2000  # deeper nesting is treated as flat (broken or hostile HTML)

Line = tuple[int, bool, str]  # (quote depth, in a signature container, text)


def _is_indent(attrs: dict[str, str]) -> bool:
    """Gmail's and Outlook's "indent" button: a borderless blockquote with only a margin.
    What is inside is the member's own text, indented."""
    style = attrs.get("style", "").lower().replace(" ", "")
    return ("border:none" in style and "type" not in attrs
            and not attrs.get("class", "").strip())


def _is_quote_container(tag: str, attrs: dict[str, str]) -> bool:
    """A container whose whole content is quoted history."""
    if attrs.get("type", "").lower() == "cite":
        return True
    if tag == "blockquote":
        return not _is_indent(attrs)
    if attrs.get("name", "").lower() == "quote":  # GMX, web.de
        return True
    if attrs.get("data-marker", "") == "__QUOTED_TEXT__":  # Zimbra
        return True
    classes = attrs.get("class", "").lower().split()
    return any(q in cls for cls in classes for q in _QUOTE_CLASSES)


def _is_signature(attrs: dict[str, str]) -> bool:
    """A container the client marks as the sender's signature."""
    ident = attrs.get("id", "").lower()
    classes = attrs.get("class", "").lower()
    return ("signature" in ident or "signature" in classes
            or "signature" in attrs.get("data-smartmail", "").lower()
            or attrs.get("data-marker", "").startswith("__SIG_"))


def _is_rule(tag: str, attrs: dict[str, str]) -> bool:
    """A horizontal rule or a top border: quoted history starts here when a header line
    ("From:", "Von:", "De :", ...) comes right after it."""
    if tag == "hr":
        return True
    return tag in ("div", "p") and "border-top" in attrs.get("style", "").lower()


def _is_cut_point(tag: str, attrs: dict[str, str]) -> bool:
    """An element after which everything is quoted history (Outlook-style replies).
    Exchange prefixes the ids of mail it re-renders with "x_" (x_appendonsend)."""
    ident = attrs.get("id", "").lower().removeprefix("x_")
    if any(ident.startswith(c) for c in _CUT_IDS):
        return True
    if tag in ("div", "p"):
        style = attrs.get("style", "").lower().replace(" ", "")
        if "border-top:solid#e1e1e1" in style or "border-top:solid#b5c4df" in style:
            return "padding:3" in style
    return False


class _Builder:
    """Collects lines with block structure, quote depth and signature flags."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.current: list[str] = []
        self.had_space = False  # the current block held only &nbsp; (a GMX/Word blank line)
        self.quote_depth = 0
        self.sig_depth = 0
        self.stack: list[tuple[str, bool, bool, bool]] = []  # tag, quote, sig, paragraph
        self.open_count: dict[str, int] = {}
        self.pre_depth = 0
        self.list_stack: list[list[int]] = []  # per list: [is_ordered, counter]
        self.links: list[tuple[str, int]] = []
        self.cut_at = -1  # index of the line where quoted history starts (Outlook)
        self.rules: list[int] = []  # line indexes right after an <hr> or a top border

    def _introduced(self) -> bool:
        """The last line so far ends with a colon (an attribution, "She wrote:")."""
        for _, _, text in reversed(self.lines[-3:]):
            if text.strip():
                return text.rstrip().endswith((":", "："))
        return not self.lines  # a reply that is nothing but a quote

    def _text(self) -> str:
        return "".join(self.current)

    def flush(self) -> None:
        """End the current line (an &nbsp;-only block becomes an empty line)."""
        text = self._text()
        if self.pre_depth == 0:
            text = " ".join(text.split())
        if text:
            self.lines.append((self.quote_depth, self.sig_depth > 0, text))
        elif self.had_space:
            self.lines.append((self.quote_depth, self.sig_depth > 0, ""))
        self.current = []
        self.had_space = False

    def blank(self) -> None:
        """End the current line and leave one empty line."""
        self.flush()
        if self.lines and self.lines[-1][2] != "":
            self.lines.append((self.quote_depth, self.sig_depth > 0, ""))

    def start(self, tag: str, attr: dict[str, str]) -> None:
        """Open an element."""
        if self.cut_at < 0 and _is_cut_point(tag, attr):
            self.blank()
            self.cut_at = len(self.lines)
        if _is_rule(tag, attr) and self.quote_depth == 0 and len(self.rules) < 1000:
            self.flush()
            self.rules.append(len(self.lines))
        # Word writes every line as <p class=MsoNormal>: a line, not a paragraph.
        paragraph = tag in _PARAGRAPH and "msonormal" not in attr.get("class", "").lower()
        if tag in _BLOCK:
            (self.blank if paragraph else self.flush)()
        quote = _is_quote_container(tag, attr)
        if quote and tag == "blockquote" and not attr and self.quote_depth == 0:
            quote = self._introduced()  # a bare blockquote quotes only under "...:"
        sig = not quote and _is_signature(attr)
        if quote or sig:
            self.flush()
            self.quote_depth += quote
            self.sig_depth += sig
        if tag == "br":
            if self._text().strip():
                self.flush()
            else:
                self.current = []
                self.had_space = False
                self.lines.append((self.quote_depth, self.sig_depth > 0, ""))
            return
        if tag == "pre":
            self.pre_depth += 1
        elif tag in ("ul", "ol"):
            self.list_stack.append([tag == "ol", 0])
        elif tag == "li":
            if self.list_stack and self.list_stack[-1][0]:
                self.list_stack[-1][1] += 1
                self.current.append(f"{self.list_stack[-1][1]}. ")
            else:
                self.current.append("- ")
        elif tag in ("td", "th") and self._text().strip():
            self.current.append(" ")
        elif tag == "a":
            self.links.append((attr.get("href", ""), len(self.current)))
        elif tag == "img" and attr.get("alt"):
            self.current.append(attr["alt"])
        if tag not in _VOID and len(self.stack) < _MAX_STACK:
            self.stack.append((tag, quote, sig, paragraph))
            self.open_count[tag] = self.open_count.get(tag, 0) + 1

    def end(self, tag: str) -> None:
        """Close an element (tolerating unbalanced markup)."""
        if tag in _VOID or not self.open_count.get(tag):
            return
        while self.stack:
            open_tag, quote, sig, paragraph = self.stack.pop()
            self.open_count[open_tag] -= 1
            self._close(open_tag, quote, sig, paragraph)
            if open_tag == tag:
                break

    def _close(self, tag: str, quote: bool, sig: bool, paragraph: bool) -> None:
        if tag == "a" and self.links:
            href, _ = self.links.pop()
            label = self._text().strip()
            if href.startswith(("http://", "https://")) and href.rstrip("/") not in label:
                self.current.append(f" <{href}>")
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        elif tag in ("ul", "ol") and self.list_stack:
            self.list_stack.pop()
        if tag in _BLOCK:
            (self.blank if paragraph else self.flush)()
        if quote or sig:
            self.flush()
            self.quote_depth = max(0, self.quote_depth - quote)
            self.sig_depth = max(0, self.sig_depth - sig)

    def data(self, text: str) -> None:
        """Add text."""
        if self.pre_depth:
            parts = text.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self.flush()
                self.current.append(part)
            return
        if "\xa0" in text and not text.strip(" \t\r\n\xa0"):
            self.had_space = True
        self.current.append(text.replace("\xa0", " "))


def _build(source: str) -> _Builder:
    builder = _Builder()
    token: Token
    for token in tokens(source):
        if token.kind == "text":
            builder.data(token.text)
        elif token.kind == "start":
            builder.start(token.name, token.attrs or {})
        else:
            builder.end(token.name)
    builder.flush()
    _cut_at_header_after_rule(builder)
    return builder


# "From:" in the languages of the common clients (GMX puts "Gesendet:" first).
_FROM_LABEL = re.compile(
    r"^\s*\**\s*(?:from|von|de|da|van|od|от|від|från|fra|frá|lähettäjä|feladó|kimden|"
    r"odesílatel|από|差出人|发件人|寄件者|보낸\s*사람|gesendet)\s*\**\s*[:：]",
    re.IGNORECASE)
# The header lines that follow it.
_NEXT_LABEL = re.compile(
    r"^\s*\**\s*(?:sent|date|to|subject|cc|gesendet|datum|an|betreff|von|envoyé|date|à|"
    r"objet|enviado|fecha|para|asunto|assunto|inviato|data|oggetto|verzonden|aan|"
    r"onderwerp|wysłano|do|temat|skickat|till|ämne|sendt|til|emne|отправлено|кому|тема|"
    r"送信日時|件名|宛先|发送时间|主题|收件人)\s*\**\s*[:：]",
    re.IGNORECASE)


def _cut_at_header_after_rule(builder: _Builder) -> None:
    """A rule followed by a header line ("From: ...") starts quoted history."""
    lines = builder.lines
    for start in builder.rules:
        if 0 <= builder.cut_at <= start:
            return
        k = start
        while k < len(lines) and k < start + 3 and not lines[k][2].strip():
            k += 1
        if k >= len(lines) or lines[k][0] or not _FROM_LABEL.match(lines[k][2]):
            continue
        after = next((x[2] for x in lines[k + 1 : k + 3] if x[2].strip()), "")
        if "@" in lines[k][2] or _NEXT_LABEL.match(after):
            builder.cut_at = start
            return


def _tidy(lines: list[str]) -> str:
    """Drop edge and repeated empty lines (a '> ' alone counts as empty)."""
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[-1].strip("> "):
        stripped.pop()
    while stripped and not stripped[0].strip("> "):
        stripped.pop(0)
    out: list[str] = []
    for line in stripped:
        if not line.strip("> ") and out and not out[-1].strip("> "):
            continue
        out.append(line)
    return "\n".join(out)


def html_texts(source: str) -> tuple[str, str]:
    """(text with quoted containers as '> ' lines, signature lines marked with SIG_MARK and
    an Outlook reply header as a CUT_MARK line; the plain text of the whole HTML)."""
    builder = _build(source)
    marked: list[str] = []
    plain: list[str] = []
    for index, (depth, sig, text) in enumerate(builder.lines):
        if index == builder.cut_at:
            marked.append(CUT_MARK)
        plain.append(text)
        prefix = "> " * depth if depth else (SIG_MARK if sig and text else "")
        marked.append(prefix + text)
    if builder.cut_at >= len(builder.lines):
        marked.append(CUT_MARK)
    return _tidy(marked), _tidy(plain)


def html_to_text(html: str, *, mark_quotes: bool = False) -> str:
    """Render HTML as readable text; with mark_quotes, quoted containers become '> ' lines,
    signature containers SIG_MARK lines and an Outlook reply header a CUT_MARK line."""
    marked, plain = html_texts(html)
    return marked if mark_quotes else plain

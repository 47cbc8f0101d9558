"""HTML to readable plain text (paragraphs, lists, links), marking quoted containers."""

from __future__ import annotations

from html.parser import HTMLParser

# A line holding only this character tells the trimmer "quoted history starts here".
CUT_MARK = "\ue000"

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol", "dl",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "center", "form", "address",
    "dt", "dd", "li", "hr", "main", "aside", "nav", "figure",
}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "blockquote"}
_SKIP = {"script", "style", "head", "title", "template", "noscript", "xml", "svg", "object"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
# class/id tokens of containers that hold quoted history.
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote",
                  "zmail_extra", "mailru-blockquote", "orig_message", "aolreplyheader",
                  "tutanota_quote", "reply_quote")
_CUT_IDS = ("divrplyfwdmsg", "appendonsend", "stopspelling", "x_divrplyfwdmsg",
            "oleobject", "mail-editor-reference-message-container", "reply-intro")


def _is_quote_container(tag: str, attrs: dict[str, str]) -> bool:
    """A container whose whole content is quoted history."""
    if tag == "blockquote":
        return True
    classes = attrs.get("class", "").lower().split()
    return any(q in cls for cls in classes for q in _QUOTE_CLASSES)


def _is_cut_point(tag: str, attrs: dict[str, str]) -> bool:
    """An element after which everything is quoted history (Outlook-style replies)."""
    ident = attrs.get("id", "").lower()
    if any(ident.startswith(c) for c in _CUT_IDS):
        return True
    if tag in ("div", "p"):
        style = attrs.get("style", "").lower().replace(" ", "")
        if "border-top:solid#e1e1e1" in style or "border-top:solid#b5c4df" in style:
            return "padding:3" in style
    return False


class _TextBuilder(HTMLParser):
    """Collects text with block structure; quoted containers get '> ' prefixes."""

    def __init__(self, mark_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.mark_quotes = mark_quotes
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a quote)
        self.skip_depth = 0
        self.pre_depth = 0
        self.list_stack: list[list[int]] = []  # per list: [is_ordered, counter]
        self.link_href: list[str] = []
        self.link_text_start: list[int] = []
        self.cut_done = False

    # -- output helpers
    def _text(self) -> str:
        return "".join(self.current)

    def flush(self) -> None:
        """End the current line."""
        text = self._text()
        if self.pre_depth == 0:
            text = " ".join(text.split())
        if text:
            self.lines.append("> " * self.quote_depth + text)
        self.current = []

    def blank(self) -> None:
        """End the current line and leave one empty line."""
        self.flush()
        if self.lines and self.lines[-1] != "":
            self.lines.append("> " * self.quote_depth if self.quote_depth else "")

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open an element."""
        tag = tag.lower()
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        attr = {k.lower(): (v or "") for k, v in attrs}
        if self.mark_quotes and not self.cut_done and _is_cut_point(tag, attr):
            self.blank()
            self.lines.append(CUT_MARK)
            self.cut_done = True
        opened = False
        if tag in _BLOCK:
            (self.blank if tag in _PARAGRAPH else self.flush)()
        if self.mark_quotes and _is_quote_container(tag, attr):
            self.flush()
            self.quote_depth += 1
            opened = True
        if tag == "br":
            if self._text().strip():
                self.flush()
            else:
                self.current = []
                self.lines.append("> " * self.quote_depth)
            return
        if tag == "pre":
            self.pre_depth += 1
        if tag in ("ul", "ol"):
            self.list_stack.append([tag == "ol", 0])
        if tag == "li":
            if self.list_stack and self.list_stack[-1][0]:
                self.list_stack[-1][1] += 1
                self.current.append(f"{self.list_stack[-1][1]}. ")
            else:
                self.current.append("- ")
        if tag in ("td", "th") and self._text().strip():
            self.current.append(" ")
        if tag == "a":
            self.link_href.append(attr.get("href", ""))
            self.link_text_start.append(len(self._text()))
        if tag == "img" and attr.get("alt"):
            self.current.append(attr["alt"])
        if tag not in _VOID:
            self.stack.append((tag, opened))

    def handle_endtag(self, tag: str) -> None:
        """Close an element (tolerating unbalanced markup)."""
        tag = tag.lower()
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth or tag in _VOID:
            return
        if not any(t == tag for t, _ in self.stack):
            return
        while self.stack:
            open_tag, opened = self.stack.pop()
            self._close(open_tag, opened)
            if open_tag == tag:
                break

    def _close(self, tag: str, opened: bool) -> None:
        if tag == "a" and self.link_href:
            href = self.link_href.pop()
            self.link_text_start.pop()
            label = self._text().strip()
            if href.startswith(("http://", "https://")) and href.rstrip("/") not in label:
                self.current.append(f" <{href}>")
        if tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag in ("ul", "ol") and self.list_stack:
            self.list_stack.pop()
        if tag in _BLOCK:
            (self.blank if tag in _PARAGRAPH else self.flush)()
        if opened:
            self.flush()
            self.quote_depth = max(0, self.quote_depth - 1)

    def handle_data(self, data: str) -> None:
        """Add text."""
        if self.skip_depth:
            return
        if self.pre_depth:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self.flush()
                self.current.append(part)
            return
        self.current.append(data.replace("\xa0", " "))


def html_to_text(html: str, *, mark_quotes: bool = False) -> str:
    """Render HTML as readable text; with mark_quotes, quoted containers become '> ' lines
    and an Outlook-style reply header becomes a CUT_MARK line."""
    builder = _TextBuilder(mark_quotes)
    try:
        builder.feed(html)
        builder.close()
    except Exception as exc:  # HTMLParser is lenient; keep what was collected on any defect
        builder.current.append(f" [unreadable HTML: {type(exc).__name__}]")
    builder.flush()
    lines = [line.rstrip() for line in builder.lines]
    while lines and not lines[-1].strip("> "):
        lines.pop()
    while lines and not lines[0].strip("> "):
        lines.pop(0)
    out: list[str] = []
    for line in lines:
        if not line.strip("> ") and out and not out[-1].strip("> "):
            continue
        out.append(line)
    return "\n".join(out)

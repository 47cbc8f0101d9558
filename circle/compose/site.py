"""The repertoire as a static, accessible HTML site: an index, one page per round, every story.

Pure: returns {relative path: text}; `cli/commands/repertoire.py` writes the files. Every
member text is escaped (`html.escape`) and shown as plain paragraphs. Reading needs no
JavaScript: `stories.html` lists every story and `themes.html` every theme across the years;
`search.html` adds an optional offline search over `search-index.js` (a script, not JSON, so
it loads from `file://` too). Anonymous stories carry no name and no id in any file.
"""

from __future__ import annotations

import json
import re
from html import escape

from circle.compose.digest_data import ThreadEntry
from circle.compose.shared import Repertoire, SharedRound, SharedStory
from circle.compose.text import long_date, month_name

_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")

STYLE = """:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fdfcf9;--muted:#55554f;--line:#d8d4c8;
--accent:#1f5f8b}
@media (prefers-color-scheme:dark){:root{--fg:#eeeae0;--bg:#1b1b19;--muted:#b9b5aa;--line:#44423c;
--accent:#8cc4ee}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1.0625rem/1.6 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
header,main,footer{max-width:42rem;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid var(--line);padding-top:1rem}
header p{margin:.25rem 0 .75rem}
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.5rem 0 1rem}
a{color:var(--accent)}a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
h1{font-size:1.75rem;line-height:1.25;margin:1.25rem 0 .5rem}
h2{font-size:1.3rem;margin:2rem 0 .5rem}h3{font-size:1.05rem;margin:1rem 0 .25rem}
.meta,.themes,footer{color:var(--muted);font-size:.95rem}
article{border-top:1px solid var(--line);padding:.5rem 0 1rem}
.question{font-size:1.15rem;font-style:italic}
.responses{border-left:3px solid var(--line);margin:.5rem 0 0 .25rem;padding:0 0 0 1rem;
list-style:none}
.responses li{margin:.75rem 0}
ol.list{padding-left:1.25rem}ol.list li{margin:.5rem 0}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=search]{width:100%;font:inherit;padding:.5rem;border:2px solid var(--muted);
border-radius:.25rem;background:var(--bg);color:var(--fg)}
footer{border-top:1px solid var(--line);margin-top:2rem;padding-top:1rem;padding-bottom:2rem}
"""

SEARCH_JS = """(function(){
var box=document.getElementById('q'),out=document.getElementById('results'),
say=document.getElementById('count');
function words(s){return s.toLowerCase().split(/[^\\p{L}\\p{N}]+/u).filter(Boolean);}
function run(){var w=words(box.value);out.textContent='';if(!w.length){say.textContent='';return;}
var found=window.CIRCLE_INDEX.filter(function(e){return w.every(function(x){
return e.words.indexOf(x)>=0||e.text.toLowerCase().indexOf(x)>=0;});});
say.textContent=found.length+(found.length===1?' story':' stories')+' found';
found.forEach(function(e){var li=document.createElement('li'),a=document.createElement('a');
a.href=e.url;a.textContent=e.title;li.appendChild(a);var p=document.createElement('p');
p.textContent=e.text.slice(0,200)+(e.text.length>200?'\\u2026':'');li.appendChild(p);
out.appendChild(li);});}
box.addEventListener('input',run);run();})();
"""


def slug(round_id: str) -> str:
    """A file-name-safe form of a round id ("2026-11")."""
    return _UNSAFE.sub("-", round_id).strip("-") or "round"


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def _page(rep: Repertoire, title: str, body: str, root: str = "") -> str:
    name = escape(rep.circle_name)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {name}</title>"
        f'<link rel="stylesheet" href="{root}style.css"></head><body>'
        f'<a class="skip" href="#main">Skip to the content</a>'
        f'<header><p><a href="{root}index.html">{name}</a> — our shared repertoire</p>'
        f'<nav aria-label="Site"><ul><li><a href="{root}index.html">Rounds</a></li>'
        f'<li><a href="{root}stories.html">Every story</a></li>'
        f'<li><a href="{root}themes.html">Themes</a></li>'
        f'<li><a href="{root}search.html">Search</a></li></ul></nav></header>'
        f'<main id="main">{body}</main>'
        f"<footer>For the members of {name} only: shared with the authors' consent. "
        f"Please do not pass it on.</footer></body></html>\n")


def _responses(entries: tuple[ThreadEntry, ...]) -> str:
    if not entries:
        return ""
    items = "".join(f"<li><h4 class=\"meta\">{escape(e.author)} responded</h4>"
                    f"{_paragraphs(e.text)}{_responses(e.children)}</li>" for e in entries)
    return f'<ul class="responses">{items}</ul>'


def _story(story: SharedStory) -> str:
    themes = (f'<p class="themes">Themes: {", ".join(escape(t) for t in story.themes)}</p>'
              if story.themes else "")
    replies = _responses(story.responses)
    heading = (f'<h3 id="story-{story.number}-responses" class="meta">Responses</h3>'
               if replies else "")
    return (f'<article id="story-{story.number}" aria-labelledby="story-{story.number}-by">'
            f'<h2 id="story-{story.number}-by">Story {story.number} · {escape(story.author)}</h2>'
            f"{_paragraphs(story.text)}{themes}{heading}{replies}</article>")


def _title(rnd: SharedRound) -> str:
    return f"{month_name(rnd.gathering)}"


def _round_page(rep: Repertoire, rnd: SharedRound) -> str:
    host = f" · hosted by {escape(rnd.host_name)}" if rnd.host_name else ""
    body = (f"<h1>{escape(_title(rnd))}</h1>"
            f'<p class="meta">Gathered on {escape(long_date(rnd.gathering))}{host} · '
            f"{len(rnd.stories)} {'story' if len(rnd.stories) == 1 else 'stories'}</p>"
            f'<p class="question">{escape(rnd.question) or "(no question recorded)"}</p>'
            + ("".join(_story(s) for s in rnd.stories) or "<p>No story was shared.</p>"))
    return _page(rep, _title(rnd), body, "../")


def _index(rep: Repertoire) -> str:
    items = "".join(
        f'<li><a href="rounds/{slug(r.id)}.html">{escape(_title(r))}</a>: '
        f"{escape(r.question)} <span class=\"meta\">({len(r.stories)} "
        f"{'story' if len(r.stories) == 1 else 'stories'})</span></li>"
        for r in reversed(rep.rounds))
    body = (f"<h1>{escape(rep.circle_name)}</h1><p>Every round's question and the stories "
            f"the circle shared, newest first: {len(rep.rounds)} rounds.</p>"
            f'<ol class="list" reversed>{items}</ol>')
    return _page(rep, "Rounds", body)


def _listing(rnd: SharedRound, story: SharedStory) -> str:
    first = " ".join(story.text.split())[:140]
    return (f'<li><a href="rounds/{slug(rnd.id)}.html#story-{story.number}">'
            f"{escape(_title(rnd))}, story {story.number} · {escape(story.author)}</a>"
            f"<br>{escape(first)}{'…' if len(story.text) > 140 else ''}</li>")


def _stories(rep: Repertoire) -> str:
    items = "".join(_listing(r, s) for r in reversed(rep.rounds) for s in r.stories)
    count = sum(len(r.stories) for r in rep.rounds)
    body = (f"<h1>Every story</h1><p>{count} stories, newest round first. Your browser's "
            f"find (Ctrl+F) searches this page.</p><ol class=\"list\">{items}</ol>")
    return _page(rep, "Every story", body)


def _themes(rep: Repertoire) -> str:
    by_theme: dict[str, list[tuple[SharedRound, SharedStory]]] = {}
    for rnd in rep.rounds:
        for story in rnd.stories:
            for theme in story.themes:
                by_theme.setdefault(theme.casefold(), []).append((rnd, story))
    sections = "".join(
        f'<h2 id="theme-{n}">{escape(theme)} <span class="meta">({len(found)})</span></h2>'
        f'<ol class="list">{"".join(_listing(r, s) for r, s in found)}</ol>'
        for n, (theme, found) in enumerate(sorted(by_theme.items()), start=1))
    body = ("<h1>Themes</h1><p>The themes of the stories across the years.</p>"
            + (sections or "<p>No theme yet.</p>"))
    return _page(rep, "Themes", body)


def search_index(rep: Repertoire) -> list[dict[str, object]]:
    """One entry per story: where it is, its title, its words (no ids, no anonymous names)."""
    out: list[dict[str, object]] = []
    for rnd in rep.rounds:
        for story in rnd.stories:
            text = " ".join(story.text.split())
            out.append({"url": f"rounds/{slug(rnd.id)}.html#story-{story.number}",
                        "title": f"{_title(rnd)}, story {story.number} · {story.author}",
                        "text": text,
                        "words": sorted({*(t.casefold() for t in story.themes),
                                         *story.author.casefold().split()})})
    return out


def _search(rep: Repertoire) -> str:
    body = ('<h1>Search</h1><form role="search" onsubmit="return false">'
            '<label for="q">Words to find in every story</label>'
            '<input id="q" type="search" autocomplete="off"></form>'
            '<p id="count" role="status" aria-live="polite"></p><ol id="results" class="list">'
            '</ol><noscript><p>Search needs JavaScript. Without it, <a href="stories.html">'
            "every story</a> is on one page: your browser's find searches it.</p></noscript>"
            '<script src="search-index.js"></script><script src="search.js"></script>')
    return _page(rep, "Search", body)


def site(rep: Repertoire) -> dict[str, str]:
    """Every file of the site, by relative path."""
    index = json.dumps(search_index(rep), ensure_ascii=False, indent=0).replace("</", "<\\/")
    files = {"index.html": _index(rep), "stories.html": _stories(rep),
             "themes.html": _themes(rep), "search.html": _search(rep), "style.css": STYLE,
             "search.js": SEARCH_JS,
             "search-index.js": f"window.CIRCLE_INDEX = {index};\n"}
    for rnd in rep.rounds:
        files[f"rounds/{slug(rnd.id)}.html"] = _round_page(rep, rnd)
    return files

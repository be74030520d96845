"""Section and index pages: HTML pages of a batch that are not an article.

A section front ("BBC News - Health"), a tag page or a home page is a list of other stories' headlines and
teasers. trafilatura still finds a "main text" in it, and as a document it would count those headlines as an
article's paragraphs and their quotes as said in it.

Two pieces of evidence, both needed:
- **What the site says about its own pages.** Sites mark article pages as articles: Open Graph `og:type`
  "article", or a schema.org article type (NewsArticle, BlogPosting, ...) in JSON-LD or microdata. Many sites
  mark nothing, or mark articles "website", so a missing mark alone means nothing. It means something when most
  pages of the same site in the batch carry it (`MIN_DECLARED` pages at least, `MIN_SHARE` of the site's pages)
  and this one does not.
- **The text reads as a list, not an article:** no two prose paragraphs in a row among the kept paragraphs
  (a prose paragraph: `PROSE_WORDS` words or more, ending like a sentence, not a list item). An article the site
  forgot to mark still has a run of prose.

A page with both is rejected as `not_an_article`, with the evidence in the detail. Plain-text files carry no such
marks and are never judged this way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlparse

# schema.org types that say "this page is an article" (Article and the subtypes news and blog pages use)
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "report", "scholarlyarticle", "techarticle", "satiricalarticle",
})
MIN_DECLARED = 4  # pages of the site in the batch that declare themselves articles
MIN_SHARE = 0.75  # ... and the share of the site's pages in the batch they are
PROSE_WORDS = 20
MAX_PROSE_RUN = 1  # an index page has at most this many prose paragraphs in a row

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_LIST_ITEM = re.compile(r"^(?:[-*•·▪►]\s|\d{1,2}[.)]\s)")


@dataclass(frozen=True)
class PageMarks:
    """What an HTML page says about itself: its site's host and whether it declares itself an article."""

    host: str | None
    declares_article: bool


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlparse(url.strip()).hostname or ""  # lower-cased, without user or port
    except ValueError:  # "http://[abc": a malformed IPv6 host names no site
        return None
    return host.removeprefix("www.") or None


def _ld_types(node) -> list[str]:
    """Every schema.org @type in a parsed JSON-LD value (nested objects and @graph included)."""
    if isinstance(node, list):
        return [t for item in node for t in _ld_types(item)]
    if not isinstance(node, dict):
        return []
    types = node.get("@type", [])
    types = [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)]
    return types + [t for key, value in node.items() if key != "@type" for t in _ld_types(value)]


def page_marks(tree, url: str | None = None) -> PageMarks:
    """The host (from `url`, else og:url, else the canonical link; without "www.") and the article marks of a
    parsed page (an lxml tree, as trafilatura.load_html returns)."""
    og_type = tree.xpath("string(//meta[@property='og:type' or @name='og:type']/@content)").strip().lower()
    declared = og_type == "article" or og_type.startswith("article:")
    if not declared:
        itemtypes = tree.xpath("//*[@itemtype]/@itemtype")
        declared = any(t.rstrip("/").rsplit("/", 1)[-1].lower() in ARTICLE_TYPES for t in itemtypes)
    if not declared:
        for script in tree.xpath("//script[@type='application/ld+json']/text()"):
            try:
                types = _ld_types(json.loads(script))
            except (ValueError, RecursionError):  # broken or absurdly nested JSON-LD says nothing
                continue
            if any(t.lower() in ARTICLE_TYPES for t in types):
                declared = True
                break
    host = (_host(url) or _host(tree.xpath("string(//meta[@property='og:url']/@content)"))
            or _host(tree.xpath("string(//link[@rel='canonical']/@href)")))
    return PageMarks(host, declared)


def prose_run(texts: list[str]) -> int:
    """The longest run of consecutive prose paragraphs in `texts` (the kept paragraphs, in order)."""
    best = run = 0
    for text in texts:
        text = text.strip()
        if len(text.split()) >= PROSE_WORDS and _SENTENCE_END.search(text) and not _LIST_ITEM.match(text):
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def index_pages(pages: list[tuple[PageMarks, list[str]]]) -> dict[int, str]:
    """{position in `pages`: reject detail} for the pages of a batch that are section or index pages.

    `pages` holds, per HTML page of the batch, its marks and its kept paragraphs."""
    by_host: dict[str, list[int]] = {}
    for i, (marks, _) in enumerate(pages):
        if marks.host:
            by_host.setdefault(marks.host, []).append(i)
    out = {}
    for host, members in by_host.items():
        declared = sum(pages[i][0].declares_article for i in members)
        if declared < MIN_DECLARED or declared < MIN_SHARE * len(members):
            continue
        for i in members:
            marks, texts = pages[i]
            run = prose_run(texts)
            if not marks.declares_article and run <= MAX_PROSE_RUN:
                out[i] = (f"{host} marks {declared} of its {len(members)} pages in this batch as articles, not this "
                          "one, and its text has no two prose paragraphs in a row: a section or index page")
    return out

"""Section and index pages (tasks/pagetype.py): what a page says about itself, and the batch-level rejection."""

from __future__ import annotations

import trafilatura

from tasks import reasons
from tasks.pagetype import PageMarks, index_pages, page_marks, prose_run

PROSE = [
    "The council voted on Tuesday to close the old library, ending a campaign that residents had fought for "
    "more than three years against the plan.",
    "Officials said the building would be sold to a developer, and that the money would go towards a new "
    "community centre on the other side of the town.",
    "Residents who opposed the closure said they would now ask the regional government to review the decision "
    "before the sale goes through next spring.",
]
HEADLINES = ["Council closes old library", "New bridge opens to traffic", "Schools get more funding",
             "Storm damages harbour wall", "Mayor answers questions on housing", "Football club signs striker"]


def _marks(head: str, url: str | None = None) -> PageMarks:
    return page_marks(trafilatura.load_html(f"<html><head>{head}</head><body><p>x</p></body></html>"), url)


def test_open_graph_json_ld_and_microdata_declare_an_article():
    assert _marks('<meta property="og:type" content="article"/>').declares_article
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
          '[{"@type": "WebPage"}, {"@type": ["NewsArticle"], "headline": "x"}]}</script>')
    assert _marks(ld).declares_article
    micro = page_marks(trafilatura.load_html(
        '<html><body><div itemscope itemtype="https://schema.org/BlogPosting"><p>x</p></div></body></html>'))
    assert micro.declares_article


def test_website_pages_and_broken_json_ld_declare_nothing():
    assert not _marks('<meta property="og:type" content="website"/>').declares_article
    assert not _marks('<script type="application/ld+json">{"@type": "CollectionPage"</script>').declares_article
    assert not _marks('<script type="application/ld+json">{"@type": "CollectionPage"}</script>').declares_article
    nested = "[" * 5000 + "]" * 5000
    assert not _marks(f'<script type="application/ld+json">{nested}</script>').declares_article


def test_host_from_url_then_og_url_then_canonical_link():
    assert _marks("", "https://www.example.org/news/1").host == "example.org"
    assert _marks('<meta property="og:url" content="http://news.example.org/a-1"/>').host == "news.example.org"
    assert _marks('<link rel="canonical" href="http://www.example.org/health/"/>').host == "example.org"
    assert _marks("").host is None
    assert _marks("", "http://User@WWW.Example.org:8080/a").host == "example.org"
    assert _marks('<meta property="og:url" content="http://[broken/a"/>').host is None  # no crash, no site


def test_prose_run_counts_consecutive_prose_paragraphs_only():
    assert prose_run(PROSE) == 3
    assert prose_run([PROSE[0], HEADLINES[0], PROSE[1]]) == 1
    assert prose_run(["- " + p for p in PROSE]) == 0  # list items: teasers on an index page
    assert prose_run([p.rstrip(".") for p in PROSE]) == 0  # not ending like a sentence
    assert prose_run(HEADLINES) == 0


def _site(n_declared: int, n_undeclared_articles: int = 0, host: str = "example.org"):
    pages = [(PageMarks(host, True), PROSE) for _ in range(n_declared)]
    pages += [(PageMarks(host, False), PROSE) for _ in range(n_undeclared_articles)]
    return pages


def test_an_unmarked_list_page_of_a_site_that_marks_its_articles_is_an_index_page():
    pages = _site(4) + [(PageMarks("example.org", False), HEADLINES + [PROSE[0]])]
    found = index_pages(pages)
    assert list(found) == [4]
    assert "example.org marks 4 of its 5 pages" in found[4]


def test_no_index_page_without_enough_evidence():
    listing = (PageMarks("example.org", False), HEADLINES)
    assert index_pages(_site(3) + [listing]) == {}  # too few pages declare themselves
    assert index_pages(_site(4, n_undeclared_articles=2) + [listing]) == {}  # 4 of 7: the site marks irregularly
    assert index_pages(_site(4, host="other.org") + [listing]) == {}  # another site's marks say nothing here
    assert index_pages(_site(5) + [(PageMarks(None, False), HEADLINES)]) == {}  # no host: no site to compare
    # an article the site forgot to mark still has a run of prose
    assert index_pages(_site(5) + [(PageMarks("example.org", False), [HEADLINES[0], *PROSE])]) == {}


def _html(i: int, article: bool) -> str:
    head = '<meta property="og:type" content="article"/>' if article else ""
    canonical = f"http://www.example.org/news/{'story-' + str(i) if article else 'health/'}"
    if article:
        body = f"<article><h1>Story {i}</h1>" + "".join(f"<p>{p} Story {i}.</p>" for p in PROSE) + "</article>"
    else:
        body = "<main><h1>Health</h1><ul>" + "".join(
            f'<li><a href="/news/{j}">{h}</a> <p>{h} and what it means for the town, in a short teaser.</p></li>'
            for j, h in enumerate(HEADLINES)) + "</ul></main>"
    return (f'<html><head><title>Example News</title>{head}<link rel="canonical" href="{canonical}"/></head>'
            f"<body>{body}</body></html>")


def test_clean_docs_rejects_the_index_page_and_keeps_the_articles(tmp_path):
    from tasks.boilerplate import HtmlOptions, clean_docs
    from tasks.records import Doc, SourceFile

    def batch():
        docs = []
        for i in range(6):
            d = Doc(SourceFile("b", f"b/{i}.html", str(tmp_path / f"{i}.html"), 1, 0), f"{i:064x}", b"", 0.0)
            d.content = _html(i, article=i < 5)
            docs.append(d)
        return docs

    out, rejects = clean_docs(batch(), HtmlOptions(timeout_s=None))
    assert [d.source.source_path for d in out] == [f"b/{i}.html" for i in range(5)]
    assert [(r.source.source_path, r.reason) for r in rejects] == [("b/5.html", reasons.NOT_AN_ARTICLE)]
    assert "section or index page" in rejects[0].detail
    out, rejects = clean_docs(batch(), HtmlOptions(timeout_s=None, index_pages=False))
    assert len(out) == 6 and not rejects

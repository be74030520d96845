import json
from datetime import date

import pytest

from tasks import reasons
from tasks.boilerplate import clean_document, clean_paragraphs, parse_date, split_paragraphs
from tasks.normalise import normalise_text
from tasks.records import RejectError

from .conftest import GOLD, SAMPLE


@pytest.mark.parametrize(
    "text, expected",
    [
        ("March 18, 2025", date(2025, 3, 18)),
        ("Europe, News, US March 20, 2025 No Comments", date(2025, 3, 20)),
        ("18 March 2025", date(2025, 3, 18)),
        ("18. März 2025", date(2025, 3, 18)),
        ("Published 2025-03-18T10:00", date(2025, 3, 18)),
        ("am 18.03.2025 um 10 Uhr", date(2025, 3, 18)),
        ("Feb. 30, 2025", None),
        ("no date here", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_split_paragraphs_lines_and_hard_wrap():
    assert split_paragraphs("One.\nTwo.\n\n\nThree.") == ["One.", "Two.", "Three."]
    wrapped = "\n".join(["This line of a hard-wrapped paragraph goes on and on without"] * 3 + ["an end."])
    assert len(split_paragraphs(wrapped)) == 1


def test_clean_paragraphs_moves_metadata_and_removes_furniture():
    paras = [
        "Minister resigns over budget row",
        "By Jane Doe",
        "March 3, 2025",
        "The minister resigned on Monday after a row over the budget, officials said.",
        "Related article: Budget talks collapse",
        "She had been in office for two years and was expected to stay until the election.",
        "Minister resigns over budget row",
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Original url:",
        "https://example.com/news/minister-resigns",
    ]
    c = clean_paragraphs(paras)
    assert (c.title, c.byline, c.published, c.url) == (
        "Minister resigns over budget row", "Jane Doe", date(2025, 3, 3), "https://example.com/news/minister-resigns")
    kept = [p.text for p in c.paragraphs if p.kept]
    assert kept == [paras[3], paras[5]]
    why = {p.text: p.reason for p in c.paragraphs if not p.kept}
    assert why["Related article: Budget talks collapse"] == "related_link"
    assert why["Leave a Reply"] == "comment_form"
    assert c.paragraphs[6].reason == reasons.DUPLICATE_TITLE


def test_tail_block_removes_the_appeal_after_its_header():
    body = [f"Paragraph {i} of the article, which reports what happened in some detail." for i in range(6)]
    tail = ["A Message from The Example Times:", "Dear readers,", "Times are hard for us.", "Continue"]
    c = clean_paragraphs(["Headline here", *body, *tail])
    assert [p.text for p in c.paragraphs if p.kept] == body
    assert {p.reason for p in c.paragraphs[-4:]} == {"donation_appeal"}


def test_nothing_left_is_a_reject():
    with pytest.raises(RejectError) as info:
        clean_document("Leave a Reply", "x.txt")
    assert info.value.reason == reasons.EMPTY_AFTER_CLEANING


def test_html_goes_through_trafilatura():
    body = "".join(f"<p>Paragraph {i}: the council voted on the new budget on Tuesday evening.</p>" for i in range(5))
    html = (f"<html><head><title>Budget vote</title><meta name='author' content='Jo Bloggs'></head><body>"
            f"<nav><a href='/'>Home</a><a href='/news'>News</a></nav><article><h1>Budget vote</h1>{body}</article>"
            f"<footer>Copyright 2025 Example Media</footer></body></html>")
    c = clean_document(html, "x/page.html.gz")
    kept = " ".join(p.text for p in c.paragraphs if p.kept)
    assert "Paragraph 4: the council voted" in kept and "Copyright" not in kept and "Home" not in kept
    assert c.title == "Budget vote" and c.byline == "Jo Bloggs"


# -- golden: the seeds, annotated by hand in tests/gold/seed_documents.jsonl -----------------------------------

GOLD_DOCS = [json.loads(line) for line in (GOLD / "seed_documents.jsonl").read_text().splitlines()]


def _clean_seed(name: str):
    path = next(SAMPLE.rglob(name))
    return clean_document(path.read_text(encoding="utf-8"), path.name)


@pytest.mark.parametrize("gold", GOLD_DOCS, ids=lambda g: g["file"][:3])
def test_seed_boilerplate_removed_and_content_kept(gold):
    c = _clean_seed(gold["file"])
    kept = [normalise_text(p.text) for p in c.paragraphs if p.kept]
    for line in gold["boilerplate_lines"]:
        assert normalise_text(line) not in kept, f"furniture kept: {line!r}"
    for start in gold["content_starts"]:
        want = normalise_text(start).lstrip("“‘")
        assert any(k.lstrip("“‘").startswith(want) for k in kept), f"content lost: {start!r}"


@pytest.mark.parametrize("gold", GOLD_DOCS, ids=lambda g: g["file"][:3])
def test_seed_metadata(gold):
    c = _clean_seed(gold["file"])
    assert c.title == gold["title"]
    assert c.byline == gold["byline"]
    assert (c.published.isoformat() if c.published else None) == gold["published"]
    assert c.url == gold["url"]

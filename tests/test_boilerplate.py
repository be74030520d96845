import json
from datetime import date

import pytest

from tasks import reasons
from tasks.boilerplate import HtmlOptions, clean_document, clean_paragraphs, extract_html, parse_date, split_paragraphs
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
        ("News date : 04/21/2022", date(2022, 4, 21)),
        ("- DATE : 27/09/2020", date(2020, 9, 27)),
        ("Feb. 30, 2025", None),
        ("13/13/2020", None),
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


# -- whole-page dumps, templates, time limit --------------------------------------------------------------------

ARTICLE = [
    "The city council voted on Tuesday to close the old bridge for repairs, after engineers warned that the "
    "steel supports had corroded far faster than expected over the past winter.",
    "The mayor said the closure would last at least six months and that a temporary ferry would carry commuters "
    "across the river in the meantime, at no cost to them.",
    "It will be a hard year.",
    "Residents who live near the bridge said they had been asking for the repairs for years and were relieved "
    "that the council had finally acted, even if the timing was bad for local shops.",
]
MENU = ["Home", "News", "Sport", "Weather", "Business", "Culture", "Video", "Share this page", "Facebook", "Twitter"]
FOOTER = ["About us", "Contact", "Privacy policy", "Terms of use", "© 2025 Example Media Group"]


def test_whole_page_dump_keeps_the_article_and_drops_menus_and_footer():
    dump = "\n\n".join(["Bridge to close for repairs - Example News", *MENU, "Bridge to close for repairs",
                        *ARTICLE, *MENU[-3:], *FOOTER])
    c = clean_document(dump, "page.txt")
    kept = [p.text for p in c.paragraphs if p.kept]
    assert kept == ARTICLE  # the short sentence between two prose blocks stays
    assert {p.reason for p in c.paragraphs if p.text in MENU + FOOTER[:-1]} == {reasons.LOW_CONTENT}
    assert c.paragraphs[-1].reason == "copyright"


@pytest.mark.parametrize(
    "texts, expected",
    [
        (["Home", "News", "Sport", ARTICLE[0], "Contact"], ["bad", "bad", "bad", "good", "bad"]),
        ([ARTICLE[0], "A subheading", ARTICLE[1]], ["good", "good", "good"]),
        ([ARTICLE[0], "It will be a hard year."], ["good", "good"]),
        (["Nur ein kurzer Satz", "© 2025 Example"], ["bad", "bad"]),
    ],
)
def test_classify_blocks(texts, expected):
    from tasks.boilerplate import classify_blocks, pick_stoplist

    assert classify_blocks(texts, pick_stoplist(texts)) == expected


def test_stoplist_follows_the_document_language():
    from tasks.boilerplate import pick_stoplist

    assert "und" in pick_stoplist(["Die Regierung hat am Dienstag über die Pläne und die Kosten beraten."])
    assert "the" in pick_stoplist(ARTICLE)


def test_templates_are_paragraphs_repeated_across_the_batch():
    from tasks.boilerplate import HtmlOptions, find_templates, template_key

    blurb = "About this blog: news from the city hall, every weekday."
    wire = "A long wire paragraph " + "that several sites published word for word " * 6
    docs = [[f"Story {i} text.", blurb, "Home"] for i in range(4)] + [[wire], [wire], [wire, "Home"]]
    found = find_templates(docs, HtmlOptions())
    assert template_key(blurb) in found and template_key("Home") in found
    assert template_key(wire) not in found  # long and in 3 of 7 documents: syndication, not a template
    assert not any(template_key(f"Story {i} text.") in found for i in range(4))


def test_clean_docs_removes_batch_templates(tmp_path):
    from tasks.boilerplate import HtmlOptions, clean_docs
    from tasks.records import Doc, SourceFile

    blurb = "Our newsroom is independent and reader funded, read our standards and ethics policy here."
    docs = []
    for i in range(4):
        text = f"Headline {i}\n\n{ARTICLE[i % 2]} Story number {i}.\n\n{blurb}\n\n{ARTICLE[3]} Again {i}."
        d = Doc(SourceFile("b", f"b/{i}.txt", str(tmp_path / f"{i}.txt"), 1, 0), f"{i:064x}", b"", 0.0)
        d.content = text
        docs.append(d)
    out, rejects = clean_docs(docs, HtmlOptions())
    assert not rejects
    for d in out:
        assert [p.reason for p in d.paragraphs if p.text == blurb] == [reasons.TEMPLATE]
        assert sum(p.kept for p in d.paragraphs) == 2


def test_comment_block_after_the_article_goes_but_not_before_any_prose():
    paras = ["Title line", *ARTICLE, "Add a Comment", "Jane wrote:", "I think the council is wrong about this."]
    c = clean_paragraphs(paras, blocks=True)
    assert [p.text for p in c.paragraphs if p.kept] == ARTICLE
    # a "comments" link in the menu before the article must not take the article with it
    c = clean_paragraphs(["Title line", "Comments", *ARTICLE], blocks=True)
    assert [p.text for p in c.paragraphs if p.kept] == ARTICLE


@pytest.mark.parametrize(
    "line, caption",
    [
        ("Donald Trump and Vladimir Putin at the summit in Helsinki last July / AFP", True),
        ("Firefighters at the scene of the blaze in the city centre on Monday morning after the roof fell", True),
        ("- Dubbed into eight languages: Farsi, French, Spanish, Italian, German, Polish and Russian", False),
        ("He said the plan was fine. The council disagreed and voted it down on a show of hands", False),
        ("AFP / MARCO BERTORELLO", True),
        ("Marco Odermatt, Ski-Star aus der Schweiz. © AFP / MARCO BERTORELLO", True),
        ("Fot. Lukasz Nowaczyk / Agencja Gazeta", True),
        ("AP said the vote was close.", False),
    ],
)
def test_caption_rule(line, caption):
    from tasks.boilerplate import _is_caption

    assert _is_caption(line) is caption


def _slow_page(n: int = 30000) -> str:
    # trafilatura's time grows faster than linearly with this many blocks: 50,000 took 50 s on the dev machine
    return "<html><body>" + "".join(f"<div><p>word {i} and more words.</p></div>" for i in range(n)) + "</body></html>"


def test_extraction_time_limit_rejects_only_the_slow_page():
    from tasks.boilerplate import HtmlOptions, extract_html_batch

    body = "".join(f"<p>Paragraph {i}: the council voted on the new budget on Tuesday evening.</p>" for i in range(5))
    ok = f"<html><body><article><h1>Budget vote</h1>{body}</article></body></html>"
    out = extract_html_batch([_slow_page(), ok, ok], HtmlOptions(timeout_s=2.0))
    assert isinstance(out[0], RejectError) and out[0].reason == reasons.EXTRACTION_TIMEOUT
    assert all(not isinstance(x, RejectError) and "Paragraph 4" in x.texts[-1] for x in out[1:])


def test_read_time_line_in_the_head_is_metadata():
    c = clean_paragraphs(["Bridge to close", "4 min read", *ARTICLE])
    assert [p.reason for p in c.paragraphs[:2]] == [reasons.TITLE, reasons.DATELINE]
    assert [p.text for p in c.paragraphs if p.kept] == ARTICLE


# -- quotations are content (PolNeAR: bench/eval_extraction.py --quote-survival) ---------------------------------


@pytest.mark.parametrize(
    "text, quotation",
    [
        ("“We will win,” he said.", True),
        ("He says: “I wonder why it was bad. Think of that.”", True),
        ("Her doctor is calling the candidate “extremely physically fit.”", True),
        ("“It is over. We lost and we must accept that.”", True),
        ("„Wir schaffen das“, sagte die Kanzlerin.", True),
        ("Bruce Springsteen’s “American Skin”", False),  # a title in marks, nobody speaks
        ("Read: “The spy who’s been left in the cold”", False),  # a teaser link, not speech
        ("“Jeb wants to be a tough guy tonight,” Trump shot back.", True),
        ("Don’t miss our newsletter", False),
        ("Home", False),
    ],
)
def test_is_quotation(text, quotation):
    from tasks.boilerplate import is_quotation

    assert is_quotation(text) is quotation


def test_short_quote_paragraphs_are_never_low_content():
    paras = ["Trump rallies in Michigan", "7 p.m.", "Trump says voter fraud “would be one hell of a way to lose.”",
             ARTICLE[0], "“Anybody but Trump,” the banner read.", "___.", "5:45 p.m.",
             "His doctor is calling the candidate “extremely physically fit.”", ARTICLE[1]]
    c = clean_paragraphs(paras, blocks=True)
    kept = [p.text for p in c.paragraphs if p.kept]
    assert [t for t in paras if "“" in t] == [t for t in kept if "“" in t]


@pytest.mark.parametrize(
    "paras, title",
    [
        # a headline the source ended with a full stop is the title; the quote paragraph after it is body
        (["Stealth Over Health: Clinton Was Headed to ER.",
          "The Post reports her team wanted to “keep the details of her medical treatment under wraps.”"],
         "Stealth Over Health: Clinton Was Headed to ER."),
        # no headline: a body paragraph ending in a quotation is never taken for one
        ([ARTICLE[0], "The Post reports her team wanted to “keep the details of her treatment under wraps.”",
          "“We’re so excited to meet our second grandchild!”", "“Anybody but Trump,”"], None),
        (["WASHINGTON (AP) — The Latest on the U.S. presidential race (all times EDT):", ARTICLE[0]], None),
    ],
)
def test_title_is_never_a_body_sentence(paras, title):
    c = clean_paragraphs(paras, blocks=True)
    assert c.title == title
    assert all(p.kept for p in c.paragraphs if p.text != title)


@pytest.mark.parametrize(
    "line, category",
    [
        ("ANZEIGE - Heute mal ausgehen? Wie wäre es mit:", "advertisement"),
        ("This post contains references to products from one or more of our advertisers.", "advertisement"),
        ("For the latest stories and breaking news updates download the Example apps for iOS and Android.",
         "subscription_prompt"),
        ("Example Gamer Newsletter", "subscription_prompt"),
        (">> Wegen Corona: Lokal auf Mallorca muss schließen <<", "related_link"),
        ("MIRA: Madre se acerca a conocer los motivos", "related_link"),
        ("Beitragsbild: Titelseite vom 2.4.2019", "media_notice"),
        ("»Wir schaffen das«, sagte sie.", None),
        ("The newsletter went out to 40,000 readers on Monday, the editor said.", None),
    ],
)
def test_phrase_categories(line, category):
    from tasks.boilerplate import load_phrases

    assert next((c for c, _, pattern in load_phrases() if pattern.match(line)), None) == category


BODY = [f"Paragraph {i} of the article reports what the council decided on Monday and why it matters to residents."
        for i in range(4)]


@pytest.mark.parametrize(
    "line, category",
    [
        ("This post has been updated since it was first published.", "editors_note"),
        ("Dieser Artikel wurde aktualisiert.", "editors_note"),
        # a tweet's attribution is the tweet's speaker (trafilatura-eval's gold keeps it): not furniture
        ("— Jane Roe (@janeroe) April 2, 2013", None),
        ("Continue reading the main story", "navigation"),
        ("“Start Quote", "pull_quote"),
        ("End Quote Jane Roe Chief Executive, Example Corp", "pull_quote"),
        ("Take it for a spin and let us know what you think in the comments below.", "comment_form"),
        ("Read: The spy who was left in the cold", "related_link"),
        ("Visit Example.com for breaking news, world news, and news about the economy", "related_link"),
        ("Example News © 2013 Example News is not responsible for the content of external sites.", "copyright"),
        # the article's own sentences
        ("The story has been told many times, but never like this, she said.", None),
        ("The report was first published in 2019.", None),
        ("He wrote that readers could let us know in the comments what they think of the plan, if they liked.", None),
        ("— and then, she said, the vote was over.", None),
        ("Reading: the town west of London voted to leave.", None),
    ],
)
def test_new_phrase_categories(line, category):
    # past the head (first 6 paragraphs), where a short dated line is the article's dateline
    c = clean_paragraphs(["Title line", *BODY, *BODY[:2], line, *BODY[2:]])
    got = c.paragraphs[7]
    assert got.text == line
    assert (None if got.kept else got.reason) == category


@pytest.mark.parametrize(
    "teaser, removed",
    [
        ("In a recently resurfaced interview, an actor speaks about the film and what he learned. Read More", True),
        ("Kansas schools have been told insurance will not cover them. Read more »", True),
        ("Die Schulen dürfen keine Waffen mehr erlauben, sagt die Versicherung. Weiterlesen", True),
        # "read more" as the sentence's own words, and a long paragraph with a link at its end
        ("Since she retired she has found the time to read more.", False),
        (" ".join(["The council met for six hours and argued about the budget line by line."] * 6) + " Read more", False),
    ],
)
def test_teaser_ending_in_read_more_is_a_related_link(teaser, removed):
    c = clean_paragraphs(["Title line", *BODY, teaser, *BODY])
    p = next(p for p in c.paragraphs if p.text == teaser)
    assert (not p.kept, p.reason) == ((True, "related_link") if removed else (False, None))


def test_glued_skip_link_is_split_from_its_subheading():
    c = clean_paragraphs(["Title line", *BODY[:2], "Global shift? Continue reading the main story", *BODY[2:]])
    texts = [(p.text, p.kept, p.reason) for p in c.paragraphs]
    assert ("Global shift?", True, None) in texts
    assert ("Continue reading the main story", False, "navigation") in texts


@pytest.mark.parametrize(
    "tail, removed",
    [
        (["Jane Roe is a senior producer for Up w/ Example."], 1),
        (["Thanks for reading!", "Jane Roe is The Post’s mobile projects editor."], 1),
        (["With reporting from John Doe.", "Jane Roe is a correspondent based in Berlin."], 2),
        (["(Reporting by Jane Roe; Editing by John Doe)"], 1),
        (["John Doe and Jane Roe contributed to this report."], 1),
        # the same words are the story when the article goes on after them, or when no name leads the line
        (["Jane Roe is a senior producer for Example News.", BODY[0]], 0),
        (["The company is the largest producer of steel in the region."], 0),
        (["Reporting from Kyiv is dangerous for journalists, the group said."], 0),
        (["John Smith was a reporter for the Times for 30 years."], 0),
        (["Mit Material von dpa"], 1),
        (["Informationen von der Polizei gab es zunächst nicht."], 0),
        # an agency's or editor's sign-off closing the article (Polish agency initials, a bare acronym, "(dpa)")
        (["aja/PAP"], 1),
        (["kb, mm/PAP"], 1),
        (["RIRM"], 1),
        (["(dpa)"], 1),
        (["RIRM", BODY[0]], 0),
        (["UFSJ", "UFRGS", "IFB"], 0),  # a list of acronyms ends there, no sign-off
        (["Das teilte die Polizei am Abend mit (dpa)."], 0),
    ],
)
def test_trailing_bio_and_credit_lines(tail, removed):
    c = clean_paragraphs(["Title line", *BODY, *tail])
    dropped = [p for p in c.paragraphs[1:] if not p.kept]
    assert len(dropped) == removed
    assert all(p.reason == "author_note" for p in dropped)


def test_pull_quote_markers_go_and_the_quotations_stay():
    said = "“Just because it’s digital doesn’t mean it always works,” says Jane Roe, chief executive of Example."
    pull = "Just because it’s digital doesn’t mean it always works”"
    c = clean_paragraphs(["Title line", *BODY[:2], "“Start Quote", pull, "End Quote Jane Roe Example", *BODY[2:],
                          said])
    why = {p.text: (p.kept, p.reason) for p in c.paragraphs}
    assert why["“Start Quote"] == why["End Quote Jane Roe Example"] == (False, "pull_quote")
    # the display quote repeats a quotation: left for the quote stage (PolNeAR keeps such copies in its gold)
    assert why[pull] == why[said] == (True, None)


def test_headlines_under_a_related_heading_go_until_prose():
    lines = ["Read: The spy who was left in the cold", "Longreads: Resurfaced: The Spy Who Was Left in the Cold"]
    c = clean_paragraphs(["Title line", *BODY, "Related:", *lines, "This sentence is the article again, as it goes on.",
                          "Another headline without a stop"], unpunctuated_captions=False)  # as for HTML
    why = {p.text: (p.kept, p.reason) for p in c.paragraphs}
    assert [why[t] for t in lines] == [(False, "related_link")] * 2
    # the list ends at the first line that reads like a sentence: what follows is left to the other rules
    assert why["This sentence is the article again, as it goes on."] == (True, None)
    assert why["Another headline without a stop"] == (True, None)


def test_reader_comments_after_the_article_go_from_the_first_header():
    comments = ["10:02 pm January 12, 2012", "rpc wrote :", "I commend him for his efforts, and I think he is right.",
                "2:53 pm January 12, 2012", "Marcus wrote :",
                "I totally agree. I had the pleasure to meet the ambassador and he is top class, as the article says."]
    c = clean_paragraphs(["Title line", *BODY, *BODY, *comments], blocks=True)
    assert [p.text for p in c.paragraphs if p.kept] == BODY + BODY
    assert {p.reason for p in c.paragraphs if p.text in comments} == {"comment_form"}
    # one letter quoted in the article beside a dated line is not a comment section
    letter = ["9:44 am January 12, 2012", "The mayor wrote:", "“We will not close the library,” the letter said."]
    c = clean_paragraphs(["Title line", *BODY, *BODY, *letter, *BODY])
    assert all(p.kept for p in c.paragraphs if p.text in letter)


@pytest.mark.parametrize(
    "line, category",
    [
        ("Listen via iPlayer or download the podcast.", "media_notice"),
        ("Follow @JaneRoe on Twitter.", "share_prompt"),
    ],
)
def test_promo_lines(line, category):
    c = clean_paragraphs(["Title line", *BODY, line, *BODY])
    assert next(p.reason for p in c.paragraphs if p.text == line) == category


@pytest.mark.parametrize(
    "line, caption",
    [
        # where the people stand in the picture, after their names
        ("Senator Aubyn Hill (right), looks on as Chief Executive Officer Gary Scott (left), addresses a reception.",
         True),
        ("Richard Osman (left), 40.", True),
        # a photographer's credit closing the caption
        ("Ada Álvarez Conde anticipó que renunciará a la presidencia. (Teresa Canino Rivera)", True),
        ("Agents found 475 pounds of cocaine inside a vessel in Las Croabas. By U.S. CUSTOMS AND BORDER PROTECTION",
         True),
        ("Eva Welskop-Deffaa nach der Wahl zur Präsidentin zusammen mit Wahlleiter Matthias Mitzscherlich.DCV / Oppitz",
         True),
        ("© Bundesrat | Frank Bräuer", True),
        # a table row, a direction, a sentence with a name in parentheses or capitals, an abbreviation with a slash
        ("| 目の前で | me no mae de | (right) in front of you |", False),
        ("At the lights, turn (right) and follow the road.", False),
        ("The bill passed 52-48 (Senate Vote).", False),
        ("The agency said it would act. By MONDAY the plan was dead.", False),
        ("She works for the BBC/ITV joint venture.", False),
    ],
)
def test_caption_credits_and_picture_positions(line, caption):
    from tasks.boilerplate import _is_caption

    assert _is_caption(line, unpunctuated=False) is caption


@pytest.mark.parametrize(
    "line, category",
    [
        ("Aktualisiert am 17.01.2021.", "editors_note"),
        ("Last updated: 02/03/2021", "editors_note"),
        ("This article originally appeared on Example US.", "editors_note"),
        ("Zum Weiterlesen:", "related_link"),
        ("| Weitere Artikel zum Thema |", "related_link"),
        ("Weitere\u00a0Artikel zum Thema", "related_link"),
        ("Get Example News’s Daily Edition by email and never miss our top stories Free Sign Up", "subscription_prompt"),
        ("Mit der Registrierung akzeptieren Sie unsere Datenschutz- und Nutzungsbedingungen.", "subscription_prompt"),
        ("Pour accéder en illimité", "subscription_prompt"),
        ("Do you want to be informed of our actions? Sign up here", "subscription_prompt"),
        ("Sie möchten keinen Beitrag verpassen? Dann abonnieren Sie unseren Newsletter!", "subscription_prompt"),
        ("Tú también puedes hacer periodismo incómodo. Cancela cuando quieras.", "subscription_prompt"),
        ("Czytasz nowy rodzaj materiału na naszym portalu. Wesprzyj nas darowizną.", "donation_appeal"),
        ("Letzte Aktualisierung am 2.02.2022 / Bei den Verlinkungen handelt es sich um Affiliate Links / Bilder von"
         " der Amazon Product Advertising API", "advertisement"),
        ("We recommend the best products through an independent review process. We may receive compensation if you"
         " visit partners we recommend.", "advertisement"),
        ("¡Mira lo que tiene nuestro canal de YouTube!", "share_prompt"),
        ("Figure 3: Changing the font size of axis text.", "caption"),
        ("Abbildung 4: klassische Schwachschicht.", "caption"),
        ("Lue aiheesta lisää:", "related_link"),
        ("Zum Thema:", "related_link"),
        ("Tags: Uncategorized", "navigation"),
        ("Kategorien: Grundrezept, Rezepte", "navigation"),
        ("Nous utilisons des cookies pour améliorer l’offre que nous vous proposons.", "cookie_notice"),
        ("Utilizamos cookies propias y de terceros.", "cookie_notice"),
        # the article's own sentences
        ("Get the facts first, the mayor told the council on Monday.", None),
        ("“It’s all in our newsletter,” she said.", None),
        ("The company said it could earn a commission on every sale it brokered.", None),
        ("Figures for 2020 show a fall of 3 percent.", None),
        ("Updated guidance was published on Monday.", None),
        ("Kategorie: Bestes Kinderspiel", None),  # an award's category, in a list of prizes
        ("Zum Thema Klimaschutz äußerte sich der Minister nicht.", None),
    ],
)
def test_furniture_phrases_of_22_nov(line, category):
    c = clean_paragraphs(["Title line", *BODY, *BODY[:2], line, *BODY[2:]])
    got = c.paragraphs[7]
    assert got.text == line
    assert (None if got.kept else got.reason) == category


@pytest.mark.parametrize(
    "line, title, removed",
    [
        ("La perte des terres fertiles en Guinée | Environnement | DW | 23.05.2011",
         "La perte des terres fertiles en Guinée", True),
        # the metadata title has a suffix of its own
        ("La perte des terres fertiles en Guinée | Environnement | DW | 23.05.2011",
         "La perte des terres fertiles en Guinée | DW | 23.05.2011", True),
        ("Was wir über uns nicht hören wollen | FASSETTE.NET", "Was wir über uns nicht hören wollen", True),
        # the title's words continuing as a sentence, and a title too short to be sure of
        ("La perte des terres fertiles en Guinée inquiète les agriculteurs de la région.",
         "La perte des terres fertiles en Guinée", False),
        ("Brexit | Politics | Example", "Brexit", False),
    ],
)
def test_title_line_with_site_and_section_is_a_duplicate_title(line, title, removed):
    c = clean_paragraphs([line, *BODY], title_hint=title)
    assert (c.paragraphs[0].reason == reasons.DUPLICATE_TITLE) is removed


@pytest.mark.parametrize(
    "head, kept",
    [
        ("Am 5. November 2021 wird sie 100 Jahre alt. Herzlichen Glückwunsch.", True),
        ("Published 3 May 2021. Updated 4 May 2021.", False),
        ("Veröffentlicht am 16.08.2019", False),
    ],
)
def test_a_dated_head_line_of_several_sentences_is_prose(head, kept):
    c = clean_paragraphs(["Bridge to close", head, *ARTICLE])
    p = c.paragraphs[1]
    assert (p.kept, p.reason) == ((True, None) if kept else (False, reasons.DATELINE))


@pytest.mark.parametrize(
    "label", ["Pressekontakt:", "Press contacts", "Pressesprecher*in Jane Roe", "Contact presse", "Kontakt:", "Contact:"]
)
def test_press_contact_block_after_the_article_goes(label):
    block = [label, "Jane Roe", "Tel.: 030 123 45 67", "E-Mail: presse@example.org"]
    c = clean_paragraphs(["Title line", *BODY, *block])
    assert [p.reason for p in c.paragraphs[-4:]] == ["press_contact"] * 4
    assert [p.text for p in c.paragraphs if p.kept] == BODY


def test_contact_label_before_the_article_takes_nothing_with_it():
    # a contact label before any prose goes alone; a menu's bare "Contact" link and a sentence are not labels
    c = clean_paragraphs(["Title line", "Kontakt:", *BODY, "Contact", "Contact with the rebels was lost on Monday."])
    assert [p.reason for p in c.paragraphs[:2]] == [reasons.TITLE, "press_contact"]
    assert [p.text for p in c.paragraphs if p.kept] == [*BODY, "Contact", "Contact with the rebels was lost on Monday."]


@pytest.mark.parametrize(
    "line, removed",
    [
        # Cyrillic А, е, і, ѕ, о, у, с, р in Latin words: an ad written to slip past filters
        ("Аdvеrtіѕе wіth thе most visited news site ~ Wе оffеr fullу сuѕtоmіzаblе расkаgеѕ.", True),
        ("Press contacts were told on Monday that the plan had failed.", False),
        ("Президент Владимир Путин said in Moscow that the talks with Kyiv were over.", False),
    ],
)
def test_look_alike_letters_mark_an_advertisement(line, removed):
    c = clean_paragraphs(["Title line", *BODY[:2], line, *BODY[2:]])
    p = c.paragraphs[3]
    assert p.text == line
    assert (not p.kept, p.reason) == ((True, "advertisement") if removed else (False, None))


LONG = ("The president said on Tuesday that the plan would go ahead despite the objections of several members of his "
        "own party, who had warned of the costs and of the damage to the country and to its standing in the world.")


@pytest.mark.parametrize(
    "line, kept",
    [
        ("From Jane Roe, writing at Example News:", True),
        ("Hewitt writes in his column today:", True),
        ("Weitere Informationen:", False),  # a label, not a clause
        ("Related Stories From Our Site:", False),
    ],
)
def test_an_intro_line_before_prose_stays_in_plain_text(line, kept):
    c = clean_paragraphs(["Some headline here", "Home", "News", line, LONG, LONG], blocks=True)
    p = c.paragraphs[3]
    assert p.text == line
    assert p.kept == kept


def test_see_photos_below_is_a_media_notice():
    c = clean_paragraphs(["Some headline here", LONG, "See photos from the debate below:", LONG])
    assert c.paragraphs[2].reason == "media_notice"


def test_a_label_and_link_closing_the_article_goes_and_so_does_the_sign_off_before_it():
    c = clean_paragraphs(["Title line", *BODY, "aja/PAP", "Publikacja dostępna na stronie: https://example.pl/a/1"])
    assert [p.reason for p in c.paragraphs[-2:]] == ["author_note", "source_link"]
    assert [p.text for p in c.paragraphs if p.kept] == BODY
    # inside the body the same shape is the article's own line
    c = clean_paragraphs(["Title line", "Full report: https://example.org/report.pdf", *BODY])
    assert c.paragraphs[1].kept


def test_a_bare_url_at_the_end_is_the_source_in_plain_text_and_article_text_in_html():
    paras = ["Title line", *BODY, "https://example.org/petition/online/stop-the-fee"]
    assert clean_paragraphs(paras).paragraphs[-1].reason == reasons.SOURCE_URL
    assert clean_paragraphs(paras, trailing_urls=False).paragraphs[-1].kept


_BUDGET = "The council voted on the new budget on Tuesday evening after a long debate about schools and roads."


def test_a_short_main_text_is_extracted_again_favouring_recall():
    # trafilatura drops a teaser-class block unless recall is favoured: in a short article it is the lead
    lead = f"LEAD {_BUDGET} {_BUDGET} {_BUDGET}"
    html = (f"<html><body><nav><a href='/'>Home</a></nav><article><h1>Budget</h1><div class='teaser-text'>{lead}"
            f"</div><p>{_BUDGET}</p><p>{_BUDGET} {_BUDGET} {_BUDGET}</p></article></body></html>")
    ex = extract_html(html)
    assert any(t.startswith("LEAD") for t in ex.texts)
    # favouring precision is a choice the retry respects
    assert not any(t.startswith("LEAD") for t in extract_html(html, HtmlOptions(favor_precision=True)).texts)


@pytest.mark.parametrize(
    "media, kept",
    [
        ("<iframe src='https://video.example.org/embed/1'></iframe>", True),
        ("<object data='https://video.example.org/1'></object>", True),
        ("<img src='https://img.example.org/1.jpg'>", False),  # a photo caption is furniture
    ],
)
def test_the_caption_of_the_video_under_the_headline_is_the_lead(media, kept):
    caption = "The mayor explains on camera why the council needs a new budget for the schools this year."
    body = "".join(f"<p>{_BUDGET} Paragraph {i}.</p>" for i in range(5))
    html = (f"<html><body><article><h1>Council passes the budget</h1><figure>{media}<figcaption>{caption}"
            f"</figcaption></figure>{body}</article></body></html>")
    texts = extract_html(html).texts
    assert texts[0] == "Council passes the budget"  # trafilatura keeps an <h1> inside the article
    assert (texts[1] == caption) == kept
    assert caption not in texts[2:]

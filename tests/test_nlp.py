"""The spaCy pass (tasks/nlp.py): who gets an analysis, what it holds, and how many processes it starts."""

import pytest

from tasks.nlp import (
    GENDERED_PRONOUNS,
    NlpOptions,
    analyse,
    analyse_texts,
    load_nlp,
    parse_paragraphs,
    parse_regions,
    worker_count,
)
from tasks.records import Doc, SourceFile

TEXT = (
    "Ms Hewitt said the plan would help millions. “We will not wait,” she told reporters in London on Monday.\n\n"
    "The Confederation of British Industry welcomed the move."
)


def make_doc(text: str, language: str, name: str = "a.txt") -> Doc:
    src = SourceFile(batch="b", source_path=f"b/{name}", abs_path=f"/x/b/{name}", size=len(text), mtime_ns=0)
    return Doc(source=src, content_sha256=name * 8, data=b"", ingested_at=0.0, text=text, language=language)


def signature(sdoc) -> list[tuple]:
    return [(t.i, t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in sdoc]


def test_english_documents_get_the_full_analysis_and_others_none():
    en, de = make_doc(TEXT, "en", "en.txt"), make_doc("Die Regierung sagte am Montag nichts.", "de", "de.txt")
    docs, rejects = analyse([en, de], NlpOptions())
    assert rejects == [] and {d.source.source_path for d in docs} == {"b/en.txt", "b/de.txt"}
    a = en.analysis
    assert a.text == en.text  # offsets line up with documents.text
    assert ("Ms Hewitt", "PERSON") in {(e.text, e.label_) for e in a.ents}
    assert len(list(a.sents)) >= 2 and any(t.dep_ == "nsubj" for t in a)
    said = next(t for t in a if t.text == "said")
    assert said.tag_ == "VBD" and said.dep_ == "ROOT"  # quotes and entities read Penn tags and the parse
    assert de.analysis is None


@pytest.mark.parametrize(
    "n_docs, n_process, batch_size, expected",
    [(0, 2, 16, 1), (1, 2, 16, 1), (16, 2, 16, 1), (17, 2, 16, 2), (500, 2, 16, 2), (500, 1, 16, 1), (3, 4, 1, 3)],
)
def test_worker_count_never_exceeds_the_minibatches(n_docs, n_process, batch_size, expected):
    assert worker_count(n_docs, NlpOptions(n_process=n_process, batch_size=batch_size)) == expected


def test_two_processes_give_the_same_analysis_as_one():
    texts = [TEXT, "Mr Blair told MPs on Tuesday that “nothing has changed”.", "Apple said sales rose 5%."]
    one = [make_doc(t, "en", f"{i}.txt") for i, t in enumerate(texts)]
    two = [make_doc(t, "en", f"{i}.txt") for i, t in enumerate(texts)]
    analyse(one, NlpOptions(n_process=1, batch_size=1))
    analyse(two, NlpOptions(n_process=2, batch_size=1))
    assert [signature(d.analysis) for d in one] == [signature(d.analysis) for d in two]
    assert [d.analysis.text for d in two] == texts


def test_the_default_pipeline_drops_pos_and_lemma_and_keeps_tags_parse_and_entities():
    # the saving the module docstring describes: nothing downstream reads pos_ or lemma_
    opts = NlpOptions()
    assert set(opts.exclude) == {"attribute_ruler", "lemmatizer"}
    full = load_nlp(opts.model, opts.fallback_model)(TEXT)
    lean_nlp = load_nlp(opts.model, opts.fallback_model, opts.exclude)
    lean = lean_nlp(TEXT)
    assert "lemmatizer" not in lean_nlp.pipe_names and "attribute_ruler" not in lean_nlp.pipe_names
    assert {"tagger", "parser", "ner"} <= set(lean_nlp.pipe_names)
    assert signature(lean) == signature(full)
    assert all(t.lemma_ == "" and t.pos_ == "" for t in lean)


# -- parse="quotes": ner everywhere, tagger and parser only where quotes read them ---------------------------------

QUOTED = "\n\n".join([
    "Angela Rayner visited Leeds on Monday.",  # 0: a name within the window of the "she" in 4
    "The weather was poor.",  # 1: nothing a pronoun could stand for
    "Officials met in the morning.",  # 2: the paragraph before one that opens with a quote
    "“We are ready,” she said.",  # 3: opens with a quote mark
    "Prices rose again in March.",  # 4: after the quotes, never read
    "The minister called it a “fair deal” for everyone.",  # 5: a quote inside the paragraph
])


def test_parse_paragraphs_are_the_quotes_their_openers_and_the_names_before_a_pronoun():
    nlp = load_nlp(NlpOptions().model, NlpOptions().fallback_model, NlpOptions().exclude)
    sdoc = nlp(QUOTED)
    assert parse_paragraphs(QUOTED, sdoc) == [0, 2, 3, 5]  # 1 names no one, 4 follows every quote
    assert parse_paragraphs(QUOTED, sdoc, window=10) == [2, 3, 5]  # Rayner lies too far back for the "she"
    assert parse_paragraphs("No quotes here.\n\nNor here, said Smith.", nlp("No quotes here.\n\nNor here, said Smith.")) == []


def test_the_pronouns_and_window_are_those_quotes_resolves():
    # parse_paragraphs must parse the names a pronoun speaker can stand for; it copies what tasks/quotes.py reads
    from tasks.quotes import _POSSESSIVE, QuoteOptions, load_lexicon

    gendered = {p for p, g in load_lexicon("en").pronouns.items() if g is not None} | set(_POSSESSIVE)
    assert gendered == set(GENDERED_PRONOUNS)
    assert NlpOptions().pronoun_window == QuoteOptions().pronoun_window


def test_the_quotes_mode_has_no_parse_outside_its_regions_and_sentences_there():
    opts = NlpOptions()
    nlp = load_nlp(opts.model, opts.fallback_model, opts.exclude)
    sdoc = analyse_texts(nlp, [QUOTED], opts)[0]
    inside = {i for a, b in parse_regions(QUOTED, sdoc) for i in range(a, b)}
    prices = next(t for t in sdoc if t.text == "Prices")
    assert prices.i not in inside and prices.tag_ == "" and prices.dep_ == "" and prices.head.i == prices.i
    assert prices.is_sent_start  # a paragraph break starts a sentence there too
    said = next(t for t in sdoc if t.text == "said")
    assert said.i in inside and said.tag_ == "VBD" and said.dep_ == "ROOT"
    assert [s.text.strip() for s in sdoc.sents][:2] == ["Angela Rayner visited Leeds on Monday.", "The weather was poor."]
    assert not any(t.is_space and t.is_sent_start for t in sdoc)  # a blank line ends a sentence, never starts one


def assert_full_analysis_inside_regions(docs) -> int:
    """The quotes mode's Docs of `docs` against the full model's: the same tokens and entities everywhere, the same
    tags, heads, labels and sentence starts inside the regions, no parse outside; returns the tokens outside."""
    opts = NlpOptions()
    nlp = load_nlp(opts.model, opts.fallback_model, opts.exclude)
    texts = [d.text for d in docs]
    full = analyse_texts(nlp, texts, NlpOptions(parse="full"))
    part = analyse_texts(nlp, texts, opts)
    outside = 0
    for f, p in zip(full, part, strict=True):
        assert [(t.text, t.idx) for t in p] == [(t.text, t.idx) for t in f]
        assert [(e.start, e.end, e.label_) for e in p.ents] == [(e.start, e.end, e.label_) for e in f.ents]
        inside = {i for a, b in parse_regions(p.text, p) for i in range(a, b)}
        assert inside
        outside += len(p) - len(inside)
        assert [sig(f[i]) for i in sorted(inside)] == [sig(p[i]) for i in sorted(inside)]
        assert all(p[i].dep_ == "" for i in range(len(p)) if i not in inside)
    return outside


def sig(t) -> tuple:
    return t.i, t.tag_, t.dep_, t.head.i, t.is_sent_start


def test_the_quotes_mode_gives_the_full_analysis_inside_its_regions_on_the_seeds():
    # the seeds as the flow sees them (cleaned, normalised)
    from .conftest import SAMPLE, load_bench

    docs = [d for d in load_bench("eval_quotes").prepare(SAMPLE / "2025-03-20") if d.language == "en"]
    assert assert_full_analysis_inside_regions(docs) > 0  # the seeds have paragraphs quotes never read


def test_a_region_is_parsed_with_its_neighbours_in_view(tmp_path):
    # BBC politics/137: a region starts at "Mike Hobday, from the league, said …"; parsed without the tokens before
    # it (CONTEXT_TOKENS = 0), Hobday came out npadvmod instead of nsubj and his quote lost its speaker
    from .conftest import SHARED, load_bench

    src = SHARED / "corpora" / "bbc-news-en" / "bbc" / "politics" / "137.txt"
    if not src.exists():
        pytest.skip(f"{src} not found (../shared)")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "137.txt").write_bytes(src.read_bytes())
    docs = load_bench("eval_quotes").prepare(tmp_path / "b")
    assert assert_full_analysis_inside_regions(docs) > 0
    sdoc = analyse_texts(load_nlp(NlpOptions().model, NlpOptions().fallback_model, NlpOptions().exclude),
                         [docs[0].text], NlpOptions())[0]
    assert next(t for t in sdoc if t.text == "Hobday").dep_ == "nsubj"

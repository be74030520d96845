"""The spaCy pass (tasks/nlp.py): who gets an analysis, what it holds, and how many processes it starts."""

import pytest

from tasks.nlp import NlpOptions, analyse, load_nlp, worker_count
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

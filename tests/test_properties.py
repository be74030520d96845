"""Property-based tests over the text stages: arbitrary Unicode, stray and unbalanced quote marks of every
style, control characters, very long lines and empty paragraphs. No stage may fail on them (a `stage_error`
reject is a bug caught at the batch boundary), offsets stay inside documents.text, a quote's text is the text at
its offsets, and a document's result does not depend on the batch it came in."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks import reasons
from tasks.boilerplate import clean_docs
from tasks.decode import decode_docs
from tasks.language import language_docs
from tasks.normalise import normalise_docs, normalise_quotes, normalise_text
from tasks.quotes import find_quotes, quote_docs
from tasks.records import Doc, SourceFile

MARKS = list("\"'„“”‚‘’«»‹›") + ["\u00a0", "\u200b", "\u00ad", "\x00", "\x0b", "\t", "\r\n", "\n\n", "<u>", "</u>"]
WORDS = ["Putin", "said", "the", "Kremlin", "sagte", "er", "it", "must", "end", "now", "—", ",", ".", "Trump’s"]

token = st.one_of(st.sampled_from(MARKS), st.sampled_from(WORDS), st.text(min_size=1, max_size=12))
paragraph = st.lists(token, max_size=40).map(" ".join)
long_line = st.integers(min_value=5_000, max_value=60_000).map(lambda n: "word " * (n // 5))
document = st.lists(st.one_of(paragraph, paragraph, paragraph, long_line, st.just("")), max_size=25).map("\n".join)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _doc(text: str, name: str) -> Doc:
    data = text.encode("utf-8")
    import hashlib

    return Doc(SourceFile("b", f"b/{name}.txt", f"/in/b/{name}.txt", len(data), 0),
               hashlib.sha256(data + name.encode()).hexdigest(), data, 0.0)


def _process(docs: list[Doc]) -> tuple[list[Doc], list]:
    rejects = []
    for stage in (decode_docs, clean_docs, normalise_docs, language_docs, quote_docs):
        docs, more = stage(docs)
        rejects += more
    return docs, rejects


@SETTINGS
@given(st.text())
def test_quote_normalisation_keeps_length(text):
    assert len(normalise_quotes(text)) == len(text)
    normalise_text(text)  # and never raises


# words with quote marks of every style glued to their start or end, as text is written; runs of bare marks
# (“„«) lose which mark came first, so idempotence is only promised for marks attached to words
marked_word = st.tuples(st.sampled_from(["", *MARKS[:12]]), st.sampled_from(WORDS + ["0", "it's"]),
                        st.sampled_from(["", *MARKS[:12]])).map("".join)


@SETTINGS
@given(st.lists(marked_word, max_size=20).map(" ".join))
def test_quote_normalisation_is_idempotent(text):
    once = normalise_quotes(text)
    assert normalise_quotes(once) == once


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab “”‘’\n"))))
def test_found_quotes_are_the_text_at_their_offsets(text):
    for q in find_quotes(text):
        assert 0 <= q.start <= q.end <= len(text)
        assert text[q.start : q.end] == q.text


@SETTINGS
@given(document)
def test_stages_never_fail_and_offsets_hold(text):
    docs, rejects = _process([_doc(text, "x")])
    assert not [r for r in rejects if r.reason == reasons.STAGE_ERROR], rejects
    for d in docs:
        assert d.text == "\n\n".join(p.text for p in d.paragraphs if p.kept)
        for q in d.quotes:
            assert 0 <= q.start <= q.end <= len(d.text) and d.text[q.start : q.end] == q.text


@SETTINGS
@given(document, document)
def test_a_documents_result_does_not_depend_on_its_batch(text, other):
    alone, _ = _process([_doc(text, "x")])
    together, _ = _process([_doc(other, "y"), _doc(text, "x")])
    together = [d for d in together if d.source.source_path == "b/x.txt"]
    view = [(d.text, d.language, [(q.start, q.end, q.kind) for q in d.quotes]) for d in alone]
    assert view == [(d.text, d.language, [(q.start, q.end, q.kind) for q in d.quotes]) for d in together]

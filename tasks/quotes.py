"""Quotes: quoted spans in `documents.text` and a first guess at who said them.

Runs on normalised text, where every language's marks are “…” and ‘…’ (tasks/normalise.py). Speakers come
from a verb-of-saying lexicon and the document's entity mentions (no dependency parse yet): the named
mention nearest to the cue outside the quote, "according to X", a pronoun resolved to the last person named
before it, or, for a paragraph that is only a quote, the speaker of the quote just before it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.records import Doc, Mention, Quote, Reject, run_per_doc

CUES = frozenset(
    """
    said says say told tells wrote writes added adds insisted insists claimed claims warned warns posted posts
    stated states asked asks declared declares noted notes explained explains argued argues replied replies
    announced announces stressed stresses emphasized emphasised tweeted continued continues urged urges
    called calls described describes acknowledged acknowledges admitted admits suggested suggests
    sagte sagt erklärte erklärt betonte betont schrieb schreibt meinte meint fügte sagten erklärten warnte
    warnt forderte fordert
    """.split()
)
PRONOUNS = frozenset({"he", "she", "er", "sie"})
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# A quote of this many words or more, or one that ends in sentence punctuation, is "full"; shorter is "partial".
_FULL_MIN_WORDS = 6
_QUOTE_RE = re.compile(r"“([^“”\n]+)”|‘([^‘\n]+?)’(?![\w])")
_WORD = re.compile(r"\w+")
_ACCORDING = re.compile(r"\b(according to|laut|zufolge)\b", re.I)
# How far (characters) from a quote a cue and a speaker may be, within the same paragraph.
_WINDOW = 200


@dataclass(frozen=True)
class QuoteOptions:
    full_min_words: int = _FULL_MIN_WORDS
    window: int = _WINDOW


def find_quotes(text: str, options: QuoteOptions = QuoteOptions()) -> list[Quote]:
    """Quoted spans of normalised text, paragraph by paragraph; an unclosed mark costs only its own quote.

    A paragraph that opens a quote and does not close it, followed by a paragraph that opens one again, is a
    quote running over paragraphs (the news convention): its text runs to the end of the paragraph.
    """
    quotes: list[Quote] = []
    pos = 0
    paras = text.split("\n\n")
    for i, para in enumerate(paras):
        for m in _QUOTE_RE.finditer(para):
            g = 1 if m.group(1) is not None else 2
            inner = m.group(g)
            lead = len(inner) - len(inner.lstrip())
            inner = inner.strip()
            if not _WORD.search(inner):
                continue
            start = pos + m.start(g) + lead
            quotes.append(Quote(text=inner, start=start, end=start + len(inner), kind=_kind(inner, options)))
        opened = para.rfind("“")
        if opened > para.rfind("”") and i + 1 < len(paras) and paras[i + 1].startswith("“"):
            inner = para[opened + 1 :].strip()
            if _WORD.search(inner):
                start = pos + opened + 1
                quotes.append(Quote(text=inner, start=start, end=start + len(inner), kind="full"))
        pos += len(para) + 2
    return quotes


def _kind(inner: str, options: QuoteOptions) -> str:
    """'full' for a clause or more of speech, 'partial' for a fragment woven into the sentence.

    A full quote either is long, or reads as a sentence of its own: capital first letter and closing punctuation
    ("It must end NOW,"); a fragment ("ready", "key condition") is neither."""
    n_words = len(_WORD.findall(inner))
    sentence = inner[:1].isupper() and inner.rstrip().endswith((".", "!", "?", ",", "…")) and n_words >= 3
    return "full" if n_words >= options.full_min_words or sentence else "partial"


def _paragraph_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n\n", 0, offset)
    end = text.find("\n\n", offset)
    return (0 if start < 0 else start + 2), (len(text) if end < 0 else end)


def _outside(quotes: list[Quote], start: int, end: int) -> bool:
    return not any(q.start - 1 <= start < q.end + 1 or q.start - 1 < end <= q.end + 1 for q in quotes)


def attribute(text: str, quotes: list[Quote], mentions: list[Mention], options: QuoteOptions = QuoteOptions()) -> None:
    """Fill speaker, speaker_entity_id, speaker_mention and cue of each quote in place."""
    speakers = sorted((m for m in mentions if m.label in SPEAKER_LABELS), key=lambda m: m.start)
    previous: Quote | None = None
    for q in quotes:
        p_start, p_end = _paragraph_bounds(text, q.start)
        lo, hi = max(p_start, q.start - options.window), min(p_end, q.end + options.window)
        here = [m for m in speakers if lo <= m.start and m.end <= hi and _outside(quotes, m.start, m.end)]
        cues = [
            (w.start() + lo, w.group(0))
            for w in _WORD.finditer(text[lo:hi])
            if w.group(0).lower() in CUES and _outside(quotes, w.start() + lo, w.end() + lo)
        ]
        acc = _ACCORDING.search(text, lo, hi)
        chosen: Mention | None = None
        if cues:
            cue_at, q.cue = min(cues, key=lambda c: abs(c[0] - (q.start if c[0] < q.start else q.end)))
            if here:
                chosen = min(here, key=lambda m: abs(m.start - cue_at))
            else:
                pron = [w for w in _WORD.finditer(text, lo, hi) if w.group(0).lower() in PRONOUNS
                        and abs(w.start() - cue_at) < 30 and _outside(quotes, w.start(), w.end())]
                if pron:
                    q.speaker_mention = pron[0].group(0)
                    before = [m for m in speakers if m.label == "PERSON" and m.end <= q.start]
                    chosen = before[-1] if before else None
        elif acc and here:
            chosen = min((m for m in here if m.start > acc.start()), key=lambda m: m.start, default=None)
        elif previous is not None and previous.speaker and text[p_start:q.start].strip("“‘ ") == "":
            # a paragraph that opens with a quote and names nobody continues the previous quote's speaker
            q.speaker, q.speaker_entity_id = previous.speaker, previous.speaker_entity_id
            q.speaker_mention = previous.speaker_mention
        if chosen is not None:
            q.speaker, q.speaker_entity_id = chosen.name, chosen.entity_id
            q.speaker_mention = q.speaker_mention or chosen.text
        previous = q


def quote_id(doc_id: str, q: Quote) -> str:
    return hashlib.sha1(f"{doc_id}|{q.start}|{q.end}".encode()).hexdigest()[:16]


def extract_quotes(doc: Doc, options: QuoteOptions = QuoteOptions()) -> None:
    """Find and attribute the quotes of one document (needs its mentions)."""
    doc.quotes = find_quotes(doc.text, options)
    attribute(doc.text, doc.quotes, doc.mentions, options)


def quote_docs(docs: list[Doc], options: QuoteOptions = QuoteOptions()) -> tuple[list[Doc], list[Reject]]:
    """Find and attribute the quotes of every document of a batch."""
    return run_per_doc(docs, lambda d: extract_quotes(d, options), "quotes")


@task(name="quotes", cache_policy=NO_CACHE)
def quotes_task(docs: list[Doc], options: QuoteOptions = QuoteOptions()) -> tuple[list[Doc], list[Reject]]:
    return quote_docs(docs, options)

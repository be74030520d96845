"""Entities: mentions from the spaCy analysis (tasks/nlp.py), canonical names and stable entity ids.

Canonicalisation, within a document: titles, honorifics, possessives and a leading "the" are not part of a
name; a one-word PERSON mention ("Putin") links to the document's full name that ends with it ("Vladimir
Putin"); a name keeps the label most of its mentions have (spaCy sometimes calls "Trump" an ORG). Across
documents, the key is the ASCII-folded, lower-cased canonical name, so the id is stable across runs.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from prefect import task
from prefect.cache_policies import NO_CACHE
from unidecode import unidecode

from tasks.records import Doc, Mention, Reject, run_per_doc

KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
# Words that precede a name without being part of it. Lower-case; matched word by word from the left.
TITLES = frozenset(
    """
    president vice prime minister foreign defence defense secretary chancellor king queen prince princess pope
    mr mr. mrs mrs. ms ms. dr dr. prof prof. sir dame gen gen. general col col. colonel lt lt. capt capt. captain
    sen sen. senator rep rep. representative gov gov. governor mayor judge justice ambassador envoy spokesman
    spokeswoman spokesperson press state special chief minister premier leader deputy former late u.s. us
    russian ukrainian american german french british chinese herr frau präsident bundeskanzler kanzler
    """.split()
)
_POSSESSIVE = re.compile(r"(’s|'s|’|')$")
_SPACE = re.compile(r"\s+")


def clean_name(text: str, label: str) -> str:
    """The name without leading titles, a leading 'the' (organisations) or a trailing possessive."""
    words = _SPACE.sub(" ", text.strip()).split(" ")
    words[-1] = _POSSESSIVE.sub("", words[-1])
    if label in ("ORG", "FAC", "EVENT", "GPE", "LOC") and words and words[0].lower() == "the" and len(words) > 1:
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and words[0].lower() in TITLES:
            words = words[1:]
    return " ".join(w for w in words if w).strip(" .,;:-–—/")


def name_key(name: str) -> str:
    """Cross-document key of a canonical name: ASCII-folded, lower case, single spaces."""
    return _SPACE.sub(" ", unidecode(name).lower()).strip()


def entity_id(label: str, key: str) -> str:
    return hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]


def canonicalise(mentions: list[Mention]) -> list[Mention]:
    """Fill `name` and `entity_id` of one document's mentions; drops mentions whose name cleans to nothing."""
    for m in mentions:
        m.name = clean_name(m.text, m.label)
    mentions = [m for m in mentions if m.name and any(c.isalpha() for c in m.name)]
    # one label per name: the most frequent, PERSON winning ties (spaCy flips short person names to ORG)
    votes: dict[str, Counter] = {}
    for m in mentions:
        votes.setdefault(name_key(m.name), Counter())[m.label] += 1
    full_persons = [m.name for m in mentions if m.label == "PERSON" and " " in m.name]
    for m in mentions:
        key = name_key(m.name)
        counts = votes[key]
        if " " not in m.name and any(name_key(f).split(" ")[-1] == key for f in full_persons):
            m.label = "PERSON"
        else:
            m.label = max(counts, key=lambda lab: (counts[lab], lab == "PERSON"))
        if m.label == "PERSON" and " " not in m.name:
            full = [f for f in full_persons if name_key(f).split(" ")[-1] == key]
            if full:
                m.name = Counter(full).most_common(1)[0][0]
        m.entity_id = entity_id(m.label, name_key(m.name))
    return mentions


def mentions_from_spacy(sdoc) -> list[Mention]:
    return [
        Mention(text=e.text, label=e.label_, start=e.start_char, end=e.end_char)
        for e in sdoc.ents
        if e.label_ in KEPT_LABELS and "\n" not in e.text
    ]


def extract_entities(docs: list[Doc], known: list[dict] | None = None) -> tuple[list[Doc], list[Reject]]:
    """Fill each analysed document's mentions (canonical names and entity ids) from its spaCy analysis.

    `known` holds the rows of the warehouse's `entities` table (entity_id, name, label, aliases, ...), for
    linking to entities seen in earlier batches; documents without an analysis (other languages) get none.
    """
    def one(doc: Doc) -> None:
        if doc.analysis is not None:
            doc.mentions = canonicalise(mentions_from_spacy(doc.analysis))

    return run_per_doc(docs, one, "entities")


@task(name="entities", cache_policy=NO_CACHE)
def entities_task(docs: list[Doc], known: list[dict] | None = None) -> tuple[list[Doc], list[Reject]]:
    return extract_entities(docs, known)

"""Entities: mentions from the spaCy analysis (tasks/nlp.py), canonical names and stable entity ids.

Three steps, each a pure function (docs/entities.md has the rules with examples and the merges refused):

1. Within a document (`canonicalise`, `surname_mentions`): titles, honorifics, nationality adjectives,
   possessives and a leading "the" are not part of a name; a one-word name that is the surname of the
   document's full PERSON name ("Putin") is that person ("Vladimir Putin"), also where the model missed it;
   a name keeps the label most of its mentions have.
2. Across documents and batches (`link_mentions`): well-known alias groups (tasks/data/entity_aliases.json),
   then exact keys (ASCII-folded, lower case, dots dropped), then spelling/transliteration variants
   (`is_variant`), then a surname alone to the one full name that ends with it. Entities already in the
   warehouse (`known`) win: once an entity has an id, later mentions of it get that id, whatever the spelling.
   A new entity's id is the hash of its label and the key of its canonical name.
3. Documents without a spaCy analysis (German: no trustworthy German model is installable) get mentions from a
   gazetteer of the entities already known and the alias groups, with German spellings of names transliterated
   (`gazetteer_mentions`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein
from unidecode import unidecode

from tasks.records import Doc, Mention, Reject, run_per_doc

DATA = Path(__file__).with_name("data")
KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
# spaCy's small model swaps these freely on the same name ("Belgorod" GPE in one sentence, ORG in the next);
# a name with one of them links to a known entity with another.
PLACE_OR_ORG = frozenset({"ORG", "GPE", "LOC", "FAC"})
# Which label wins a tied vote: spaCy's small model flips short person names to ORG and calls unfamiliar
# capitalised words ORG, so the more specific labels go first.
LABEL_PREFERENCE = ("PERSON", "GPE", "LOC", "FAC", "ORG", "NORP", "EVENT")
# Two single words are variants only when both are this long: below it one letter changes the word
# (Iran/Iraq, Mali/Male), and transliteration variants of short names are rare.
VARIANT_MIN_LEN = 5
# Edits (rapidfuzz Levenshtein) a variant may differ by: one up to 7 letters (Kharkiv/Kharkov, Shoigu/Shoygu,
# Odesa/Odessa), two from 8 (Zelensky/Zelenskyy/Zelenskiy need one; Dnepropetrovsk-style vowel pairs two).
# The skeleton and first-letter checks do most of the refusing; see tests/test_entities.py for both lists.
VARIANT_LONG = 8

_POSSESSIVE = re.compile(r"(’s|'s|’|')$")
_SPACE = re.compile(r"\s+")
_VOWELS = frozenset("aeiouy")
# "Member of Parliament Inna Sovsun": spaCy's small model reads "Parliament Inna Sovsun" as one ORG
_MEMBER_OF = re.compile(r"\b(?:member|members|MP|deputy) of (?:the )?$", re.IGNORECASE)
_LEGISLATURES = frozenset({"parliament", "congress", "senate", "rada", "duma", "knesset", "bundestag", "assembly"})


@lru_cache(maxsize=1)
def _titles() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads((DATA / "entity_titles.json").read_text(encoding="utf-8"))
    return frozenset(data["titles"]), frozenset(data["demonyms"])


@lru_cache(maxsize=1)
def alias_table() -> dict[str, tuple[str, str]]:
    """Key of every name and alias in tasks/data/entity_aliases.json -> (canonical name, label)."""
    out: dict[str, tuple[str, str]] = {}
    for group in _alias_groups():
        for form in [group["name"], *group["aliases"]]:
            out[name_key(form)] = (group["name"], group["label"])
    return out


def _is_title(word: str) -> bool:
    titles, demonyms = _titles()
    w = word.lower().rstrip(".")
    return w in titles or w in demonyms


@lru_cache(maxsize=1 << 16)  # pure, and asked again for the same mention text by canonicalise and link_mentions
def clean_name(text: str, label: str) -> str:
    """The name in a mention: without leading titles and nationality adjectives (PERSON), a leading 'the'
    (other labels), or a trailing possessive. Returns "" when nothing name-like is left ("Russian President",
    "a ceasefire"): such a mention is not kept."""
    if "“" in text or "”" in text:  # a quote mark is never inside a name: spaCy ran a name into a quote
        return ""
    words = _SPACE.sub(" ", text.strip()).split(" ")
    words[-1] = _POSSESSIVE.sub("", words[-1])
    if label != "PERSON" and len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and _is_title(words[0]):
            words = words[1:]
        if len(words) == 1 and _is_title(words[0]):
            return ""
    name = " ".join(w for w in words if w).strip(" ,;:-–—/“”‘’\"'")
    if name.endswith(".") and not re.search(r"\b\w\.\w\.?$", name):  # keep "U.S." whole, drop a full stop
        name = name[:-1]
    # a proper name has a capital (or digit) in its first word: "al-Qaeda" and "eBay" pass, "a Complete
    # Ceasefire" (headline capitals that spaCy took for an ORG) does not
    first = name.split(" ")[0] if name else ""
    if not any(c.isupper() or c.isdigit() for c in first):
        return ""
    return name


_KEY_DROP = re.compile(r"[.'’`]")
_KEY_SPACE = re.compile(r"[-‐–—_/]")
_KEY_OTHER = re.compile(r"[^a-z0-9 &]")


# Cached: a batch of 125 BBC articles asks for the key of the same few thousand names ~40,000 times (votes,
# surnames, aliases, the registry); uncached it was half of the entities stage's CPU (cProfile, 495 articles).
@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Cross-document key of a name: ASCII-folded, lower case, dots and apostrophes dropped, hyphens as
    spaces, single spaces ("U.S." -> "us", "Zelenskyy" -> "zelenskyy", "Kyïv" -> "kyiv")."""
    s = unidecode(name).lower()
    s = _KEY_DROP.sub("", s)
    s = _KEY_SPACE.sub(" ", s)
    s = _KEY_OTHER.sub("", s)
    return _SPACE.sub(" ", s).strip()


def entity_id(label: str, key: str) -> str:
    """Stable id of a new entity: 16 hex digits of sha1(label|key)."""
    return hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]


def skeleton(word: str) -> str:
    """The first letter and the consonants of a key word, doubled letters once: what survives transliteration
    ("zelenskyy", "zelenskiy", "zelensky" -> "zlnsk"; "odessa", "odesa" -> "ods")."""
    out = word[:1]
    for c in word[1:]:
        if c not in _VOWELS and c != out[-1]:
            out += c
    return out


def is_variant(a: str, b: str) -> bool:
    """True when two key words are spelling or transliteration variants of one name.

    Equal keys, or: both at least VARIANT_MIN_LEN letters, lengths within one, same first letter, same
    skeleton, at most one edit apart (two from VARIANT_LONG letters), and no feminine "-a" on one side only.
    Refuses Austria/Australia (lengths), Russia/Prussia (first letter), Iran/Iraq (short), Slovakia/Slovenia
    (skeleton), Peskov/Peskova and Maria/Mario (the "-a": in Slavic and Romance names, another person).
    """
    if a == b:
        return True
    if min(len(a), len(b)) < VARIANT_MIN_LEN or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if (a[-1] == "a") != (b[-1] == "a"):
        return False
    edits = 2 if max(len(a), len(b)) >= VARIANT_LONG else 1
    return skeleton(a) == skeleton(b) and Levenshtein.distance(a, b, score_cutoff=edits) <= edits


def names_match(a: str, b: str, label: str) -> bool:
    """True when two keys name the same entity by the variant rule, word by word.

    PERSON full names: first names and surnames are variants, and middle names, when both have one, are too
    ("Volodymyr Zelensky" = "Volodymyr Zelenskyy"; "Hunter Biden" != "Joe Biden"; "George W Bush" != "George
    H W Bush"). Other names: same number of words, each a variant.
    """
    wa, wb = a.split(" "), b.split(" ")
    if label == "PERSON" and len(wa) >= 2 and len(wb) >= 2:
        if not (is_variant(wa[0], wb[0]) and is_variant(wa[-1], wb[-1])):
            return False
        mid_a, mid_b = wa[1:-1], wb[1:-1]
        return not (mid_a and mid_b) or (len(mid_a) == len(mid_b) and all(map(is_variant, mid_a, mid_b)))
    return len(wa) == len(wb) and all(map(is_variant, wa, wb))


def _winner(votes: Counter) -> str:
    """The label with most votes; ties go by LABEL_PREFERENCE."""
    return max(votes, key=lambda lab: (votes[lab], -LABEL_PREFERENCE.index(lab)))


def labels_compatible(a: str, b: str) -> bool:
    """Same label, or both a place or an organisation (spaCy's small model swaps those on one name)."""
    return a == b or (a in PLACE_OR_ORG and b in PLACE_OR_ORG)


# -- within a document ------------------------------------------------------------------------------------


def canonicalise(mentions: list[Mention]) -> list[Mention]:
    """Fill `name`, `label` and a provisional `entity_id` of one document's mentions (in text order).

    Drops mentions whose name cleans to nothing. A name takes the label most of its mentions have (ties by
    LABEL_PREFERENCE). A one-word name that is the surname of a full PERSON name in the document (or a spelling
    variant of it, for PERSON and ORG mentions) becomes that person: the nearest full name before it, else the
    first after it.
    """
    for m in mentions:
        m.name = clean_name(m.text, m.label)
    mentions = sorted((m for m in mentions if m.name), key=lambda m: m.start)
    votes: dict[str, Counter] = defaultdict(Counter)
    for m in mentions:
        votes[name_key(m.name)][m.label] += 1
    fulls = [m for m in mentions if m.label == "PERSON" and " " in name_key(m.name)]
    for m in mentions:
        key = name_key(m.name)
        counts = votes[key]
        m.label = _winner(counts)
        if " " not in key:
            # spaCy's small model calls a lone surname ORG, and now and then GPE ("Nervo wrote"): any label
            # joins the person when the surname is the same word, PERSON and ORG also on a spelling variant
            fuzzy = m.label in ("PERSON", "ORG")
            same = [f for f in fulls if (is_variant if fuzzy else str.__eq__)(name_key(f.name).split(" ")[-1], key)]
            if same:
                before = [f for f in same if f.start < m.start]
                m.label, m.name = "PERSON", (before[-1] if before else same[0]).name
        m.entity_id = entity_id(m.label, name_key(m.name))
    return mentions


_CAPITALISED_BEFORE = re.compile(r"([A-Z][\w.’'-]*)\s+$")
_CAPITALISED_AFTER = re.compile(r"^\s+[A-Z]")


def _part_of_longer_name(text: str, a: int, b: int, sdoc) -> bool:
    """True when a proper noun stands right before or after text[a:b] ("Melania Trump", "Trump Tower").

    A title or honorific before it is not part of the name ("Mr Fischer", "Sen. Cruz", "President Trump": the
    surname is a mention of the person; tasks/data/entity_titles.json). Otherwise the neighbour's Penn tag decides
    (NNP, NNPS: the tagger's, since the pipeline runs without the attribute_ruler that sets pos_; a
    sentence-initial "Later Trump said" is fine) where the tagger ran, and capitalisation where it did not: the
    tagger runs only in the paragraphs quotes parse (tasks/nlp.py, `NlpOptions.parse`), and without any analysis
    the text alone decides the same way. So both parse modes give the same answer wherever the tagger would have
    called a capitalised neighbour a proper noun."""
    span = sdoc.char_span(a, b) if sdoc is not None else None
    if span is None:
        m = _CAPITALISED_BEFORE.search(text[max(0, a - 40) : a])
        return bool((m and not _is_title(m.group(1))) or _CAPITALISED_AFTER.match(text[b : b + 3]))
    before = sdoc[span.start - 1] if span.start > 0 else None
    after = sdoc[span.end] if span.end < len(sdoc) else None
    if before is not None and _is_title(before.text):
        before = None

    def proper(t) -> bool:
        return t.text[:1].isupper() and (not t.tag_ or t.tag_ in ("NNP", "NNPS"))

    return any(t is not None and proper(t) for t in (before, after))


def surname_mentions(text: str, mentions: list[Mention], sdoc=None) -> list[Mention]:
    """Mentions of a full PERSON name's surname standing alone where the model found none ("Ham" in an article
    about "Norman Ham": the small model misses surnames that are also English words). Skipped when it is part
    of a longer name (`_part_of_longer_name`) or when two people in the document share the surname. Returns the
    mentions to add (label PERSON, name = the full name)."""
    fulls = sorted((m for m in mentions if m.label == "PERSON" and " " in m.name), key=lambda m: m.start)
    if not fulls:
        return []
    taken = [(m.start, m.end) for m in mentions]
    by_surname: dict[str, list[Mention]] = defaultdict(list)
    for f in fulls:
        surname = f.name.split(" ")[-1]
        if len(surname) >= 3 and surname[0].isupper():
            by_surname[surname].append(f)
    out = []
    for surname, people in by_surname.items():
        if len({f.name for f in people}) > 1:
            continue  # two people with this surname in the document: a bare surname is not ours to guess
        for hit in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
            a, b = hit.span()
            if any(s < b and a < e for s, e in taken):
                continue
            if _part_of_longer_name(text, a, b, sdoc):
                continue
            out.append(Mention(text=surname, label="PERSON", start=a, end=b, name=people[0].name))
    return out


def mentions_from_spacy(sdoc) -> list[Mention]:
    """Mentions of the kept labels in a spaCy Doc, offsets into its text (names across lines are dropped)."""
    out = []
    for e in sdoc.ents:
        if e.label_ not in KEPT_LABELS or "\n" in e.text:
            continue
        label = e.label_
        words = e.text.split()
        # "Member of Parliament Inna Sovsun": the legislature word plus two or three capitalised words after
        # "member of" is a title and a person's name, not an organisation
        if (label != "PERSON" and words[0].lower() in _LEGISLATURES and 3 <= len(words) <= 4
                and all(w[:1].isupper() for w in words[1:])
                and _MEMBER_OF.search(sdoc.text[max(0, e.start_char - 20) : e.start_char])):
            label = "PERSON"
        out.append(Mention(text=e.text, label=label, start=e.start_char, end=e.end_char))
    return out


# -- across documents and batches -------------------------------------------------------------------------


@dataclass
class Entity:
    """One entity while a batch is linked: a known row of the warehouse or one new in this batch."""

    entity_id: str
    name: str
    label: str
    keys: set[str] = field(default_factory=set)  # keys of the name and of every alias
    weight: int = 0  # mentions: decides between candidates and gives each name its label
    known: bool = False

    @property
    def key(self) -> str:
        return name_key(self.name)


def known_entities(known: list[dict] | None) -> list[Entity]:
    """Entities of the warehouse's `entities` rows, with the keys of their cleaned aliases."""
    out = []
    for row in known or []:
        keys = {name_key(row["name"])}
        keys |= {name_key(c) for a in row.get("aliases") or [] if (c := clean_name(a, row["label"]))}
        out.append(Entity(row["entity_id"], row["name"], row["label"], keys, int(row.get("n_mentions") or 0), True))
    return out


class Registry:
    """The entities a batch links to: known ones first, then the ones the batch adds.

    Indexed by key (names and aliases) and by skeleton, so that a batch never compares every name with every
    entity of a large warehouse: variants share their skeletons (`is_variant`)."""

    def __init__(self, entities: list[Entity]):
        self.entities: list[Entity] = []
        self.by_key: dict[str, list[Entity]] = defaultdict(list)
        self.by_skeleton: dict[tuple, list[Entity]] = defaultdict(list)
        for e in entities:
            self.add(e)

    def _index(self, e: Entity) -> None:
        for k in e.keys:
            if e not in self.by_key[k]:
                self.by_key[k].append(e)

    def add_keys(self, e: Entity, keys: set[str]) -> None:
        e.keys |= keys
        self._index(e)

    def add(self, e: Entity) -> Entity:
        self.entities.append(e)
        self._index(e)
        for sk in _skeleton_keys(e.key, e.label):
            self.by_skeleton[sk].append(e)
        return e

    def find(self, key: str, label: str) -> Entity | None:
        """The entity a cleaned name links to, or None for a new one (rules in the order of the module doc)."""
        ok = [e for e in self.by_key.get(key, []) if labels_compatible(e.label, label)]
        # the entity whose own name has the key beats one that only has it as an alias
        own = [e for e in ok if e.key == key]
        if own or ok:
            return _one(own or ok, label, key)
        sk = _skeleton_keys(key, label)[0]
        ok = [e for e in self.by_skeleton.get(sk, [])
              if labels_compatible(e.label, label) and names_match(e.key, key, label)]
        if ok:
            return _one(ok, label, key)
        if label == "PERSON" and " " not in key:
            # a surname alone: the one full name that ends with it (or a variant); two people sharing the
            # surname make it ambiguous, and it stays its own entity
            ok = [e for e in self.by_skeleton.get(("surname", skeleton(key)), [])
                  if is_variant(e.key.split(" ")[-1], key)]
            return _one(ok, label, key)
        return None


def _skeleton_keys(key: str, label: str) -> list[tuple]:
    """Index keys of a name: its first one is what `Registry.find` looks up for the variant rule."""
    words = key.split(" ")
    if label == "PERSON" and len(words) >= 2:
        return [("person", skeleton(words[0]), skeleton(words[-1])), ("surname", skeleton(words[-1]))]
    return [("name", *map(skeleton, words))]


def _one(candidates: list[Entity], label: str, key: str) -> Entity | None:
    """The candidate to link to: the only one; or, for a place or organisation, the heaviest of the same
    label; ambiguous people are never guessed."""
    if len(candidates) == 1:
        return candidates[0]
    if label == "PERSON" and len(key.split(" ")) == 1:
        return None
    same = [e for e in candidates if e.label == label] or candidates
    return max(same, key=lambda e: (e.known, e.weight, e.entity_id))


def link_mentions(mentions: list[Mention], known: list[dict] | None = None) -> list[Entity]:
    """Give a batch's canonicalised mentions (from every document) their cross-document entity.

    Sets each mention's `name`, `label` and `entity_id` in place; returns the registry's entities (known and
    new), for the gazetteer. Deterministic: names are linked full names first, then by documents' weight.
    """
    aliases = alias_table()
    for m in mentions:
        hit = aliases.get(name_key(m.name))
        if hit:
            m.name, m.label = hit
    registry = Registry(known_entities(known))
    # one label per key across the batch and the warehouse: spaCy's label of one name drifts between
    # documents, the majority (known mentions counted) is the better guess
    votes: dict[str, Counter] = defaultdict(Counter)
    for e in registry.entities:
        for k in e.keys:
            votes[k][e.label] += e.weight
    for m in mentions:
        # a surname linked to its full name in one document still votes for the surname's label, so that
        # "Trump" alone, called ORG in another document, becomes the PERSON it is everywhere else
        for k in {name_key(m.name), name_key(clean_name(m.text, m.label) or m.name)}:
            if k not in aliases:
                votes[k][m.label] += 1
    for m in mentions:
        key = name_key(m.name)
        if key not in aliases:
            m.label = _winner(votes[key])
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[(m.label, name_key(m.name))].append(m)

    def order(item):  # full names first, so that a surname alone can find its person; then the commonest,
        (label, key), ms = item  # whose spelling becomes the canonical name ("Donald Trump", not "Donald J. Trump")
        return (" " not in key, -len(ms), key, label)

    for (label, key), ms in sorted(groups.items(), key=order):
        entity = registry.find(key, label)
        if entity is None:
            name = Counter(m.name for m in ms).most_common(1)[0][0]
            entity = registry.add(Entity(entity_id(label, key), name, label, {key}))
        entity.weight += len(ms)
        registry.add_keys(entity, {key} | {name_key(c) for m in ms if (c := clean_name(m.text, m.label))})
        for m in ms:
            m.name, m.label, m.entity_id = entity.name, entity.label, entity.entity_id
    return registry.entities


# -- documents without an analysis (German) ---------------------------------------------------------------


# A one-word form (a surname, "Wahl"; a one-word name) is used in text no model analysed only for an entity
# with at least this many mentions in the warehouse and batch, or one the document also names in full: German
# capitalises every noun, and "Wahl" (election) is far likelier than Liz Wahl. 5 keeps Putin, Trump, Merkel
# and drops the one-article people whose surnames were German words in the 10kGNAD check (docs/entities.md).
PROMINENT = 5


@dataclass
class Gazetteer:
    """Known entities by surface form, for text no model analysed.

    `forms` maps a form (one to four words, as written) to its entities; `curated` holds the forms of the alias
    groups (always trusted); `surnames` maps the skeleton of a full PERSON name's surname to its entities, for
    the transliteration rule of `_anglicise`."""

    forms: dict[str, list[Entity]]
    curated: set[str]
    surnames: dict[str, list[Entity]]
    max_words: int = 4


def gazetteer(entities: list[Entity]) -> Gazetteer:
    """The gazetteer of the registry's entities and of the alias groups.

    Forms are the canonical names, the surnames of full PERSON names, and the alias groups' names and aliases
    (German exonyms such as "Kiew", "Moskau"). Nationality words (NORP) and one-word organisation names
    ("Post") are left out: in German they are common nouns.
    """
    forms: dict[str, list[Entity]] = defaultdict(list)
    surnames: dict[str, list[Entity]] = defaultdict(list)
    curated: set[str] = set()
    by_key = {e.key: e for e in sorted(entities, key=lambda e: (e.weight, e.entity_id))}

    def add(form: str, e: Entity) -> None:
        if (len(form) >= 3 or form.isupper()) and len(form.split(" ")) <= 4 and e not in forms[form]:
            forms[form].append(e)

    for e in sorted(entities, key=lambda e: (-e.weight, e.entity_id)):
        words = e.name.split(" ")
        if e.label == "NORP":
            continue
        if len(words) > 1:
            add(e.name, e)
            if e.label == "PERSON" and len(words[-1]) >= 4:
                add(words[-1], e)
                surnames[skeleton(name_key(words[-1]))].append(e)
        elif e.label in ("GPE", "LOC", "PERSON") or (e.name.isupper() and len(e.name) >= 2):
            add(e.name, e)
    for group in _alias_groups():
        key = name_key(group["name"])
        e = by_key.get(key) or Entity(entity_id(group["label"], key), group["name"], group["label"], {key})
        for form in [group["name"], *group["aliases"]]:
            forms[form] = [e]
            curated.add(form)
    return Gazetteer(dict(forms), curated, dict(surnames))


@lru_cache(maxsize=1)
def _alias_groups() -> list[dict]:
    return json.loads((DATA / "entity_aliases.json").read_text(encoding="utf-8"))["groups"]


# German spellings of Slavic (and other) names -> the English transliteration news in English uses:
# Selenskyj -> zelensky, Wolodymyr -> volodymyr, Schoigu -> shoigu, Tschernyschow -> chernyshov.
_ANGLICISE = [(r"^s(?=[aeiouy])", "z"), (r"tsch", "ch"), (r"sch", "sh"), (r"w", "v"), (r"(?<=[iy])j$", ""),
              (r"j", "y")]


def _anglicise(word: str) -> str:
    """The English transliteration a German-spelt name most likely has (rules in _ANGLICISE); "" when no rule
    applies, so that German words with no German spelling in them ("Diese", "Morgen") never match a name."""
    key = name_key(word)
    out = key
    for pattern, repl in _ANGLICISE:
        out = re.sub(pattern, repl, out)
    return out if out != key else ""


def _german_full_name(text: str, w1: tuple[int, int], w2: tuple[int, int], gaz: Gazetteer):
    """A hit for two capitalised words that, transliterated, are a known person's first name and surname
    ("Wladimir Putin", "Wolodymyr Selenskyj"), or None."""
    first, last = text[w1[0] : w1[1]], text[w2[0] : w2[1]].rstrip(".")
    if text[w1[1] : w2[0]] != " " or not (first[:1].isupper() and last[:1].isupper()):
        return None
    for stem in (last, last[:-1] if last.endswith("s") else None):
        if not stem:
            continue
        k1, k2 = _anglicise(first), _anglicise(stem)
        if not (k1 or k2):
            continue  # no German spelling: the plain forms were looked up already
        k1, k2 = k1 or name_key(first), k2 or name_key(stem)
        people = [e for e in gaz.surnames.get(skeleton(k2), [])
                  if is_variant(name_key(e.name.split(" ")[-1]), k2) and is_variant(e.key.split(" ")[0], k1)]
        if people:
            return (2, (w1[0], w2[0] + len(last), text[w1[0] : w2[0] + len(last)], people, True))
    return None


_WORD = re.compile(r"[^\W\d_][\w.’'-]*")


def gazetteer_mentions(text: str, gaz: Gazetteer, language: str = "") -> list[Mention]:
    """Mentions of the gazetteer's forms in `text`: whole words, the longest form at each word, case-sensitive;
    a trailing genitive "s" (German "Putins") belongs to the mention.

    Multi-word forms and the alias groups' forms are taken as they are. A one-word form counts only for an
    entity the document also names in full, else for the one PROMINENT entity it can be; in German text, a
    capitalised word with a German spelling in it ("Selenskyj") is transliterated by `_anglicise` and counts as
    the surname it is a variant of, by the same rule.
    """
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    hits: list[tuple[int, int, str, list[Entity], bool]] = []  # start, end, as written, candidates, trusted
    i = 0
    while i < len(words):
        found = None
        for n in range(min(gaz.max_words, len(words) - i), 0, -1):
            a, b = words[i][0], words[i + n - 1][1]
            form = text[a:b].rstrip(".")
            if " ".join(text[x:y] for x, y in words[i : i + n]).rstrip(".") != form:
                continue  # the words are not separated by single spaces: not one name
            for f in (form, form[:-1] if form.endswith("s") else None):
                if f and f in gaz.forms:
                    found = (n, (a, a + len(form), text[a : a + len(form)], gaz.forms[f],
                                 n > 1 or f in gaz.curated))
                    break
            if found:
                break
        word = text[words[i][0] : words[i][1]].rstrip(".")
        if found is None and language == "de" and i + 1 < len(words):
            found = _german_full_name(text, words[i], words[i + 1], gaz)
        if found is None and language == "de" and word[:1].isupper() and len(word) >= VARIANT_MIN_LEN:
            for stem in (word, word[:-1] if word.endswith("s") else None):  # genitive "Selenskyjs"
                key = _anglicise(stem) if stem else ""
                people = [e for e in gaz.surnames.get(skeleton(key), []) if key
                          and is_variant(name_key(e.name.split(" ")[-1]), key)]
                if people:
                    found = (1, (words[i][0], words[i][0] + len(word), word, people, False))
                    break
        if found:
            hits.append(found[1])
            i += found[0]
        else:
            i += 1
    in_full = {e.entity_id for _, _, _, cands, trusted in hits if trusted for e in cands}
    out = []
    for a, b, written, cands, trusted in hits:
        named = [e for e in cands if e.entity_id in in_full]
        if trusted:
            e = cands[0]
        elif len(named) == 1:
            e = named[0]
        elif not named and len(cands) == 1 and cands[0].weight >= PROMINENT:
            e = cands[0]
        else:
            continue
        out.append(Mention(written, e.label, a, b, e.name, e.entity_id))
    return out


# -- the stage --------------------------------------------------------------------------------------------


def extract_entities(docs: list[Doc], known: list[dict] | None = None) -> tuple[list[Doc], list[Reject]]:
    """Fill each document's mentions with canonical names and entity ids.

    `known` holds the rows of the warehouse's `entities` table (entity_id, name, label, aliases, n_mentions,
    ...): mentions of those entities keep their ids. Documents with a spaCy analysis get NER mentions;
    documents without one (other languages) get gazetteer mentions of entities known in the warehouse or found
    in this batch. Returns the documents and the rejects of documents whose step failed.
    """
    def one(doc: Doc) -> None:
        if doc.analysis is not None:
            mentions = canonicalise(mentions_from_spacy(doc.analysis))
            doc.mentions = sorted(mentions + surname_mentions(doc.text, mentions, doc.analysis), key=lambda m: m.start)

    docs, rejects = run_per_doc(docs, one, "entities")
    entities = link_mentions([m for d in docs for m in d.mentions], known)
    gaz = gazetteer(entities)

    def other(doc: Doc) -> None:
        if doc.analysis is None:
            doc.mentions = gazetteer_mentions(doc.text, gaz, doc.language)

    docs, more = run_per_doc(docs, other, "entities")
    return docs, rejects + more

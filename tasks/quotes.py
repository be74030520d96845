"""Quotes: quoted spans in `documents.text`, who said them, and a key that finds the same quote elsewhere.

Runs on normalised text, where every language's marks are “…” and ‘…’ and apostrophes are ’
(tasks/normalise.py).

Finding (`find_quotes`): marks are paired by type within a paragraph; a stray or unclosed mark costs only its
own quote; a paragraph that leaves a quote open while the next one opens again is a quote running over
paragraphs (the news convention); a quote inside a quote is part of the outer one; ’ between letters is an
apostrophe. Single-quoted spans are quotes in documents that quote with single marks (British style); in a
document that quotes with double marks they are headlines' quotes, titles or scare quotes, kept with no speaker.

Attribution (`attribute`), English, from the dependency parse (tasks/nlp.py), read through Penn tags (`tag_`)
and the lexicon's verb forms, never `pos_`/`lemma_` (the model runs without attribute_ruler and lemmatizer): the
owner of a noun for something said ("Trump’s claim that “…”"); from the quote's tokens up through their heads to
a verb of saying (tasks/data/speech_en.json), whose subject is the speaker; else the subject and verb of saying
right after the closing mark (“…,” Ramos, 58, told AFP), "according to X", a verb of saying elsewhere in the
quote's sentence, "X: “…”", the subject of the verb the quote hangs from, the speaker of the sentence before
("Carter said that … ¶ “…”"), the no-parse patterns; else a quote standing alone in its paragraph (or following an
attributed one in the same paragraph) continues the previous quote's speaker.
A pronoun subject resolves to the preceding person of the right gender, preferring sentence subjects; a
description ("the Russian president") to the person the document introduced with those words; a subject no
entity covers keeps its words as `speaker_mention`. German and other text without a parse uses the lexicon of
its language (tasks/data/speech_de.json) and capitalised-name patterns („…“, sagte X / X sagte: „…“ / laut X).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from unidecode import unidecode

from tasks.records import Doc, Mention, Quote, Reject, run_per_doc

DATA = Path(__file__).with_name("data")
OPEN_D, CLOSE_D, OPEN_S, CLOSE_S = "“", "”", "‘", "’"
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC"})
_WORD = re.compile(r"\w+")
# A quote of this many words or more, or one that reads as a sentence, is "full"; shorter is "partial".
_FULL_MIN_WORDS = 6


@dataclass(frozen=True)
class QuoteOptions:
    """Knobs of quote finding and attribution (defaults measured on PolNeAR train, docs/quotes.md)."""

    full_min_words: int = _FULL_MIN_WORDS
    # how far back (characters) a pronoun looks for its person, and a description for the name it stands for
    pronoun_window: int = 1500
    # prefer the outermost verb of saying on the way up from a quote ("She added that both leaders
    # acknowledged that “…”": the reporter quotes her words), measured on PolNeAR train
    outermost_cue: bool = True
    # single-quoted spans are speech only in documents without double-quoted ones (see module docstring)
    single_quotes_when_no_double: bool = True
    # with no verb of saying, the named person or organisation that is the subject of the quote's verb speaks
    governing_subject: bool = True
    # a paragraph that opens with a quote nobody is named for, right after a paragraph whose last sentence reports
    # someone's speech ("Carter said that … ¶ “…”"), is that speaker's
    previous_paragraph: bool = True
    # "“…,” Sanders said, according to CNN": the source the reporter names for the whole report wins over the
    # verb of saying inside it (PolNeAR and the seeds' gold both give the "according to" source)
    according_first: bool = True


@dataclass(frozen=True)
class Lexicon:
    """Verbs of saying and the words around them for one language (tasks/data/speech_<lang>.json)."""

    cues: frozenset[str]
    weak: frozenset[str]
    according: frozenset[str]
    person_nouns: frozenset[str]
    pronouns: dict
    forms: frozenset[str]
    titles: frozenset[str]
    determiners: frozenset[str]
    particles: frozenset[str]
    # inflected form -> lemma of the verbs of saying (English): the parse is read without spaCy's lemmatizer
    lemmas: dict = field(default_factory=dict)
    # nouns for what someone said (claim, pledge, statement, warning, assertion)
    speech_nouns: frozenset[str] = frozenset()


@lru_cache(maxsize=8)
def load_lexicon(lang: str) -> Lexicon | None:
    """The lexicon of a language, or None when there is none (quotes are then found but not attributed)."""
    path = DATA / f"speech_{lang}.json"
    if not path.exists():
        return None
    d = json.loads(path.read_text(encoding="utf-8"))
    low = lambda key: frozenset(w.lower() for w in d.get(key, []))  # noqa: E731
    cues = low("strong") | low("weak")
    forms = low("forms")
    lemmas: dict[str, str] = {}
    if lang == "en":
        for lemma in sorted(cues | set(_PHRASAL) | {"quote", "cite"}):
            if " " not in lemma:
                for f in sorted(_english_forms(lemma)):
                    lemmas.setdefault(f, lemma)
        lemmas.update({k.lower(): v.lower() for k, v in d.get("irregular", {}).items()})
        forms |= {f for f, lemma in lemmas.items() if lemma in cues}
    return Lexicon(
        cues=cues, weak=low("weak"), according=low("according"),
        person_nouns=low("person_nouns"), pronouns=d.get("pronouns", {}), forms=forms, titles=low("titles"),
        determiners=low("determiners"), particles=low("name_particles"), lemmas=lemmas,
        speech_nouns=low("speech_nouns"),
    )


def _english_forms(lemma: str) -> set[str]:
    """Regular inflections of an English verb (-s, -ed, -ing; a final consonant doubled both ways: admitted,
    labelled); irregular ones are the lexicon's 'irregular'."""
    if lemma.endswith("e"):
        past, ing = lemma + "d", lemma[:-1] + "ing"
    elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        past, ing = lemma[:-1] + "ied", lemma + "ing"
    else:
        past, ing = lemma + "ed", lemma + "ing"
    third = lemma[:-1] + "ies" if lemma.endswith("y") and lemma[-2:-1] not in "aeiou" else (
        lemma + "es" if lemma.endswith(("s", "sh", "ch", "x", "z")) else lemma + "s")
    out = {lemma, past, ing, third}
    if re.search(r"[^aeiou][aeiou][bdglmnprt]$", lemma):
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return out


@lru_cache(maxsize=1)
def first_names() -> dict[str, str]:
    """First name (lower case) -> 'm' or 'f' (tasks/data/quotes_names.json)."""
    d = json.loads((DATA / "quotes_names.json").read_text(encoding="utf-8"))
    return {**{n: "m" for n in d["male"]}, **{n: "f" for n in d["female"]}}


# -- finding -----------------------------------------------------------------------------------------------------


@dataclass
class _Span:
    start: int  # offsets of the text inside the marks, in the document
    end: int
    mark: str  # "d" or "s"
    para: int


def _paragraph_spans(para: str, base: int, idx: int) -> tuple[list[_Span], int | None]:
    """Quoted spans of one paragraph and the offset of a double quote left open at its end (or None)."""
    spans: list[_Span] = []
    open_d: int | None = None
    open_s: list[int] = []
    n = len(para)
    outer_d: int | None = None  # an opener still open when another opened inside it
    for i, c in enumerate(para):
        if c == OPEN_D and open_d is not None and i and not para[i - 1].isspace() \
                and para[i - 1] not in "([{—–-/\"" and (i + 1 == n or not para[i + 1].isalnum()):
            # an opener where a closer belongs, with a quote open: "… where voters stand.“[HuffPost.]", "“rapists“
            # while" (PolNeAR train 1-300: one quote more)
            c = CLOSE_D
        if c == OPEN_D:
            if open_d is not None and _WORD.search(para[open_d + 1 : i]):
                outer_d = open_d
            open_d = i  # a second opener before any closer: the first was stray, unless the inner one nests in it
            open_s = [s for s in open_s if s < i]
        elif c == CLOSE_D:
            if open_d is not None and not _WORD.search(para[open_d + 1 : i]):
                open_d = i  # “”You don’t win …,”: a doubled opener
                continue
            if open_d is None and (i == 0 or para[i - 1].isspace() or para[i - 1] in ",:;(—–"):
                # a closing mark where an opening one belongs (straight quotes turned the wrong way: "As Politico
                # reported, ” … if the primary were held”"): it opens when another one closes it before any “
                rest = para[i + 1 :]
                close = rest.find(CLOSE_D)
                if close >= 0 and OPEN_D not in rest[:close] and _WORD.search(rest[:close]):
                    open_d = i
                continue
            if open_d is not None:
                spans.append(_Span(base + open_d + 1, base + i, "d", idx))
                # a single quote opened inside and never closed ends with the double quote around it
                open_s = [s for s in open_s if s < open_d]
                open_d = None
                if outer_d is not None:
                    # the same marks nested: “… the number of “cell phone only” households — …” is one quote when
                    # another ” closes the outer one before any “, or nothing opens again in the paragraph (a quote
                    # running over paragraphs); PolNeAR train 1-300 +1 right speaker, 301-840 +2
                    rest = para[i + 1 :]
                    close = rest.find(CLOSE_D)
                    if (close >= 0 and OPEN_D not in rest[:close]) or OPEN_D not in rest:
                        open_d = outer_d
                    outer_d = None
        elif c == OPEN_S:
            open_s.append(i)
        elif c == CLOSE_S:
            prev = para[i - 1] if i else " "
            nxt = para[i + 1] if i + 1 < n else " "
            if nxt.isalnum() and prev.isalnum():
                continue  # apostrophe: Russia’s, don’t
            if open_s and not prev.isspace():
                s = open_s.pop()
                spans.append(_Span(base + s + 1, base + i, "s", idx))
    return spans, open_d


def _strip(text: str, span: _Span) -> _Span | None:
    """The span without surrounding spaces; None when it holds no word."""
    inner = text[span.start : span.end]
    if not _WORD.search(inner):
        return None
    lead = len(inner) - len(inner.lstrip())
    return _Span(span.start + lead, span.start + len(inner.rstrip()), span.mark, span.para)


def find_quotes(text: str, options: QuoteOptions = QuoteOptions()) -> list[Quote]:
    """Quoted spans of normalised text in document order, with `kind`; offsets are those of the quoted text.

    Pairs “…” and ‘…’ by type within a paragraph; an unclosed or stray mark costs at most its own quote; “… “…” …”
    nests when a closer or the paragraph's end follows the inner quote; a paragraph that opens with “ and holds no
    other quote is a quote even when nothing closes it. A paragraph that leaves a double quote open while the next
    paragraph opens one is a quote running over paragraphs: its text runs to the paragraph's end. A quote inside
    another is part of it (not returned).
    """
    spans: list[_Span] = []
    paras = text.split("\n\n")
    pos = 0
    for i, para in enumerate(paras):
        found, open_d = _paragraph_spans(para, pos, i)
        spans.extend(found)
        # left open: a quote running over paragraphs when the next one opens with “, or a paragraph that is one
        # unclosed quote (“The number one thing … ¶ with no closing mark: train 1-300 +3 right speakers)
        if open_d is not None and (i + 1 < len(paras) and paras[i + 1].lstrip().startswith(OPEN_D)
                                   or not para[:open_d].strip() and not found):
            spans.append(_Span(pos + open_d + 1, pos + len(para), "d", i))
        pos += len(para) + 2
    spans = [s for s in (_strip(text, s) for s in spans) if s is not None]
    # a quote inside another quote is part of the outer one
    outer = [s for s in spans if not any(o is not s and o.start <= s.start and s.end <= o.end
                                         and (o.start, o.end) != (s.start, s.end) for o in spans)]
    outer.sort(key=lambda s: s.start)
    return [Quote(text=text[s.start : s.end], start=s.start, end=s.end, kind=_kind(text[s.start : s.end], options),
                  mark=s.mark, paragraph=s.para) for s in outer]


def _kind(inner: str, options: QuoteOptions) -> str:
    """'full' for a clause or more of speech, 'partial' for a fragment woven into the sentence.

    A full quote either is long, or reads as a sentence of its own: capital first letter and closing punctuation
    ("It must end NOW,"); a fragment ("ready", "key condition") is neither."""
    n_words = len(_WORD.findall(inner))
    sentence = inner[:1].isupper() and inner.rstrip().endswith((".", "!", "?", ",", "…")) and n_words >= 3
    return "full" if n_words >= options.full_min_words or sentence else "partial"


# Words before a quoted title of a work: appearing on “Meet the Press”, her film “Trainwreck”, titled “Scam”.
_TITLE_BEFORE = frozenset(
    "on in to of at from with for titled entitled called named dubbed told tells telling film movie book show program "
    "programme series song album column article essay op-ed headline novel memoir play podcast magazine "
    "newspaper documentary episode broadcast segment".split()
)


# Words that title case leaves lower-case: “The Lead with Jake Tapper”, “Flip the Script”.
_TITLE_MINOR = frozenset("a an the and but or nor for of on in at to by with from into over upon as vs via".split())

# Words after a quoted title: “Orange is the New Black” star Selenis Leyva, the “Scandal” actress.
_TITLE_AFTER = frozenset("star stars actor actress host creator director producer author series episode show "
                         "film movie book album song cast radio program programme podcast".split())

# Marcia “Cia” Price, John “Tig” Tiegen: a nickname between a first name and a surname
_NAME_WORD = r"[A-Z][\w.’'-]*"
_NICKNAME = re.compile(rf"{_NAME_WORD}(?: {_NAME_WORD})?")
_NAME_BEFORE = re.compile(rf"{_NAME_WORD} $")


def is_nickname(text: str, q: Quote, mentions: list[Mention]) -> bool:
    """Whether a quoted span is a nickname inside a person's name (Marcia “Cia” Price): one or two capitalised
    words in quote marks between two capitalised words, one of which the entities stage tags as a person. Never
    speech."""
    if not (0 < q.start - 1 and q.end + 2 < len(text) and text[q.start - 1] in "“‘" and text[q.end] in "”’"):
        return False
    if not (_NICKNAME.fullmatch(q.text) and _NAME_BEFORE.search(text, max(0, q.start - 41), q.start - 1)
            and text[q.end + 1] == " " and "A" <= text[q.end + 2] <= "Z"):
        return False
    return any(x.label == "PERSON" and (q.start - 2 <= x.end <= q.start - 1 or q.end + 1 <= x.start <= q.end + 2
                                        or x.start < q.start < q.end < x.end) for x in mentions)


def is_title(text: str, q: Quote) -> bool:
    """Whether a quoted span is the title of a work (a show, a film, a book), not speech: a short span in title
    case ("This Week," "Fox & Friends") after a preposition, a possessive (ABC’s “This Week”) or a word for a
    work; such quotes get no speaker."""
    words = _WORD.findall(q.text)
    if not words or len(words) > 8:
        return False
    long_words = [w for w in words if (len(w) > 3 and w.lower() not in _TITLE_MINOR) or w == words[0]]
    if not all(w[:1].isupper() or w[:1].isdigit() for w in long_words):
        return False
    if len(words) > 1 and not any(w[:1].isupper() or w[:1].isdigit() for w in words[1:]):
        return False  # “I’m with her” is a sentence, not a title
    before = text[max(0, q.start - 40) : q.start - 1].rstrip(" ,:")
    prev = before.split()[-1].lower() if before.split() else ""
    if prev == "to":
        # a headline in title case says nothing by its case: "Zoe Saldana Asked Men Everywhere To “Redefine
        # Masculinity.”" quotes her (a line of 4-16 capitalised words besides the quote; train 1-300 +1 quote)
        p_lo = text.rfind("\n", 0, q.start) + 1
        p_hi = text.find("\n", q.end)
        line = text[p_lo : q.start - 1] + " " + text[q.end + 1 : len(text) if p_hi < 0 else p_hi]
        lead = [w for w in _WORD.findall(line) if w.lower() not in _TITLE_MINOR]
        if 4 <= len(lead) <= 16 and all(w[:1].isupper() or w[:1].isdigit() for w in lead):
            return False
    after = text[q.end + 1 : q.end + 30].split()
    nxt = after[0].lower().strip(",.;:") if after else ""
    return (prev in _TITLE_BEFORE or prev.endswith(("’s", "'s", "(")) or nxt in _TITLE_AFTER
            or (prev in ("and", "or") and before.endswith(CLOSE_D + " " + prev)))


def quote_key(text: str) -> str:
    """The quote's words, ASCII-folded and lower-cased: the same quote under other marks, case or punctuation
    has the same key (the cross-outlet clusters in warehouse/marts/mart_quote_clusters.sql compare keys)."""
    return " ".join(_WORD.findall(unidecode(text).lower()))


# -- attribution: shared ---------------------------------------------------------------------------------------


@dataclass
class _Who:
    """A speaker as found in the text: the words, and the entity they resolve to (if any)."""

    mention: str | None
    name: str | None = None
    entity_id: str | None = None
    cue: str | None = None
    start: int = -1  # where the speaker's words are (for the pronoun resolution of later quotes)
    reported: str | None = None  # the verb's own subject when "according to" / "reports" named the speaker


def _set(q: Quote, who: _Who) -> None:
    q.speaker, q.speaker_entity_id = who.name, who.entity_id
    q.speaker_mention, q.cue = who.mention, who.cue
    q.reported_speaker = who.reported


def _inside(quotes: list[Quote], start: int, end: int) -> bool:
    """True when [start, end) lies inside a quote (marks included)."""
    return any(q.start - 1 <= start and end <= q.end + 1 for q in quotes)


def _gender(name: str, text: str, mentions: list[Mention]) -> str | None:
    """'m', 'f' or None for a person: an honorific before one of its mentions, else the first-name list."""
    for m in mentions:
        if m.name == name:
            before = text[max(0, m.start - 6) : m.start].lower()
            if re.search(r"\b(mr|sir)\.?\s*$", before):
                return "m"
            if re.search(r"\b(mrs|ms|miss)\.?\s*$", before):
                return "f"
    first = name.split(" ")[0].lower()
    return first_names().get(first)


# -- attribution: English with the parse ---------------------------------------------------------------------------

_SUBJ = ("nsubj", "csubj")

# Word classes from the tagger's Penn tags (tag_), not from pos_ and lemma_: the pipeline runs without spaCy's
# attribute_ruler and lemmatizer (tasks/nlp.py). The mapping is the attribute_ruler's: on the PolNeAR and seed
# texts it gives the same class as pos_ for every token these checks look at.
_VERB_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD"})
_NOUN_TAGS = frozenset({"NN", "NNS"})
_PROPN_TAGS = frozenset({"NNP", "NNPS"})
_PRON_TAGS = frozenset({"PRP", "PRP$", "WP", "EX"})
# nouns by tag that the attribute_ruler calls pronouns
_INDEFINITE = frozenset("something someone somebody nothing nobody anything anyone anybody everything everyone "
                        "everybody".split())


def _is_verb(t) -> bool:
    return t.tag_ in _VERB_TAGS


def _is_propn(t) -> bool:
    return t.tag_ in _PROPN_TAGS


def _is_pron(t) -> bool:
    """A pronoun: he, they, who; a determiner standing alone ("Some said …"); someone, nothing."""
    return t.tag_ in _PRON_TAGS or (t.tag_ in ("DT", "WDT") and t.dep_ not in ("det", "quantmod")) or (
        t.tag_ == "NN" and t.lower_ in _INDEFINITE)


def _is_noun(t) -> bool:
    return t.tag_ in _NOUN_TAGS and not _is_pron(t)


def _is_age(t) -> bool:
    """The head of "the 43-year-old", which news uses for a person named before."""
    return t.lower_ == "old" and t.i >= 2 and t.doc[t.i - 1].text == "-" and t.doc[t.i - 2].lower_ in ("year", "years")


def _adj_tag(t) -> bool:
    return t.tag_ in ("JJ", "JJR", "JJS")


def _verb_lemma(t, lex: Lexicon) -> str:
    """The lemma of a verb the lexicon knows (said -> say), else the word lower-cased."""
    return lex.lemmas.get(t.lower_, t.lower_)


def _noun_lemmas(t) -> set[str]:
    """The word lower-cased and, for a plural noun, its singular candidates (officials, spokesmen, parties)."""
    w = t.lower_
    out = {w}
    if t.tag_ == "NNS":
        if w.endswith("ves"):
            out |= {w[:-3] + "fe", w[:-3] + "f"}
        if w.endswith("men"):
            out.add(w[:-3] + "man")
        if w.endswith("ies"):
            out.add(w[:-3] + "y")
        if w.endswith("es"):
            out.add(w[:-2])
        if w.endswith("s"):
            out.add(w[:-1])
    return out
_NOT_SPEAKERS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
_RELATIVE = frozenset({"who", "which", "that"})


def _subject(verb, lex: Lexicon, bounds: tuple[int, int] = (0, 1 << 62)):
    """The token that is the verb's speaker: its subject, climbing through coordination and participles
    ("X said … and added", "X wrote, adding"); the antecedent of a relative "who"; None if there is none.

    Only tokens inside `bounds` (the paragraph) count: spaCy's parse can hang a subject from the paragraph
    before on the verb. When the verb has no subject there, the sentence's first name or noun before the verb
    that the parse attached elsewhere stands in ("Trump, in Kentucky, said …")."""
    v = verb
    for _ in range(5):
        for ch in sorted(v.children, key=lambda c: abs(c.i - v.i)):
            if not bounds[0] <= ch.idx < bounds[1]:
                continue
            if ch.dep_ in _SUBJ or (ch.dep_ == "nsubjpass" and _verb_lemma(v, lex) in ("quote", "cite")):
                if ch.lower_ in _RELATIVE and v.dep_ == "relcl":
                    return v.head
                if ch.lower_ in ("which", "who") and ch.i > 0 and v.dep_ != "relcl":
                    # a relative clause the parse missed: "they turned to the Chicago Police Department which
                    # reported “…”" hangs "reported" on "turned"; the name right before the pronoun is its antecedent
                    before = ch.doc[ch.i - 1]
                    if before.ent_type_ in ("PERSON", "ORG", "NORP") and bounds[0] <= before.idx < bounds[1]:
                        return before
                return ch
            if ch.dep_ == "agent":
                objs = [g for g in ch.children if g.dep_ == "pobj"]
                if objs:
                    return objs[0]
        if v.dep_ == "relcl" and bounds[0] <= v.head.idx < bounds[1]:
            return v.head
        if not bounds[0] <= v.head.idx < bounds[1] or v.head.i == v.i:
            break
        if v.dep_ in ("advcl", "acl") and v.tag_ == "VBG" and (
                _is_propn(v.head) or _is_pron(v.head) or v.head.ent_type_ in ("PERSON", "ORG")) and \
                v.head.dep_ not in ("dobj", "pobj", "dative"):
            # the parse hung the participle on its subject: "Trump defended …, calling it “…”" (a name the tagger
            # took for a noun, too: the entity recogniser still calls it a person); not on an object: "Biden,
            # urging those calling for a withdrawal to “give him time”" is Biden's (train 1-300 +1)
            return v.head
        if v.tag_ == "VBG" and v.dep_ in ("dobj", "xcomp", "oprd", "advcl", "ccomp") and any(
                c.dep_ == "auxpass" for c in v.head.children):
            # "al-Awlaki is shown lecturing: “…”", "Trump was heard saying …": the one seen or heard speaking is
            # the passive verb's subject
            subj = [c for c in v.head.children if c.dep_ == "nsubjpass" and bounds[0] <= c.idx < bounds[1]]
            if subj:
                return subj[0]
        if v.dep_ == "advcl" and v.tag_ == "VBG" and v.head.dep_ == "ccomp" and _is_cue(v.head.head, lex) \
                and bounds[0] <= v.head.head.idx < bounds[1] and v.head.head.i < v.head.i:
            # "Trump argued that a database would keep people out, saying it’s “all about management”": the
            # parse hangs the participle in the clause reported; it is the reporting speaker's
            v = v.head.head
            continue
        if v.dep_ == "acl" and v.tag_ == "VBG" and _noun_lemmas(v.head) & lex.speech_nouns \
                and v.head.dep_ == "dobj" and _is_verb(v.head.head) and bounds[0] <= v.head.head.idx < bounds[1]:
            v = v.head.head  # "His office put out a statement saying the U.S. “…”": the speaker is who issued it
            continue
        if v.dep_ == "pcomp" and v.head.dep_ == "prep" and _is_verb(v.head.head) \
                and bounds[0] <= v.head.head.idx < bounds[1]:
            v = v.head.head  # "Obama punctuated his list by saying “Too many.”": the speaker of the verb before
            continue
        if v.dep_ in ("conj", "xcomp", "advcl"):
            v = v.head
            continue
        break
    if verb.dep_ in ("ROOT", "conj") or not bounds[0] <= verb.head.idx < bounds[1]:
        start = max(bounds[0], verb.sent.start_char)
        for t in verb.doc.char_span(start, verb.idx, alignment_mode="expand") or []:
            if t.ent_type_ in _NOT_SPEAKERS:
                continue  # "On Tuesday, …": a date is never the speaker
            if (_is_propn(t) or _is_pron(t) or _is_noun(t)) and t.dep_ in ("nsubj", "pobj", "appos", "dobj", "conj") \
                    and not bounds[0] <= t.head.idx < bounds[1] and t.i < verb.i:
                return t
    if verb.dep_ == "ROOT" or (verb.dep_ == "ccomp" and verb.i > verb.head.i):
        # a main verb left without a subject by the parse ("In a statement to the Observer, her adviser, Jake
        # Sullivan, said: “…”" hangs the adviser on the Observer), or a "said" hung as a complement on the verb
        # before it ("… likened to the Star of David, Speaker of the House Rep. Paul Ryan (R-WI) said “…”"): a person
        # named right before it, with nothing but commas, adverbs and a parenthesis between
        t = verb.doc[verb.i - 1] if verb.i else verb
        while t.i > 0 and t.idx >= bounds[0] and (t.is_punct or t.tag_ == "RB") and "\n" not in t.text:
            if t.text == ")":  # "Sen. Elizabeth Warren (D-MA) said"
                while t.i > 0 and t.text != "(" and t.i > verb.i - 8:
                    t = verb.doc[t.i - 1]
            t = verb.doc[t.i - 1]
        if t.ent_type_ == "PERSON" and t.i < verb.i and t.idx >= bounds[0] and t.dep_ != "poss":
            return t
    return None


def _relative_source(tok, antecedent):
    """The relative pronoun ("who", "which", "that") that is the subject of a relative clause on `antecedent`
    containing `tok` (the verb of saying, or the quote: "Beck, who has described Trump as “…”"), else None."""
    for c in antecedent.children:
        if c.dep_ == "relcl" and c.left_edge.i <= tok.i <= c.right_edge.i:
            rel = [r for r in c.children if r.dep_ in _SUBJ and r.lower_ in _RELATIVE]
            if rel:
                return rel[0]
    nxt = antecedent.doc[antecedent.i + 1] if antecedent.i + 1 < len(antecedent.doc) else None
    if nxt is not None and nxt.lower_ in ("which", "who") and nxt.dep_ in _SUBJ and nxt.head.i == tok.i:
        return nxt  # the relative clause the parse missed (`_subject`)
    return None


def _phrase(tok) -> tuple[int, int]:
    """Character span of the noun phrase headed by `tok`: its determiners, modifiers and compounds to the left
    (contiguous), never relative clauses, appositions or anything across a paragraph break."""
    keep = {"compound", "amod", "det", "poss", "nmod", "nummod", "quantmod", "case", "npadvmod"}
    left = tok
    for t in reversed(list(tok.lefts)):
        if t.dep_ not in keep or t.i < left.i - 1 - (len(list(t.subtree)) - 1) or "\n" in t.text:
            break
        edge = t.left_edge
        if any("\n" in x.text for x in tok.doc[edge.i : tok.i]):
            break
        left = edge
    if _is_age(tok):  # "the 43-year-old": the parse may hang the age's words elsewhere
        while left.i > 0 and (left.doc[left.i - 1].text == "-" or left.doc[left.i - 1].lower_ in ("year", "years")
                              or left.doc[left.i - 1].tag_ in ("CD", "DT")) and left.i > tok.i - 6:
            left = left.doc[left.i - 1]
    right = tok
    for t in tok.rights:
        if t.dep_ in ("compound", "flat", "case") and t.i == right.i + 1:
            right = t
        else:
            break
    return left.idx, right.idx + len(right.text)


def _mention_at(mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The speaker-like mention that contains [start, end)."""
    for m in mentions:
        if m.start <= start and end <= m.end and m.label in SPEAKER_LABELS:
            return m
    return None


def _plausible(tok, lex: Lexicon, mentions: list[Mention]) -> bool:
    """Whether a subject can be a speaker: a name, a pronoun, or a noun for people or organisations. "it" can
    stand for a group or a document ("the group seeks what it calls “sensible … laws”"; PolNeAR train 1-300: two
    right speakers more, one wrong; 301-840: five more right)."""
    if _is_propn(tok) or _is_pron(tok) or _mention_at(mentions, tok.idx, tok.idx + len(tok.text)):
        return tok.lower_ not in ("this", "that", "which", "what")
    if _is_noun(tok) and tok.text[:1].isupper() and tok.i > tok.sent.start and not tok.text.isupper():
        return True  # a name the tagger took for a noun: "Pew notes that …"
    return bool(_noun_lemmas(tok) & lex.person_nouns)


# possessive pronouns as speakers ("his claim that “…”") resolve like their subject forms
_POSSESSIVE = {"his": "he", "her": "she", "hers": "she"}


def _resolve_pronoun(pron: str, at: int, text: str, mentions: list[Mention], sdoc, lex: Lexicon,
                     quotes: list[Quote], options: QuoteOptions) -> Mention | None:
    """The person a he/she before offset `at` stands for: the nearest preceding person of a compatible gender,
    preferring one that is a sentence's subject (a possessive or an object is rarely what "he" means)."""
    want = lex.pronouns.get(_POSSESSIVE.get(pron.lower(), pron.lower()))
    if want is None:
        return None
    people = [m for m in mentions if m.label == "PERSON" and m.end <= at and at - m.start <= options.pronoun_window
              and not _inside(quotes, m.start, m.end)]
    ok = [m for m in people if _gender(m.name, text, mentions) in (None, want)]
    if not ok:
        return None
    if sdoc is not None:
        for m in reversed(ok):
            span = sdoc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and span.root.dep_ in ("nsubj", "nsubjpass"):
                return m
    return ok[-1]


_INDEFINITE_DET = frozenset({"a", "an", "another", "one", "some", "any", "each", "every"})


def _resolve_description(tok, text: str, mentions: list[Mention], at: int) -> Mention | None:
    """The person a description ("the Russian president") stands for: a person the document introduces with
    the description's noun right before the name ("Russian President Vladimir Putin") or in an apposition
    ("Kellogg, the special envoy"), preferring more matching modifiers, then the nearest before the quote."""
    if tok.tag_ in ("NNS", "NNPS"):
        return None  # "the GOP leaders" are several people, not the one leader named earlier
    if any(c.dep_ == "det" and c.lower_ in _INDEFINITE_DET for c in tok.children):
        return None  # "another supporter wrote", "a spokesman said": someone not named before
    noun = tok.lower_
    mods = {t.lower_ for t in tok.lefts if t.dep_ in ("amod", "compound")}
    best: tuple[tuple[int, int], Mention] | None = None
    for m in mentions:
        if m.label != "PERSON":
            continue
        before = [w.lower() for w in _WORD.findall(text[max(0, m.start - 60) : m.start])][-4:]
        after = text[m.end : m.end + 80]
        appos = [w.lower() for w in _WORD.findall(after.split(",")[1])][:6] if after.startswith(",") else []
        for ctx in (before, appos):
            if noun in ctx or noun + "s" in ctx:
                if m.start > at:
                    continue  # the document must have named the person before describing them
                score = (len(mods & set(ctx)), m.start)
                if best is None or score > best[0]:
                    best = (score, m)
    return best[1] if best else None


def _who_from_token(tok, cue_tok, text: str, mentions: list[Mention], sdoc, lex: Lexicon, quotes: list[Quote],
                    options: QuoteOptions) -> _Who:
    """Turn a subject token into a speaker: entity, pronoun, description or plain words."""
    cue = cue_tok.text if cue_tok is not None else None
    start, end = _phrase(tok)
    words = text[start:end].strip()
    m = _mention_at(mentions, tok.idx, tok.idx + len(tok.text))
    if m is None:
        # an apposition naming the person: "his spokesman, Dmitry Peskov, said"
        for ch in tok.children:
            if ch.dep_ == "appos":
                m = _mention_at(mentions, ch.idx, ch.idx + len(ch.text))
                if m is not None and m.label == "PERSON":
                    break
                m = None
    if m is None:
        # a name closing the subject after a title: "Member of Parliament Inna Sovsun" (not "a spokesman for
        # Hillary Clinton", not "Trump’s spokesman")
        sub = [t for t in tok.subtree if t.dep_ not in ("relcl", "poss") and not any(
            a.dep_ in ("relcl", "poss", "acl") for a in t.ancestors if a.i > tok.i or a.i < tok.i and a in tok.subtree)]
        for t in sub:
            mm = _mention_at(mentions, t.idx, t.idx + len(t.text))
            if mm is not None and mm.label == "PERSON" and t.i > tok.i:
                prev = text[:mm.start].rstrip()
                if _is_propn(tok) or prev.endswith(",") or (prev.split() and prev.split()[-1][:1].isupper()):
                    m = mm
                    break
    if m is None and (_is_propn(tok) or _is_noun(tok)) and tok.text[:1].isupper():
        # a surname the entity stage missed here but found elsewhere in the document
        for mm in mentions:
            if mm.label == "PERSON" and mm.name.split(" ")[-1].lower() == tok.lower_:
                m = mm
                break
    if m is not None:
        if m.start < start or m.end > end:
            start, end = min(start, m.start), max(end, m.end)
            words = text[start:end].strip()
        return _Who(words, m.name, m.entity_id, cue, m.start)
    if _is_pron(tok):
        ref = _resolve_pronoun(tok.lower_, tok.idx, text, mentions, sdoc, lex, quotes, options)
        if ref is not None:
            return _Who(tok.text, ref.name, ref.entity_id, cue, tok.idx)
        return _Who(tok.text, None, None, cue, tok.idx)
    if _is_propn(tok) or (tok.text[:1].isupper() and tok.i > tok.sent.start and _is_noun(tok)):
        name = re.sub(r"^(the|The)\s+", "", words).strip(" ,.;:")
        return _Who(words, name or None, None, cue, tok.idx)
    after = text[end : end + 16]
    if after.startswith(","):
        # "the special envoy to Ukraine, Gen. Keith Kellogg": the name right after the description
        nxt = [mm for mm in mentions if mm.label == "PERSON" and end < mm.start <= end + 16]
        if nxt:
            return _Who(words, nxt[0].name, nxt[0].entity_id, cue, tok.idx)
    ref = _resolve_description(tok, text, mentions, tok.idx)
    if ref is not None:
        return _Who(words, ref.name, ref.entity_id, cue, tok.idx)
    return _Who(words or tok.text, None, None, cue, tok.idx)


def _is_cue(tok, lex: Lexicon) -> bool:
    """A verb of saying: a verb whose form the lexicon knows, or (when the tagger took it for something else:
    "Trump blasted Disney", "Murphy Tweeted") a past form; "points out" as a phrasal verb."""
    if tok.lower_ in lex.forms and _is_verb(tok):
        # "it’s safe to say he’s referring to …", "needless to say": the writer's idiom, nobody speaks
        return not (tok.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)
                    and (_adj_tag(tok.head) or any(c.dep_ == "acomp" and c.i < tok.i for c in tok.head.children)))

    if tok.lower_ in lex.forms and (_is_noun(tok) or _is_propn(tok) or _adj_tag(tok)) and tok.dep_ != "compound":
        # only past forms: "claims", "notes", "reports" mistagged as verbs are far rarer than the nouns; a present
        # form counts when the parse gave it a subject, as only a verb has one ("Article 33 affirms: “…”")
        return tok.lower_.endswith("ed") or tok.lower_ in ("said", "told", "wrote") or (
            tok.tag_ == "NNS" and any(c.dep_ == "nsubj" for c in tok.children))
    if not _is_verb(tok):
        return False
    if tok.lower_ in ("put", "puts") and any(c.dep_ == "dobj" and c.lower_ == "it" for c in tok.children):
        return True  # "as Dana Milbank puts it, “…”"
    prt = _PHRASAL.get(_verb_lemma(tok, lex))
    return prt is not None and any(c.dep_ == "prt" and c.lower_ == prt for c in tok.children)


# phrasal verbs of saying: verb lemma -> particle ("points out", "went on", "fired back")
_PHRASAL = {"point": "out", "go": "on", "fire": "back", "shoot": "back", "hit": "back", "speak": "out",
            "open": "up", "lash": "out", "weigh": "in", "chime": "in", "sound": "off"}


def _subject_before(verb, mentions: list[Mention], lex: Lexicon):
    """The speaker right before a verb the parse got wrong ("Trump blasted …", "Sanders’ campaign called AP’s
    report a “rush to judgment”"): a name, a pronoun, or a noun for people right before the verb."""
    if verb.i == 0:
        return None
    prev = verb.doc[verb.i - 1]
    if (_is_propn(prev) or _is_pron(prev)) and prev.lower_ not in ("it", "this", "that", "which", "what"):
        return prev
    if _is_noun(prev) and verb.tag_ in ("VBD", "VBZ", "VBN") and (
            _mention_at(mentions, prev.idx, prev.idx + 1) or _noun_lemmas(prev) & lex.person_nouns):
        return prev
    return None


# Once a verb of saying is found above a quote, the climb goes on only through clauses that are what was said
# (complements, coordination): "X said that Y acknowledged “…”" reaches X, "X said …, while Y stated “…”" not.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "conj"})


def _cue_chain(qtoks: list, inside, lex: Lexicon, mentions: list[Mention], bounds: tuple[int, int]) -> list:
    """Verbs of saying above the quote's tokens in the parse, nearest first (only those with a speaker).

    The climb stays inside the quote's paragraph (`bounds`): spaCy runs sentences over paragraph breaks, so a
    head can sit in the paragraph before."""
    chain = []
    seen = set()
    for t in qtoks:
        if not inside(t) or t.is_punct or inside(t.head):
            continue  # climb from the quote's own roots; its final stop often hangs on the sentence's root
        h = t
        have_cue = False
        for _ in range(12):
            if h.head.i == h.i:
                break
            if have_cue and (h.dep_ not in _CONTENT_DEPS or h.dep_ == "conj" and any(
                    c.dep_ in _SUBJ for c in h.children)):
                # a coordinated clause with a subject of its own is someone else's ("a woman asked for a photo and
                # Clinton said, “…”"), not the same speaker going on
                break
            h = h.head
            if not bounds[0] <= h.idx < bounds[1]:
                break
            if inside(h) or h.i in seen:
                continue
            seen.add(h.i)
            if _is_cue(h, lex):
                subj = _subject(h, lex, bounds)
                if subj is not None and not inside(subj) and bounds[0] <= subj.idx < bounds[1] and (
                    _verb_lemma(h, lex) not in lex.weak or _plausible(subj, lex, mentions)
                ) and (subj.head.i == h.i or _plausible(subj, lex, mentions)) and subj.lower_ != "you":
                    # "you" outside quotes is the generic one ("you can’t yell “fire” in a theater")
                    chain.append((h, subj))
                    have_cue = True
    return chain


_NAME_GLUE = frozenset({"compound", "flat", "nmod", "poss", "case"})


def _trailing_speaker(text: str, q: Quote, sdoc, lex: Lexicon, mentions: list[Mention], bounds: tuple[int, int]):
    """(cue, speaker token) named right after a quote that closes a sentence or clause, when the parse did not
    link them: “…,” Butz, 49, told The Huffington Post / “… who knows?” Trump told ITV / “…,” said a member.

    Reads the tokens themselves, not the tree: a subject (a name, a pronoun, or a noun phrase whose head can
    speak), an optional parenthetical between commas, then a verb of saying; or a verb of saying, then its
    subject."""
    inner = text[q.start : q.end].rstrip()
    after = text[q.end + 1 : q.end + 3]
    if not (inner.endswith((",", ".", "!", "?", "…", "—", "-")) or after.startswith(",")):
        return None
    span = sdoc.char_span(q.end + 1, min(bounds[1], q.end + 240), alignment_mode="expand")
    if span is None:
        return None
    toks = [t for t in span if not t.is_space][:40]
    i = 0
    while i < len(toks) and toks[i].is_punct and toks[i].text not in (OPEN_D, OPEN_S):
        i += 1
    if i >= len(toks) or toks[i].text in (OPEN_D, OPEN_S):
        return None

    def noun_phrase(j: int) -> tuple[int, object] | None:
        """(index after the phrase, its head token) of the subject-like phrase starting at toks[j]."""
        t = toks[j]
        if _is_pron(t) and t.lower_ in lex.pronouns:
            return j + 1, t
        if t.lower_ in ("one", "another") and (j + 1 == len(toks) or toks[j + 1].is_punct):
            return j + 1, t  # “…,” said another. / “America is great!” read one.
        k = j
        while k < len(toks) and (toks[k].tag_ in ("DT", "JJ", "PRP$", "CD", "HYPH") or toks[k].tag_ == "POS"
                                 or _is_propn(toks[k]) or _is_noun(toks[k])):
            if "\n" in toks[k].text:
                break
            k += 1
        heads = [x for x in toks[j:k] if _is_propn(x) or _is_noun(x) or _is_age(x)]
        if not heads:
            return None
        head = heads[-1]
        if not (_is_propn(head) or _mention_at(mentions, head.idx, head.idx + 1)
                or _noun_lemmas(head) & lex.person_nouns or _is_age(head)):
            return None
        return k, head

    t = toks[i]
    if _is_cue(t, lex) and _is_verb(t) and t.tag_ != "VBG" and _verb_lemma(t, lex) != "tell":
        # “…,” said X (a participle or "told" is followed by whom it addresses: “…,” telling Fox 35 that …)
        got = noun_phrase(i + 1) if i + 1 < len(toks) else None
        if got is not None:
            return t, got[1]
        return None
    got = noun_phrase(i)
    if got is None:
        return None
    j, head = got
    if j < len(toks) and toks[j].text == ",":
        # a parenthetical between commas: “…,” Butz, 49, told …
        # up to 30 tokens: news appositions run long (“…,” Trump, the 2016 GOP presidential frontrunner nationally
        # and current polling leader in South Carolina …, said); PolNeAR train 1-300 +2 right speakers against 10
        close = next((k for k in range(j + 1, min(len(toks), j + 30)) if toks[k].text == ","), None)
        if close is None:
            return None
        j = close + 1
    while j < len(toks) and toks[j].tag_ in ("RB", "MD") and toks[j].lower_ not in ("not", "n’t"):
        j += 1  # “…,” Trump later told …
    if j < len(toks) and _is_cue(toks[j], lex) and _verb_lemma(toks[j], lex) not in lex.weak:
        return toks[j], head
    return None


def _sentence_bounds(sdoc, text: str, start: int, end: int) -> tuple[int, int]:
    """Character bounds of the sentences the quote touches, extended over a sentence break spaCy puts between a
    closing mark and a lower-case attribution (“…” he said). `text` is `sdoc.text`, passed in: spaCy rebuilds
    that string from the tokens on every read (this was 2/3 of the quote stage's CPU)."""
    first = sdoc.char_span(start, start + 1, alignment_mode="expand")
    last = sdoc.char_span(max(start, end - 1), end, alignment_mode="expand")
    p_lo = text.rfind("\n\n", 0, start)
    p_hi = text.find("\n\n", end)
    p_lo, p_hi = (0 if p_lo < 0 else p_lo + 2), (len(text) if p_hi < 0 else p_hi)
    # spaCy sometimes runs a sentence over a paragraph break; a paragraph bounds the sentence
    lo = max(p_lo, first.sent.start_char if first is not None else start)
    hi = min(p_hi, last.sent.end_char if last is not None else end)
    rest = text[hi : hi + 4].lstrip(" ”’")
    if rest[:1].islower() and last is not None:
        nxt = sdoc.char_span(hi + (len(text[hi : hi + 4]) - len(rest)), hi + 5, alignment_mode="expand")
        if nxt is not None:
            hi = max(hi, min(p_hi, nxt.sent.end_char))
    return lo, hi


def _according(sdoc, lo: int, hi: int, quotes: list[Quote], lex: Lexicon):
    """The object of "according to X" in [lo, hi), outside quotes."""
    for t in sdoc.char_span(lo, hi, alignment_mode="expand") or []:
        if t.lower_ in lex.according and not _inside(quotes, t.idx, t.idx + 1):
            obj = _to_object(t)
            nxt = t.nbor(1) if t.i + 1 < len(t.doc) else None
            if obj is None and nxt is not None and nxt.lower_ == "to":
                obj = _pobj(nxt)
            if obj is not None:
                return t, obj
    return None


_VIEW_NOUNS = frozenset({"words", "view", "opinion", "estimation", "phrase", "telling", "judgment", "judgement"})


def _bare_possessor(noun):
    """The name before a bare apostrophe that the parse did not hang as a possessive: "in Forbes’ words" comes out
    as "in" with two objects, "Forbes" and "words" (PolNeAR train 1-300)."""
    if noun.i < 2:
        return None
    mark, owner = noun.nbor(-1), noun.nbor(-2)
    if mark.text in ("’", "'") and owner.text[-1:] in ("s", "z", "x") and _is_propn(owner) \
            and owner.sent == noun.sent:
        return owner
    return None


def _in_words_of(sdoc, q: Quote, lo: int, hi: int, quotes: list[Quote]):
    """(None, X) for "in X’s words" / "in the words of X" / "in X’s view" right before or right after a quote
    ("…, in Forbes’ words, “they are …”", "“…” from diplomacy to the defense budget, in Bolton’s view.")."""
    for t in sdoc.char_span(lo, hi, alignment_mode="expand") or []:
        if t.lower_ not in _VIEW_NOUNS or t.dep_ != "pobj" or t.head.lower_ != "in" \
                or _inside(quotes, t.idx, t.idx + 1):
            continue
        if not (0 <= q.start - t.idx <= 60 or 0 <= t.idx - q.end <= 60):
            continue  # the phrase must sit next to the quote, not elsewhere in a long sentence
        owner = next((c for c in t.children if c.dep_ == "poss"), None) or _bare_possessor(t)
        if owner is None:
            of = next((c for c in t.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            owner = _pobj(of) if of is not None else None
        if owner is not None and owner.lower_ not in ("my", "our", "your", "its"):
            return None, owner
    return None


_SHARE_NOUNS = frozenset({"percent", "majority", "plurality", "minority", "half", "third", "quarter", "share",
                          "most", "%"})


def _share_of_people(tok) -> bool:
    """A subject that is a share of a population ("25 percent of voters", "the vast majority of Americans")."""
    return tok.lower_ in _SHARE_NOUNS or tok.ent_type_ == "PERCENT"


def _parenthetical_cue(sdoc, q: Quote, lo: int, lex: Lexicon, quotes: list[Quote], bounds: tuple[int, int]):
    """(cue, subject) of a reporting aside between commas before the quote in its sentence: "CNN, Cruz said, called
    the announcement “highly significant.”", "no different, he said, from Bush calling Reagan’s policies “voodoo
    economics”": the one who reports the whole sentence, the outermost speaker."""
    span = sdoc.char_span(lo, q.start, alignment_mode="expand")
    if span is None:
        return None
    toks = [t for t in span if t.idx < q.start - 1]
    for k in range(1, len(toks) - 1):
        t = toks[k]
        if not _is_cue(t, lex) or _verb_lemma(t, lex) in lex.weak or _inside(quotes, t.idx, t.idx + 1):
            continue
        subj = toks[k - 1]
        if not (_is_propn(subj) or (_is_pron(subj) and subj.lower_ in lex.pronouns)) or k < 2:
            continue
        j = k - 2
        while j >= 0 and _is_propn(toks[j]):
            j -= 1  # "…, Ted Cruz said, …"
        if j >= 0 and toks[j].text == "," and toks[k + 1].text == "," and bounds[0] <= subj.idx:
            return t, subj
    return None


def _pobj(tok):
    """The first object of a preposition, or None."""
    return next((o for o in tok.children if o.dep_ == "pobj"), None)


def _to_object(according):
    """X in "according to X": the object of the preposition hung on "according", or None."""
    return next((o for o in map(_pobj, according.children) if o is not None), None)


def _according_on(verb, lex: Lexicon):
    """(according, X) when "according to X" modifies the verb of saying itself ("“…,” Sanders said, according to
    CNN"; not "Zelensky told reporters that “…” but also expressed doubt, according to ABC News")."""
    for t in verb.subtree:
        if t.lower_ not in lex.according or t.dep_ != "prep":
            continue
        h = t.head  # on the verb, or on its adjuncts ("said at a press conference, according to the Sun")
        while h.i != verb.i and h.dep_ in ("pobj", "prep", "npadvmod") and not _is_verb(h):
            h = h.head
        if h.i == verb.i:
            obj = _to_object(t)
            if obj is None:
                obj = _pobj(t)
            if obj is not None:
                return t, obj
    return None


def _reported_by(verb, lex: Lexicon):
    """(reported, X) when a clause after the verb of saying names who reported it ("“…,” said Kristen Day,
    reports USA Today"; "Richards noted that … is “central” …, reported the Washington Examiner")."""
    cands = [c for c in verb.children if c.dep_ in ("conj", "parataxis")]
    if verb.dep_ in ("ccomp", "parataxis"):
        cands.append(verb.head)
    for t in cands:
        if t.i <= verb.i or not _is_verb(t) or _verb_lemma(t, lex) != "report":
            continue
        subj = [ch for ch in t.children if ch.dep_ == "nsubj" and (_is_propn(ch) or _is_noun(ch))]
        # "reports USA Today": the parse takes the inverted subject for an object
        inverted = [ch for ch in t.children if ch.dep_ in ("dobj", "npadvmod", "attr") and ch.i > t.i
                    and _is_propn(ch)]
        if subj or inverted:
            return t, (subj or inverted)[0]
    # "“Build a wall,” fans chanted, referring to …, the Chicago Tribune reports.": a closing ", X reports." that the
    # parse hung elsewhere in the sentence
    sent = verb.sent
    end = sent[-1] if sent[-1].is_punct else None
    if end is not None and end.i >= 2:
        t = sent.doc[end.i - 1]
        if t.i > verb.i and _is_verb(t) and t.tag_ in ("VBZ", "VBD") and _verb_lemma(t, lex) == "report":
            subj = [ch for ch in t.children if ch.dep_ == "nsubj" and _is_propn(ch)]
            if subj and subj[0].left_edge.i > 0 and sent.doc[subj[0].left_edge.i - 1].text == ",":
                return t, subj[0]
    return None


def _quote_roots(span, inside):
    """The tokens of a quote (`inside`) whose syntactic head lies outside it: where the quote hangs from."""
    return (t for t in span if inside(t) and not t.is_punct and not inside(t.head))


def _heads_within(tok, bounds: tuple[int, int], steps: int):
    """The heads above `tok`, nearest first, at most `steps` of them, while they stay inside `bounds`."""
    for _ in range(steps):
        if tok.head.i == tok.i or not bounds[0] <= tok.head.idx < bounds[1]:
            return
        tok = tok.head
        yield tok


def _speech_noun_speaker(span, inside, lex: Lexicon, mentions: list[Mention], bounds: tuple[int, int]):
    """(None, owner) when the quote hangs from a noun for something said whose owner can speak: "Trump’s claim
    that Obama “founded ISIS”", "his pledge to be “neutral”", "Romney’s “47 percent” comment", "the contention of
    Hillary Clinton that … “over-classification”". The climb from the quote stops at a finite verb."""

    def owner(tok) -> bool:
        if not bounds[0] <= tok.idx < bounds[1] or inside(tok):
            return False
        m = _mention_at(mentions, tok.idx, tok.idx + len(tok.text))
        return (m is not None and m.label in ("PERSON", "ORG", "NORP")) or _is_propn(tok) \
            or tok.lower_ in ("his", "her", "their")

    for t in _quote_roots(span, inside):
        for prev, h in pairwise([t, *_heads_within(t, bounds, 5)]):
            if inside(h):
                continue
            if _is_verb(h) and (h.tag_ not in ("VB", "VBG", "VBN") or h.dep_ not in ("xcomp", "acl", "ccomp", "pcomp")):
                break  # "his pledge to be “neutral”" passes "be"; a clause of its own does not
            if h.lower_ == "as" or prev.dep_ in ("amod", "oprd", "attr", "acomp") or (
                    _adj_tag(prev) and h == prev.head):
                # "denounced Trump’s remarks as “hurtful”", "Trump’s “divisive” comments" (an adjective the parse
                # may hang as nmod): the describer's words
                break
            if _is_noun(h) and _noun_lemmas(h) & lex.speech_nouns:
                for ch in h.children:
                    if ch.dep_ == "poss" and owner(ch):
                        return None, ch
                    if ch.dep_ == "prep" and ch.lower_ == "of":
                        objs = [o for o in ch.children if o.dep_ == "pobj" and owner(o)]
                        if objs:
                            return None, objs[0]
                break
    return None


def _governing_subject(span, inside, mentions: list[Mention], bounds: tuple[int, int], lex: Lexicon):
    """(None, subject) when no verb of saying governs a quote but the verb it hangs from has a person or an
    organisation as subject ("Merkel heralded the deal as a “breakthrough”"): news quotes the words of the one
    who acts on them. A subject that is not a named person or organisation, he/she or a noun for people or
    organisations is not enough.

    When the verb is the complement of a higher verb whose subject can speak, that one wins: "Warren said Trump
    was a “proven failure”", "Two analysts found that the air force is “the best in the world”" are theirs."""

    def speaker(subj) -> bool:
        m = _mention_at(mentions, subj.idx, subj.idx + len(subj.text))
        # a noun for people or organisations too ("The ad targets a “corrupt political system …”", "an option seen by
        # organizers as a “lifeboat”"), unless the quote is inside its own phrase ("The “No Comparison” ad
        # contrasts …", "the actor-singer, who also stars on … “Bloodline,”"): PolNeAR train 1-300 +2 right speakers
        # and +3 matched quotes, 301-840 +8 and +7
        return (m is not None and m.label in ("PERSON", "ORG")) or subj.lower_ in ("he", "she") \
            or (_is_noun(subj) and bool(_noun_lemmas(subj) & lex.person_nouns)
                and not subj.left_edge.idx <= span[0].idx <= subj.right_edge.idx)

    for t in _quote_roots(span, inside):
        for h in _heads_within(t, bounds, 6):
            if _is_verb(h) and not inside(h):
                subj = _subject(h, lex, bounds)
                if subj is None and h.tag_ in ("VB", "VBG", "VBN") and h.dep_ in ("xcomp", "pcomp"):
                    # a controlled verb has no subject of its own: "People are keen on telling women to stop
                    # “nagging”" is theirs (train 1-300 +1 right speaker, 301-840 +4; going on past any verb left
                    # without a subject gave train 1-300 +4 and 301-840 +15, but cost a dev speaker)
                    continue
                if subj is None or inside(subj):
                    break
                best = subj if speaker(subj) else None
                v = h
                for _ in range(3):
                    if v.dep_ != "ccomp" or not _is_verb(v.head) or not bounds[0] <= v.head.idx < bounds[1]:
                        break
                    v = v.head
                    up = _subject(v, lex, bounds)
                    if up is None and v.dep_ == "acl" and _is_noun(v.head) and bounds[0] <= v.head.idx < bounds[1]:
                        up = v.head  # "Two military analysts, …, found in 2014 that …": the verb hangs on them
                    if up is not None and not inside(up) and (speaker(up) or _noun_lemmas(up) & lex.person_nouns):
                        best = up
                if best is not None:
                    return None, best
                break
    return None


def _previous_paragraph_speaker(text: str, q: Quote, sdoc, lex: Lexicon, mentions: list[Mention],
                                quotes: list[Quote], bounds: tuple[int, int]):
    """(cue, subject) for a quote that opens a sentence when the sentence before it, in its paragraph or ending
    the paragraph before, reports someone's speech: "Carter said that for decades critics had predicted a
    withdrawal. ¶ “That’s because this region …”", "Coan argues that his client never encouraged violence. “The
    government is alleging …”". News opens a quote this way only right after naming the speaker."""
    before = text[bounds[0] : q.start - 1]
    if before.strip():
        if not before.rstrip().endswith((".", "!", "?")):
            return None
        prev_lo, prev_hi = bounds[0], bounds[0] + len(before.rstrip())
    else:
        if bounds[0] < 2:
            return None
        prev_hi = bounds[0] - 2
        prev_lo = text.rfind("\n\n", 0, prev_hi)
        prev_lo = 0 if prev_lo < 0 else prev_lo + 2
    if len(_WORD.findall(q.text)) < 6 and not _WORD.search(text[q.end : bounds[1]]):
        return None  # a short quote standing alone is a subheading (‘A really tough decision.’), not speech
    last = sdoc.char_span(max(prev_lo, prev_hi - 1), prev_hi, alignment_mode="expand")
    if last is None or not len(last):
        return None
    sent = last[-1].sent
    lo = max(prev_lo, sent.start_char)
    if any(lo <= o.end and o.start <= prev_hi for o in quotes):
        return None  # a sentence with quotes of its own: continuation (`_continuation`) decides
    pbounds = (prev_lo, prev_hi)
    for t in sent:
        if t.idx < lo or not _is_cue(t, lex) or t.dep_ not in ("ROOT", "conj", "parataxis") and not (
                t.dep_ == "acl" and _noun_lemmas(t.head) & lex.speech_nouns) and not (
                t.dep_ in ("pcomp", "advcl", "xcomp") and t.tag_ == "VBG"):
            # the sentence's own verb of saying, "the DNC issued a statement apologizing to …", or a participle on
            # its verb ("Bolton distanced himself from the movement by saying he would help. “I’m going to …”")
            continue
        subj = _subject(t, lex, pbounds)
        if subj is not None and lo <= subj.idx < prev_hi and (
                _verb_lemma(t, lex) not in lex.weak or _plausible(subj, lex, mentions)):
            return t, subj
    return None


# "IOWA POLLS NOT NECESSARILY WRONG - Mark Blumenthal and Jon Cohen: “…”", "… - More from Jones: “…”" (HuffPollster)
_DIGEST_SOURCE = re.compile(r"\s[-–—]+\s?(?:More from\s)?[A-Z][\w.’&-]*(?:\s(?:and\s)?[A-Z][\w.’&-]*){0,4}:$")


def _colon_speaker(text: str, q: Quote, sdoc, lex: Lexicon, mentions: list[Mention], bounds: tuple[int, int],
                   quotes: list[Quote]):
    """(cue token or None, speaker token) for a quote a colon introduces: "X: “…”", "She then addressed the
    supporters: “…”", or a paragraph ending "…, Cruz said:" before a paragraph that opens with the quote; not
    when the colon is inside a quote."""
    before = text[bounds[0] : q.start - 1].rstrip()
    if before.endswith(":"):
        colon = bounds[0] + len(before) - 1
    elif not before and bounds[0] >= 2:
        prev_para = text[: bounds[0]].rstrip()
        if not prev_para.endswith(":"):
            return None
        colon = len(prev_para) - 1
        p_lo = text.rfind("\n\n", 0, colon)
        bounds = (0 if p_lo < 0 else p_lo + 2, colon + 1)
    else:
        return None
    if _inside(quotes, colon, colon + 1):
        return None  # "“… Here they are: ¶ “Has the candidate …?”": the quoted speaker goes on (train 1-300 +4)
    prev = sdoc.char_span(max(bounds[0], colon - 1), colon, alignment_mode="expand")
    if prev is None or not len(prev):
        return None
    tok = prev[-1]
    para_first = sdoc.char_span(bounds[0], bounds[1], alignment_mode="expand")
    first = sdoc[max(tok.sent.start, para_first[0].i if para_first is not None and len(para_first) else tok.sent.start)]
    if _is_propn(tok) or _is_pron(tok) or (_is_noun(tok) and tok.lower_ in lex.person_nouns):
        if _mention_at(mentions, tok.idx, tok.idx + 1) or not _is_noun(tok) or tok.lower_ in lex.person_nouns:
            if tok.dep_ in ("nsubj", "ROOT", "appos", "npadvmod", "dep") or _is_propn(tok) or (
                    tok.dep_ == "pobj" and tok.head.i == first.i and first.lower_ == "from"):
                return None, tok  # "Angela Merkel: “…”", "From the report: “…”"
    if first.lower_ == "here" and first.i + 1 < tok.i and sdoc[first.i + 1].lower_ in ("’s", "'s", "is") and not any(
            _is_cue(t, lex) for t in sdoc[first.i : tok.i + 1]):
        # "Here’s Clinton in December 1992: “…”": the one presented speaks
        for t in sdoc[first.i + 2 : tok.i + 1]:
            if t.ent_type_ in _NOT_SPEAKERS:
                break
            if _is_propn(t) or (_is_noun(t) and _noun_lemmas(t) & lex.person_nouns):
                return None, t
    # the clause before the colon: its verb of saying, else its subject when it can speak; a verb with neither
    # hands over to the one above it ("Eaton said that given the candidates on both sides: “…”")
    verb = tok
    for _ in range(12):
        if _is_verb(verb):
            subj = _subject(verb, lex, bounds)
            if subj is not None and (_is_cue(verb, lex) or _plausible(subj, lex, mentions)):
                return (verb if _is_cue(verb, lex) else None), subj
            if subj is not None:
                return None
        if verb.head.i == verb.i or not bounds[0] <= verb.head.idx < bounds[1]:
            break
        verb = verb.head
    return None


def _attribute_parsed(text: str, quotes: list[Quote], mentions: list[Mention], sdoc, lex: Lexicon,
                      options: QuoteOptions) -> dict[int, _Who]:
    """Speakers of the quotes (index -> _Who) read from the dependency parse."""
    found: dict[int, _Who] = {}
    for qi, q in enumerate(quotes):
        span = sdoc.char_span(q.start, q.end, alignment_mode="expand")
        if span is None:
            continue
        lo_q, hi_q = q.start - 1, q.end + 1

        def inside(t, lo_q=lo_q, hi_q=hi_q):
            return lo_q <= t.idx < hi_q

        p_lo = text.rfind("\n\n", 0, q.start)
        p_hi = text.find("\n\n", q.end)
        bounds = (0 if p_lo < 0 else p_lo + 2, len(text) if p_hi < 0 else p_hi)
        chain = _cue_chain(list(span), inside, lex, mentions, bounds)
        pick = _speech_noun_speaker(span, inside, lex, mentions, bounds)
        if _DIGEST_SOURCE.search(text[bounds[0] : q.start - 1].rstrip()):
            # a digest's "headline - Source: “…”" names its source before the colon, whatever the headline's verb
            chain, pick = [], _colon_speaker(text, q, sdoc, lex, mentions, bounds, quotes)
        lo, hi = _sentence_bounds(sdoc, text, q.start, q.end)
        if pick is None:
            pick = _in_words_of(sdoc, q, lo, hi, quotes)
        if chain and pick is None and options.outermost_cue:
            aside = _parenthetical_cue(sdoc, q, lo, lex, quotes, bounds)
            if aside is not None and all(aside[0].i != c[0].i for c in chain):
                chain.append(aside)
        if chain and pick is None:
            pick = chain[-1] if options.outermost_cue else chain[0]
        if pick is None:
            pick = _trailing_speaker(text, q, sdoc, lex, mentions, bounds)
        if pick is None:
            acc = _according(sdoc, lo, hi, quotes, lex)
            if acc is not None:
                pick = acc
        if pick is None:
            # a verb of saying elsewhere in the sentence, outside every quote: nearest to the quote; a short
            # sentence right after the closing mark counts too (“… President!” Trump added.)
            after = text[q.end + 1 : q.end + 4]
            if q.end + 1 >= hi - 1 and after[:1] == " " and after.strip()[:1] not in (OPEN_D, OPEN_S):
                nxt = sdoc.char_span(q.end + 2, min(len(text), q.end + 3), alignment_mode="expand")
                if nxt is not None and len(nxt.sent) <= 15 and OPEN_D not in nxt.sent.text:
                    hi = max(hi, min(nxt.sent.end_char, text.find("\n\n", q.end) % (len(text) + 1)))
            sent = sdoc.char_span(lo, hi, alignment_mode="expand") or []
            cands = []
            for t in sent:
                if _is_cue(t, lex) and not _inside(quotes, t.idx, t.idx + len(t.text)):
                    subj = _subject(t, lex, bounds)
                    if subj is None or _inside(quotes, subj.idx, subj.idx + 1):
                        # none, or one inside the quote: "“… We will achieve justice …,” Tulsa police Chief Chuck
                        # Jordan said" parses "said" as a conjunct of the quoted verb and inherits its "We"
                        subj = _subject_before(t, mentions, lex)
                    if subj is not None and not _inside(quotes, subj.idx, subj.idx + 1) and lo <= subj.idx < hi and (
                        _verb_lemma(t, lex) not in lex.weak or _plausible(subj, lex, mentions)
                    ):
                        d = q.start - t.idx if t.idx < q.start else t.idx - q.end
                        cands.append((d, t, subj))
            if cands:
                _, t, subj = min(cands, key=lambda c: c[0])
                pick = (t, subj)
        if pick is None:
            pick = _colon_speaker(text, q, sdoc, lex, mentions, bounds, quotes)
        if pick is None and options.governing_subject:
            pick = _governing_subject(span, inside, mentions, bounds, lex)
        if pick is None and options.previous_paragraph:
            pick = _previous_paragraph_speaker(text, q, sdoc, lex, mentions, quotes, bounds)
        if pick is not None and pick[1] is not None and pick[1].lower_ == "you":
            pick = None  # "feel free to “vote your conscience”": "you" outside quotes is the generic one, whatever rule
        spoken = None  # (verb, subject) of the speech itself when the report's source takes the speaker's place
        if pick is not None and options.according_first and pick[0] is not None and _is_verb(pick[0]):
            source = _according_on(pick[0], lex) or _reported_by(pick[0], lex)
            if source is None and _share_of_people(pick[1]):
                # "25 percent of likely voters say they would “definitely not support” him, according to a poll":
                # a share of people speaks through the poll the sentence names
                source = _according(sdoc, lo, hi, quotes, lex)
            if source is not None:
                spoken, pick = pick, source
        if pick is not None:
            cue_tok, subj = pick
            who = _who_from_token(subj, cue_tok, text, mentions, sdoc, lex, quotes, options)
            if spoken is not None and spoken[1] is not None:
                inner = _who_from_token(spoken[1], spoken[0], text, mentions, sdoc, lex, quotes, options)
                who.reported = inner.name or inner.mention
            rel = _relative_source(cue_tok if cue_tok is not None else span[0], subj)
            if rel is not None and who.name is not None:
                who.mention = rel.text  # "Beck, who described Trump as “…”": the subject as written, like "he"
            elif rel is not None and who.mention:
                # no entity names the antecedent: the mention runs from it to the pronoun, so that it says both who
                # spoke and the subject as written ("the Associated Press report, which notes, “…”")
                at = text.rfind(who.mention, max(0, rel.idx - 120), rel.idx)
                if at >= 0 and "\n" not in text[at : rel.idx]:
                    who.mention = text[at : rel.idx + len(rel.text)]
            found[qi] = who
    # what the parse left unattributed: the patterns used for text without a parse (“…,” said X / X said: “…”),
    # when they name someone the entities stage knows ("Ryan said,“Look, …”" tokenises as one word)
    rest = [qi for qi in range(len(quotes)) if qi not in found]
    if rest:
        lexical = _attribute_lexical(text, [quotes[qi] for qi in rest], mentions, lex, verb_first=False)
        for k, who in lexical.items():
            if who.entity_id is not None:
                found[rest[k]] = who
    return found


# -- attribution: text without a parse (German, or any language with a lexicon) --------------------------------

_CAP = r"[A-ZÄÖÜ][\w’'.-]*"


def _is_title_word(word: str, lex: Lexicon) -> bool:
    """A title or role before a name, German compounds included: Kanzler, Gewerkschaftsschef, Microsoft-CEO,
    Botschafterin."""
    w = word.lower().strip(".,;:")
    w = w.rsplit("-", 1)[-1]
    stems = {w, w[:-2] if w.endswith("in") else w}
    return any(x in lex.titles or any(x.endswith(t) for t in lex.titles if len(t) >= 4) for x in stems)


def _name_after(s: str, lex: Lexicon) -> tuple[str, str | None] | None:
    """(words, name) of the speaker at the start of `s`: "Olaf Scholz", "Kanzler Olaf Scholz" (name: the words
    after titles), "der Minister" (a description: no name), "er" (a pronoun: no name)."""
    parts = "|".join(sorted(map(re.escape, lex.particles), key=len, reverse=True)) or "von"
    m = re.match(rf"\s*((?:[\w.-]+\s+){{0,1}}(?:{_CAP}|(?:(?:{parts})\b))(?:\s+(?:{_CAP}|(?:(?:{parts})\b)))*)", s)
    if not m:
        w = re.match(r"\s*(\w+)", s)
        if w and w.group(1).lower() in lex.pronouns:
            return w.group(1), None
        return None
    words = m.group(1).split()
    if words[0].lower() in lex.pronouns:
        return words[0], None
    if words[0].lower() in lex.determiners:
        # a description: the determiner and its noun (and a genitive: der Sprecher des Ministeriums)
        desc = re.match(rf"\s*(\w+\s+(?:[\w-]+\s+)?{_CAP}(?:\s+(?:des|der)\s+(?:\w+\s+)?{_CAP})?)", s)
        return (desc.group(1) if desc else " ".join(words[:2])), None
    if not words[0][:1].isupper():
        return None
    while words and words[-1].lower() in lex.particles:
        words.pop()
    # the name is what follows the last title ("Deutschlands Justizminister Heiko Maas"); a run that ends with a
    # title is a description ("Mürzzuschlager Bürgermeister"), not a name
    titled = [i for i, w in enumerate(words) if _is_title_word(w, lex)]
    name_words = [w.strip(".,;:") for w in words[titled[-1] + 1 if titled else 0 :]][:4]
    if not name_words:
        return " ".join(words), None
    return " ".join(words), " ".join(name_words)


def _name_before(s: str, lex: Lexicon) -> tuple[str, str | None] | None:
    """The speaker at the end of `s` (text before a verb of saying): "… Olaf Scholz", "… der Minister"."""
    toks = s.rstrip().split()
    if not toks:
        return None
    last = toks[-1].strip(",;:")
    if last.lower() in lex.pronouns:
        return last, None
    run: list[str] = []
    for w in reversed(toks):
        w2 = w.strip(",;:")
        if w2 != w and run:
            break
        if w2[:1].isupper() or (run and w2.lower() in lex.particles):
            run.insert(0, w2)
        else:
            if w2.lower() in lex.determiners and run:
                return " ".join([w2, *run]), None
            break
    if not run:
        return None
    head = toks[: len(toks) - len(run)]
    if head and head[-1].lower() in _PREPOSITIONS and len(head) > 1:
        # "Fink zur Meisterfrage:" — the run after a preposition is its object, the speaker comes before it
        return _name_before(" ".join(head[:-1]), lex)
    return _name_after(" ".join(run), lex)


_PREPOSITIONS = frozenset("zur zum zu über im in am vom von mit nach für bei gegen auf an".split())

# German separable-verb particles: "sagt … zu" is zusagen (to promise), not a verb of saying with a subject.
_SEPARABLE = frozenset({"zu", "an", "ab", "aus", "ein", "fest", "zurück"})


def _attribute_lexical(text: str, quotes: list[Quote], mentions: list[Mention], lex: Lexicon,
                       verb_first: bool = True) -> dict[int, _Who]:
    """Speakers from verbs of saying and capitalised names around each quote, for text without a parse.

    Patterns: „…“, sagte X / „…“, so X (after the quote); X sagte: „…“ / X sagte, … „…“ (before it, in the
    same sentence); laut X / X zufolge. A mention from the entities stage, when there is one, names the speaker.
    `verb_first=False` drops "Dann sagte X: „…“" (German word order; in English the name after the verb before a
    quote is its object: "thanked Obama for “…”").
    """
    found: dict[int, _Who] = {}
    last_named: _Who | None = None
    for qi, q in enumerate(quotes):
        p_lo = text.rfind("\n\n", 0, q.start)
        p_lo = 0 if p_lo < 0 else p_lo + 2
        p_hi = text.find("\n\n", q.end)
        p_hi = len(text) if p_hi < 0 else p_hi
        after = text[q.end + 1 : p_hi]
        stop = re.search(r"[.!?](\s|$)|[“‘]", after)
        after = after[: stop.start()] if stop else after
        dot = text.rfind(". ", p_lo, q.start)
        sent_lo = p_lo if dot < 0 else dot + 2
        before = text[sent_lo : q.start - 1]
        who: _Who | None = None
        m = re.match(r"\s*,?\s*(\w+)\b(.*)", after, re.S)
        if m and m.group(1).lower() in lex.forms | lex.according:
            got = _name_after(m.group(2), lex)
            rest = m.group(2).strip()[len(got[0]) :].split() if got is not None else []
            if rest and rest[0].strip(".,;:!?").lower() in _SEPARABLE:
                got = None  # "sagt Kooperation zu": a separable verb (zusagen), not "sagt X"
            if got is not None:
                who = _Who(got[0], got[1], None, m.group(1), q.end + 1 + m.start(2))
        if who is None and m:
            # “…,” Trump said / “…,” der Minister sagte (subject first)
            got = _name_after(after.lstrip(" ,"), lex)
            if got is not None:
                rest = after.lstrip(" ,")[len(got[0]) :].split()
                if rest and rest[0].strip(".,;:").lower() in lex.forms:
                    who = _Who(got[0], got[1], None, rest[0].strip(".,;:"), q.end + 1)
        if who is None and before.rstrip().endswith(":"):
            # a headline's or interview's "Leitl: „…“"
            got = _name_before(before.rstrip()[:-1], lex)
            if got is not None and got[1]:
                who = _Who(got[0], got[1], None, None, sent_lo)
        if who is None:
            # before the quote: the last verb of saying outside quotes in the sentence, with its subject before
            # it (X sagte: „…“) or after it (Dann sagte X: „…“)
            words = list(re.finditer(r"[\w’]+", before))
            for w in reversed(words):
                at = sent_lo + w.start()
                if w.group(0).lower() in lex.forms and not _inside(quotes, at, at + 1):
                    got = _name_before(before[: w.start()], lex)
                    if got is None and verb_first:
                        got = _name_after(before[w.end():], lex)
                        rest = before[w.end():].strip()[len(got[0]):].split() if got is not None else []
                        if rest and rest[0].strip(".,;:!?").lower() in _SEPARABLE:
                            got = None
                    if got is not None:
                        who = _Who(got[0], got[1], None, w.group(0), sent_lo)
                    break
        if who is None:
            acc = re.search(r"\b(laut|according to)\s+(.+)$|(\S.*?)\s+zufolge\b", before + " " + after, re.I)
            if acc:
                got = _name_after(acc.group(2), lex) if acc.group(2) else _name_before(acc.group(3), lex)
                if got is not None:
                    who = _Who(got[0], got[1], None, acc.group(1) or "zufolge", q.start)
        if who is not None:
            if who.mention and who.mention.lower() in lex.pronouns and last_named is not None:
                who.name = last_named.name
            mm = _mention_in(mentions, who, text)
            if mm is not None:
                who.name, who.entity_id = mm.name, mm.entity_id
            if who.name:
                last_named = who
            found[qi] = who
    return found


def _mention_in(mentions: list[Mention], who: _Who, text: str) -> Mention | None:
    """An entity mention whose name matches the speaker's words (for languages with an entity stage)."""
    if not who.mention:
        return None
    for m in mentions:
        if m.label in SPEAKER_LABELS and m.text in who.mention:
            return m
    return None


# -- attribution: a source after a dash --------------------------------------------------------------------------

# “…” ― Sonya Herridge / “…” — Jane Doe, 45, a nurse: the source of a quote roundup or an epigraph, on a line that
# is only the quote, a dash and the source. The name is a run of capitalised words (initials and name particles
# allowed); what follows a comma or an opening bracket describes it.
_DASH_SOURCE = re.compile(
    r"[,.!?…]?[ \t]*[―—–][ \t]*"
    r"((?:[A-ZÄÖÜ][\w’'.-]*|[a-z]{1,3})(?:[ \t]+(?:[A-ZÄÖÜ][\w’'.-]*|[a-z]{1,3})){0,5})"
    r"[ \t]*(?:[,(][^\n“”‘’]*)?\.?[ \t]*(?:\n|$)")


def _dash_sources(text: str, quotes: list[Quote], mentions: list[Mention], lex: Lexicon) -> dict[int, _Who]:
    """Speakers named after a dash right behind a quote's closing mark ("“…” ― Sonya Herridge"); the entities
    stage's mention there, when there is one, gives the canonical name."""
    found: dict[int, _Who] = {}
    for qi, q in enumerate(quotes):
        if q.end >= len(text) or text[q.end] not in (CLOSE_D, CLOSE_S):
            continue
        if text[text.rfind("\n", 0, q.start) + 1 : q.start - 1].strip():
            continue  # the quote must open its line: "… was “still the No. 1 force.” — Kim Jones" signs a brief
        m = _DASH_SOURCE.match(text, q.end + 1)
        if m is None:
            continue
        words = m.group(1).split()
        while words and not words[-1][:1].isupper():
            words.pop()  # "— Jane Doe of" ends with the name
        if not words or not words[0][:1].isupper() or words[0].lower() in lex.pronouns:
            continue
        name = " ".join(words).rstrip(".")
        lo = m.start(1)
        who = _Who(name, name, None, None, lo)
        for mention in mentions:
            if lo <= mention.start < lo + len(name) and mention.label in SPEAKER_LABELS:
                who.name, who.entity_id = mention.name or mention.text, mention.entity_id or None
                break
        found[qi] = who
    return found


# -- attribution: entry point --------------------------------------------------------------------------------


def _continuation(text: str, quotes: list[Quote], found: dict[int, _Who]) -> None:
    """A quote nobody is named for continues the previous quote's speaker when the text supports it: it opens a
    paragraph that holds nothing but quotes right after a paragraph with an attributed quote, or it follows an
    attributed quote in its own paragraph (“…,” he said. “…”). The paragraphs of a quote running over several
    take the speaker named where it closes (“…¶“…¶“…,” Stone said.)."""
    for qi in range(len(quotes) - 2, -1, -1):
        q, nxt = quotes[qi], quotes[qi + 1]
        runs_on = q.end >= len(text) or text[q.end : q.end + 1] != CLOSE_D
        if qi not in found and qi + 1 in found and runs_on and q.mark == "d" and q.paragraph is not None \
                and nxt.paragraph == q.paragraph + 1 and text[: nxt.start].rstrip().endswith(OPEN_D):
            found[qi] = found[qi + 1]
    for qi, q in enumerate(quotes):
        if qi in found or qi == 0:
            continue
        prev = quotes[qi - 1]
        pw = found.get(qi - 1)
        if pw is None:
            continue
        p_lo = text.rfind("\n\n", 0, q.start)
        p_lo = 0 if p_lo < 0 else p_lo + 2
        p_hi = text.find("\n\n", q.end)
        p_hi = len(text) if p_hi < 0 else p_hi
        para = text[p_lo:p_hi]
        outside = para
        for o in quotes:
            if p_lo <= o.start and o.end <= p_hi:
                outside = outside.replace(o.text, " ")
        only_quotes = not _WORD.search(outside)
        same_para = prev.start >= p_lo
        prev_para_ok = prev.paragraph == q.paragraph - 1 if q.paragraph is not None else False
        opens = text[p_lo:q.start].strip() in (OPEN_D, OPEN_S)
        # a short sentence of its own after an attributed quote continues it too (“…?” Sanders said. “Okay, great!”)
        sentence = q.text[:1].isupper() and q.text.rstrip().endswith((".", "!", "?", "…")) \
            and text[prev.end : q.start - 1].rstrip().endswith((".", "!", "?"))
        if (same_para and q.start > prev.end and (q.kind == "full" or sentence)) \
                or (only_quotes and prev_para_ok and opens) \
                or (prev_para_ok and opens and q.kind == "full" and prev.kind == "full"
                    and not _WORD.search(text[q.end + 1 : p_hi].split(".")[0] if q.end < p_hi else "")):
            found[qi] = _Who(pw.mention, pw.name, pw.entity_id, None, pw.start)


def attribute(text: str, quotes: list[Quote], mentions: list[Mention], options: QuoteOptions = QuoteOptions(),
              analysis=None, language: str = "en") -> None:
    """Fill speaker, speaker_entity_id, speaker_mention and cue of each quote in place.

    `analysis` is the spaCy Doc of `text` (tasks/nlp.py); without it the lexicon of `language` and capitalised
    names are used. Quotes that are not speech in a document that quotes with double marks (single-quoted
    headlines, titles, scare quotes) get no speaker. Raises nothing for a language without a lexicon: its quotes
    simply stay unattributed.
    """
    lex = load_lexicon("en" if analysis is not None else language)
    if lex is None or not quotes:
        return
    # titles of works, nicknames, letters or symbols in quotes ("R," "D,") and a lone pronoun talked about as a
    # word ("because “she” is a “he”") are not speech
    cands = [q for q in quotes if not is_title(text, q) and not is_nickname(text, q, mentions)
             and any(len(w) > 1 and w.lower() not in lex.pronouns for w in _WORD.findall(q.text))]
    if options.single_quotes_when_no_double and any(q.mark == "d" for q in quotes):
        cands = [q for q in cands if q.mark != "s"]
    if analysis is not None:
        found = _attribute_parsed(text, cands, mentions, analysis, lex, options)
    else:
        found = _attribute_lexical(text, cands, mentions, lex)
    found.update(_dash_sources(text, cands, mentions, lex))  # a name after a dash outweighs the rules above
    _continuation(text, cands, found)
    for qi, who in found.items():
        _set(cands[qi], who)


def quote_id(doc_id: str, q: Quote) -> str:
    return hashlib.sha1(f"{doc_id}|{q.start}|{q.end}".encode()).hexdigest()[:16]


def extract_quotes(doc: Doc, options: QuoteOptions = QuoteOptions()) -> None:
    """Find and attribute the quotes of one document (needs its mentions; uses its spaCy analysis if any)."""
    doc.quotes = find_quotes(doc.text, options)
    attribute(doc.text, doc.quotes, doc.mentions, options, analysis=doc.analysis, language=doc.language)
    for q in doc.quotes:
        q.quote_key = quote_key(q.text)


def quote_docs(docs: list[Doc], options: QuoteOptions = QuoteOptions()) -> tuple[list[Doc], list[Reject]]:
    """Find and attribute the quotes of every document of a batch; a document that fails is a reject."""
    return run_per_doc(docs, lambda d: extract_quotes(d, options), "quotes")

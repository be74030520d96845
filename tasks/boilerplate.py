"""Boilerplate: the article body and its metadata out of a page.

HTML goes through trafilatura. Plain text (which trafilatura does not handle) goes through our paragraph cleaner:
head metadata lines (title, byline, date, source url) move into fields, furniture phrases kept as data in
`data/boilerplate_phrases.json` are removed with their category as the reason, and a furniture block that starts
in the second half of a document (a donation appeal, a comment form) takes everything after it.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import trafilatura
from lxml import etree

from tasks import reasons
from tasks.pagetype import PageMarks, index_pages, page_marks
from tasks.records import Doc, Paragraph, Reject, RejectError, run_per_doc

log = logging.getLogger("newsflow.clean")
# Seconds extraction workers get to start (forkserver + importing trafilatura: about 1-2 s on an idle machine).
_WORKER_START_S = 60.0

PHRASES_PATH = Path(__file__).with_name("data") / "boilerplate_phrases.json"

# A head line longer than this is body text, not a title or metadata line.
_MAX_TITLE_CHARS = 250
_MAX_META_WORDS = 12
# How many leading paragraphs may hold metadata (title, byline, date, caption).
_HEAD = 6
_MIN_CAPTION_WORDS = 10
# A paragraph ending in a teaser link ("… Read more") is a teaser up to this long; a longer one is more likely
# the article's own paragraph with a link at its end.
_MAX_TEASER_WORDS = 60
# A reader comment's time stamp line ("10:39 pm September 16, 2010") is at most this many words.
_MAX_STAMP_WORDS = 8
_CLOCK = re.compile(r"\b\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?|uhr|h)?\b", re.I)
# A related-links heading is this short ("Related:", "More on this story"); the headlines under it are at most
# 20 words and do not end like a sentence.
_MAX_RELATED_HEADING_WORDS = 5
_SENTENCE_END = re.compile(r"[.!?…:;,][\"”’'»)]*\s*$")
# A paragraph this long is prose when locating the article inside a page (jusText's "good" length is 200).
_PROSE_CHARS = 150
_CAPTION_DATE_END = re.compile(r",\s+(\d{1,2}\.?\s+[A-Za-zäÄ]+|[A-Z][a-z]+\.?\s+\d{1,2},?)\s+\d{4}\.?$")
_NOT_CAPTION_START = set("-–—•*·▪►@\"“„«‘'")
_SENTENCE_BREAK = re.compile(r"[.!?…][\"”“»’']?\s+[\"“„«]?[A-ZÄÖÜ]")
_FINAL_PUNCT = tuple(".!?:;…\"”’“»«)]'‘")
# A line ending like a sentence or a clause of one, closing quote marks or brackets after it allowed: not a title
# (`“We will win,” he said.`, `… under wraps.”`, `WASHINGTON (AP) — The Latest on the race:`).
_ENDS_CLAUSE = re.compile(r"[.,;:…][\"”“»«’'‘)\]]*$|[!?][\"”“»«’'‘)\]]+$")
# A headline the source ended with a full stop (some archives and corpora add one) is still a title when it is
# the document's first line and this short; wire leads ("WASHINGTON (AP) — The Senate voted …") run longer.
_MAX_HEADLINE_WORDS = 20
# what follows a title in a page's <title>: up to four short segments after " | " or " - "
_TITLE_SUFFIX = re.compile(r"(?:\s+[|–—-]\s+[^|]{1,40}){1,4}")

# Quotations. Opening mark -> closing marks, as tasks/normalise.py pairs them; '' is the NYT archive's double mark.
_QUOTE_OPEN_CLOSE = (("“", "”\""), ("„", "“”"), ("«", "»"), ("»", "«"), ('"', '"”'), ("''", "''"), ("‘", "’'"),
                     ("‚", "‘’"))
_QUOTATION = re.compile(
    "|".join(rf"(?:^|(?<=[\s(\[—–-])){re.escape(o)}\S[^\n]*?[^\s{re.escape(o)}][{re.escape(c)}](?![^\W\d_])"
             for o, c in _QUOTE_OPEN_CLOSE)
)
_BARE_SPEECH_LEMMAS = frozenset({"say", "tell", "insist", "warn", "ask", "explain", "argue", "claim"})
SPEECH_PATHS = {lang: Path(__file__).with_name("data") / f"speech_{lang}.json" for lang in ("en", "de")}

_MONTHS = {
    **{m: i for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1)},
    **{m: i for i, m in enumerate(
        "januar februar märz april mai juni juli august september oktober november dezember".split(), 1)},
    **{m[:3]: i for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1)},
    "sept": 9, "jänner": 1, "maerz": 3,
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_DATE_PATTERNS = (
    (re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b", re.I), ("m", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
    # slashes: US month first ("News date : 04/21/2022"), else day first ("DATE : 27/09/2020"); 03/04/2021 reads
    # as 4 March, which only matters for `published` when the page's metadata has no date
    (_SLASH_DATE, ("m", "d", "y")),
    (_SLASH_DATE, ("d", "m", "y")),
)
_YEAR = re.compile(r"\d{4}")
_COMMENTS = re.compile(r"\bcomments?\b", re.I)
_URL = re.compile(r"https?://\S+")
_SOURCE_URL_LABEL = re.compile(r"^(original (url|article)|source( url)?|quelle|originalartikel)\s*:\s*", re.I)
_BYLINE = re.compile(r"^(?i:by|von|par|por|di)\s+(?P<name>[A-Z][\w.'’-]*(\s+(and|und|&)?\s*[A-Z][\w.'’-]*){0,5})\s*$")
_AUTHOR_LABEL = re.compile(r"^(author|autor|autorin|written by|text)\s*:\s*(?P<name>.*)$", re.I)
_READ_TIME = re.compile(r"\b\d+\s*(min(ute)?s?|minuten)\s*(read|lesezeit|lesen)\b", re.I)
# Photo credit at the end of a short line: "... / AFP", "...AP", "(Photo: Reuters)", "Foto: dpa".
_AGENCIES = r"(AFP|AP|Reuters|Getty Images|EPA|dpa|Xinhua|TASS|Sputnik|Anadolu|Bloomberg|Shutterstock|picture alliance)"
_CREDIT = re.compile(
    rf"(/\s*{_AGENCIES}|[.)]\s*{_AGENCIES}|\b(photo|foto|bild|image|credit)s?\s*:\s*[^.]{{2,80}})\s*\)?\s*$"
)
# ... or a credit line on its own, agency first ("AFP / MARCO BERTORELLO", "dpa/Michael Kappeler", Polish
# "Fot. Jan Kowalski / Agencja Gazeta"), or a caption ending in a © credit ("Marco Odermatt. © AFP / M. B.").
_CREDIT_LINE = re.compile(rf"^\s*({_AGENCIES}\s*/|[Ff]ot\.)\s*[\w .'’/-]{{2,60}}$|©\s*[\w .'’/|-]{{2,60}}$")
# Where a person stands in the picture, after their name: "Senator Aubyn Hill (right), looks on as …",
# "Richard Osman (left), 40." Prose names people without saying where they stand in a frame.
# A photographer's credit closing a caption: a name in parentheses or in capitals after "By", or an agency
# glued to the caption's full stop ("… (Teresa Canino Rivera)", "… Las Croabas. By U.S. CUSTOMS AND BORDER
# PROTECTION", "… Mitzscherlich.DCV / Oppitz").
_CREDIT_END = re.compile(
    r"[.!?]\s*\((?:[A-ZÁÉÍÓÚÄÖÜ][\w'’.-]+ ){1,3}[A-ZÁÉÍÓÚÄÖÜ][\w'’.-]+\)$"
    r"|[.!?]\s+By (?:[A-Z][A-Z.'’&-]*\s?){2,8}$"
    r"|[a-zäöüß][.!?](?-i:[A-ZÄÖÜ][\w-]*) ?/ ?(?-i:[A-ZÄÖÜ][\w-]+)$"
)
_PICTURE_POSITION = re.compile(
    r"[A-ZÄÖÜ][\w.'’-]+,? \((?:left|right|centre|center|second (?:from )?(?:left|right)|l-r|l\.-r\.|from left)\)")


@dataclass(frozen=True)
class HtmlOptions:
    """Cleaning options: trafilatura's, ours over its output, and template detection (bench/eval_extraction.py
    measures them; docs/cleaning.md has the figures)."""

    favor_precision: bool = False
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    # our block classifier (jusText features) also over trafilatura's output; always on for plain text
    block_features: bool = False
    # the unpunctuated-line caption rule also over trafilatura's output (credit lines are always captions)
    html_captions: bool = False
    # template detection across the documents of a batch (see `find_templates`)
    templates: bool = True
    # section and index pages rejected as `not_an_article` (tasks/pagetype.py)
    index_pages: bool = True
    template_min_docs: int = 3
    template_max_chars: int = 200
    # Per-document time limit on trafilatura, in seconds (None: extract in this process, no limit). Extraction
    # then runs in `extraction_processes` worker processes (signal.alarm is not safe: Prefect may run the task
    # in a thread); a page over the limit is rejected as `extraction_timeout` and its worker is replaced.
    # trafilatura takes 2-10 ms on a news page (../shared/notes/stack-check.md §4): 30 s is pathological.
    timeout_s: float | None = 30.0
    extraction_processes: int = 1


@dataclass
class Cleaned:
    paragraphs: list[Paragraph]
    title: str | None = None
    byline: str | None = None
    published: date | None = None
    url: str | None = None
    site_name: str | None = None
    extras: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_phrases(path: str = str(PHRASES_PATH)) -> list[tuple[str, bool, re.Pattern]]:
    """The phrase table as (category, starts_tail_block, compiled pattern over all languages)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    table = []
    for category, spec in data["categories"].items():
        pats = [p for lang, ps in spec.items() if lang not in _RULE_KINDS for p in ps]
        if pats:
            table.append((category, bool(spec.get("tail")), re.compile(r"^\s*(?:" + "|".join(pats) + ")", re.I)))
    return table


# Keys of a phrase category that are not languages: where its other patterns apply (see `load_phrase_rules`).
_RULE_KINDS = ("tail", "end", "glued", "trailing", "comment_header")


@lru_cache(maxsize=1)
def load_phrase_rules(path: str = str(PHRASES_PATH)) -> dict[str, list[tuple[str, re.Pattern]]]:
    """The phrase table's positional patterns, {kind: [(category, compiled pattern over all languages)]}.

    `end`: a paragraph ending in one is a teaser (`… Read more`); `glued`: split off the end of a paragraph
    into a paragraph of its own (a skip link glued to a subheading); `trailing`: counts only among the last
    kept paragraphs of a document (an author's bio line, a reporting credit); `comment_header`: a reader
    comment's header line ("Jane wrote :", see `drop_comment_section`).
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    rules: dict[str, list[tuple[str, re.Pattern]]] = {"end": [], "glued": [], "trailing": [], "comment_header": []}
    for category, spec in data["categories"].items():
        for kind, table in rules.items():
            pats = [p for ps in spec.get(kind, {}).values() for p in ps]
            if not pats:
                continue
            if kind in ("trailing", "comment_header"):
                table.append((category, re.compile(r"^\s*(?:" + "|".join(pats) + ")", re.I)))
            else:  # at the end, alone or after the end of a sentence (not "… than I used to read more.")
                table.append((category, re.compile(r"(?:^|(?<=[.!?…:”\"»’')\]])\s*)(?:" + "|".join(pats) + r")\s*$",
                                                   re.I)))
    return rules


def split_glued(texts: list[str]) -> list[str]:
    """Paragraphs with a `glued` furniture phrase at their end split in two ("Global shift? Continue reading
    the main story" -> "Global shift?", "Continue reading the main story"), so the phrase can go alone."""
    glued = load_phrase_rules()["glued"]
    out = []
    for t in texts:
        for _, pattern in glued:
            m = pattern.search(t)
            if m and t[: m.start()].strip():
                out += [t[: m.start()].rstrip(), t[m.start():].strip()]
                break
        else:
            out.append(t)
    return out


def parse_date(text: str) -> date | None:
    """The first calendar date written in `text` (English or German month names, ISO, d.m.yyyy, m/d/yyyy or
    d/m/yyyy), or None."""
    if not _YEAR.search(text):  # every pattern has a four-digit year; most paragraphs have none
        return None
    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            parts = dict(zip(order, m.groups()))
            month = parts["m"]
            month = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
            try:
                return date(int(parts["y"]), month, int(parts["d"]))
            except (TypeError, ValueError):
                continue
    return None


def split_paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs: one per non-empty line, except hard-wrapped blocks, which are joined.

    Scraped news text puts one paragraph on a line; a block of several lines that all end mid-sentence is
    hard-wrapped prose and becomes one paragraph.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if len(lines) >= 3 and all(40 <= len(ln) <= 100 for ln in lines[:-1]) and not any(
            ln.endswith((".", "!", "?", ":", "”", '"')) for ln in lines[:-1]
        ):
            out.append(" ".join(lines))
        else:
            out.extend(lines)
    return out


def _is_caption(text: str, unpunctuated: bool = True) -> bool:
    """A photo caption or credit: a short line ending in a credit, or a long-ish line with no final punctuation.

    Body paragraphs of news end in punctuation; subheadings do not but are short (under ~10 words); a line of
    10 to 40 words with no final punctuation in the body is a caption ("X shaking hands with Y at the summit").
    """
    if len(text) < 300 and (_CREDIT.search(text) or _CREDIT_LINE.search(text)):
        return True
    if len(text) < 300 and (_PICTURE_POSITION.search(text) or _CREDIT_END.search(text.rstrip())):
        return True
    # wire-photo style: one sentence ending in ", Place, 15 March 2025." (body text says "on March 15")
    if len(text) < 300 and text.count(". ") == 0 and _CAPTION_DATE_END.search(text):
        return True
    if not unpunctuated:
        return False
    n_words = len(text.split())
    if not _MIN_CAPTION_WORDS <= n_words <= 40 or text.rstrip().endswith(_FINAL_PUNCT):
        return False
    # not a caption: a list item ("- ...", "• ..."), a quotation or tweet, or several sentences (a caption is one
    # line; a paragraph whose last sentence lost its full stop is not). Measured on cleanportal and trafeval:
    # these were most of the body lines the rule removed.
    stripped = text.lstrip()
    return not (stripped[:1] in _NOT_CAPTION_START or _SENTENCE_BREAK.search(text))


@lru_cache(maxsize=1)
def _speech_words() -> frozenset[str]:
    """Inflected verbs of saying (said, says, told, sagte, erklärte…), from the quote stage's lexicons
    (tasks/data/speech_*.json): English lemmas get their regular -s/-ed/-ing forms, irregular ones are listed."""
    words: set[str] = set()
    for lang, path in SPEECH_PATHS.items():
        d = json.loads(path.read_text(encoding="utf-8"))
        words |= {w.lower() for w in d.get("forms", []) + d.get("according", []) if " " not in w}
        for lemma in d.get("strong", []) if lang == "en" else []:
            if " " in lemma:
                continue
            stem = lemma[:-1] if lemma.endswith("e") else lemma
            # inflected forms only: bare lemmas such as "post", "note", "state", "read" are nouns and imperatives
            # in teaser and menu lines ("Read: “The spy who came in”"); "say" and "tell" are verbs
            words |= {lemma + "s", lemma + "es", stem + "ed", stem + "ing"}
            if lemma in _BARE_SPEECH_LEMMAS:
                words.add(lemma)
            if lemma.endswith("y"):
                words |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    # German "so" (", so Müller") is also every other sentence's adverb; "read" heads teaser lines
    # ("Read: “The spy who came in”") more often than it reports speech
    words -= {"so", "read"}
    return frozenset(words)


def is_quotation(text: str) -> bool:
    """Whether a paragraph reports speech: a quotation in matched marks, and either a verb of saying
    (`“We will win,” he said.`, `Trump called the plan “a disaster.”`) or nothing but the quotation (a quoted
    paragraph continuing the speaker's words). Such paragraphs are article content however short they are."""
    stripped = text.strip()
    m = _QUOTATION.search(stripped)
    if m is None or len(stripped.split()) < 3:
        return False
    if m.start() == 0 and m.end() >= len(stripped.rstrip(".,;:!?…)")) - 1:
        return True
    outside = stripped[: m.start()] + " " + stripped[m.end():]
    return any(w in _speech_words() for w in _WORDS.findall(outside.lower()))


# A word that mixes Latin and Cyrillic letters ("Аdvеrtіѕе" with Cyrillic А, е, і, ѕ): text written with
# look-alike letters so that ad filters do not recognise it. No language writes words that way.
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _is_homoglyph_text(text: str) -> bool:
    """At least three words, and a fifth of them, mix Latin and Cyrillic letters: obfuscated advertising."""
    words = text.split()
    mixed = sum(1 for w in words if _LATIN.search(w) and _CYRILLIC.search(w))
    return mixed >= 3 and mixed * 5 >= len(words)


def _is_dated_prose(text: str) -> bool:
    """Two or more sentences, one of them without a digit: prose that names a date ("Am 5. November 2021 wird
    sie 100 Jahre alt. Herzlichen Glückwunsch."), not a dateline ("Published 3 May 2021. Updated 4 May 2021.")."""
    if not _SENTENCE_BREAK.search(text):
        return False
    sentences = re.split(r"(?<=[.!?…])\s+(?=[\"“„«]?[A-ZÄÖÜ])", text.strip())
    return len(sentences) >= 2 and any(not re.search(r"\d", s) and len(s.split()) >= 2 for s in sentences)


def _is_title(text: str, first: bool) -> bool:
    """A head line that can be the headline: short, not ending like a sentence or clause (but for the document's
    first line, which may be a headline with a full stop), and not a reported quotation."""
    if len(text) > _MAX_TITLE_CHARS:
        return False
    if _ENDS_CLAUSE.search(text.rstrip()):
        plain_stop = re.search(r"[.;][\"”’'‘]?$", text.rstrip()) is not None  # a headline's stop, or a deck's ;
        if not (first and plain_stop and len(text.split()) <= _MAX_HEADLINE_WORDS
                and not _SENTENCE_BREAK.search(text)):
            return False
    return not is_quotation(text) or first


def _titled_line(text: str, title: str) -> bool:
    """The page's title line as the browser shows it: the title, then a few short segments after bars or dashes
    (section, site, date: "La perte des terres fertiles | Environnement | DW | 23.05.2011")."""
    text, title = text.strip(), title.strip()
    # the metadata title may carry a suffix of its own ("… | DW | 23.05.2011"): compare what comes before it
    suffix = re.search(r"(?:\s+\|\s+[^|]{1,40}){1,4}$", title)
    core = title[: suffix.start()] if suffix else title
    return len(core) >= 20 and text.startswith(core) and _TITLE_SUFFIX.fullmatch(text[len(core):]) is not None


def clean_paragraphs(texts: list[str], title_hint: str | None = None, blocks: bool = False,
                     templates: frozenset[str] = frozenset(), unpunctuated_captions: bool = True,
                     trailing_urls: bool = True) -> Cleaned:
    """Classify plain-text paragraphs as body or furniture and pull metadata out of the head and tail.

    `trailing_urls`: a bare URL among the last three paragraphs is the source url (plain text only).
    Returns the paragraphs (each kept or removed with a reason code) and the metadata found. Never raises.
    """
    paras = [Paragraph(idx=i, text=t) for i, t in enumerate(split_glued(texts))]
    out = Cleaned(paragraphs=paras, title=title_hint)
    phrases = load_phrases()
    teaser_ends = load_phrase_rules()["end"]
    n = len(paras)
    # A tail block (comment form, appeal) starts after most of the document's prose, not only in its second
    # half: in a whole-page dump the article sits in the middle, between menus and a long sidebar.
    prose_before, total = [], 0
    for p in paras:
        prose_before.append(total)
        total += len(p.text) if len(p.text) >= _PROSE_CHARS else 0
    prose_total = total

    def drop(p: Paragraph, reason: str) -> None:
        p.kept, p.reason = False, reason

    for i, p in enumerate(paras):
        t = p.text
        words = len(t.split())
        in_head = i < _HEAD
        if out.title is None and in_head and _is_title(t, first=i == 0):
            out.title = t
            drop(p, reasons.TITLE)
            continue
        if out.title and (t.strip() == out.title.strip() or in_head and _titled_line(t, out.title)):
            drop(p, reasons.DUPLICATE_TITLE)
            continue
        if in_head and (m := _BYLINE.match(t)):
            out.byline = out.byline or m.group("name")
            drop(p, reasons.BYLINE)
            continue
        if in_head and (m := _AUTHOR_LABEL.match(t)):
            out.byline = out.byline or (m.group("name").strip() or None)
            drop(p, reasons.BYLINE)
            continue
        meta_like = in_head and (words <= _MAX_META_WORDS or _READ_TIME.search(t) or _COMMENTS.search(t))
        if meta_like and (when := parse_date(t)) and not _is_dated_prose(t):
            out.published = out.published or when
            drop(p, reasons.DATELINE)
            continue
        if in_head and words <= _MAX_META_WORDS and _READ_TIME.search(t):  # "5 min read" with no date
            drop(p, reasons.DATELINE)
            continue
        if m := _SOURCE_URL_LABEL.match(t):
            rest = t[m.end():]
            url = _URL.search(rest)
            if url is None and i + 1 < n and _URL.fullmatch(paras[i + 1].text.strip()):
                url = _URL.search(paras[i + 1].text)
                drop(paras[i + 1], reasons.SOURCE_URL)
            if url or not rest.strip():
                out.url = out.url or (url.group(0) if url else None)
                drop(p, reasons.SOURCE_URL)
                continue
        if not p.kept:
            continue
        matched = False
        # spaces as the patterns write them (pages use no-break spaces), without the bars trafilatura puts around
        # a layout table's cells ("| Weitere Artikel zum Thema |")
        cell = " ".join(t.split()).strip(" |")
        for category, tail, pattern in phrases:
            if pattern.match(cell):
                drop(p, category)
                matched = True
                # never a tail before any kept prose: the "tail" would then be the article itself
                late = i >= n // 2 or prose_before[i] * 2 >= prose_total
                if tail and late and any(q.kept and len(q.text) >= _LENGTH_LOW for q in paras[:i]):
                    for q in paras[i + 1 :]:
                        if q.kept:
                            drop(q, category)
                break
        if matched:
            continue
        if words <= _MAX_TEASER_WORDS and (cat := next((c for c, pat in teaser_ends if pat.search(t)), None)):
            drop(p, cat)
            continue
        if templates and template_key(t) in templates:
            drop(p, reasons.TEMPLATE)
            continue
        # a bare URL closing a plain-text file is its source; in trafilatura's text of a page it is a link the
        # article writes out (trafilatura-eval: 11 such lines, 1 'with' snippet, no 'without'), and the page's
        # metadata has the url
        if trailing_urls and _URL.fullmatch(t.strip()) and i >= n - 3:
            out.url = out.url or t.strip()
            drop(p, reasons.SOURCE_URL)
            continue
        if _is_caption(t, unpunctuated_captions):
            drop(p, reasons.CAPTION)
            continue
        if _is_homoglyph_text(t):
            drop(p, reasons.ADVERTISEMENT)
    drop_related_lists(paras)
    drop_comment_section(paras)
    if blocks:
        mark_blocks(paras)
    drop_trailing(paras)
    return out


def drop_related_lists(paras: list[Paragraph]) -> None:
    """Remove the list under a related-links heading ("Related:", "More on this story"): the kept headline-like
    lines (short, no sentence's full stop) right after it, up to the first line that is not one."""
    for i, p in enumerate(paras):
        if p.reason != "related_link" or len(p.text.split()) > _MAX_RELATED_HEADING_WORDS:
            continue
        for q in paras[i + 1:]:
            if not q.kept:
                continue
            if len(q.text.split()) > _MAX_META_WORDS + 8 or _SENTENCE_END.search(q.text) or is_quotation(q.text):
                break
            q.kept, q.reason = False, "related_link"


def _is_comment_stamp(text: str) -> bool:
    """A comment's time stamp: a short line with a clock time and a calendar date ("10:39 pm September 16, 2010")."""
    return len(text.split()) <= _MAX_STAMP_WORDS and _CLOCK.search(text) is not None and parse_date(text) is not None


def drop_comment_section(paras: list[Paragraph]) -> None:
    """Remove a reader-comment section that no comment-form phrase introduced: from the first comment header
    after the article's first prose to the end (reason `comment_form`).

    A comment header is a `comment_header` line ("Jane wrote :") next to a time stamp ("10:39 pm September 16,
    2010"); a section needs two of them, so an article quoting one letter ("The mayor wrote:") beside a dated
    line is left alone. Long comments are prose to every other feature, so they leak without this.
    """
    headers = [pattern for _, pattern in load_phrase_rules()["comment_header"]]
    starts = []
    for i, p in enumerate(paras):
        if not any(h.match(p.text) for h in headers):
            continue
        if i > 0 and _is_comment_stamp(paras[i - 1].text):
            starts.append(i - 1)
        elif i + 1 < len(paras) and _is_comment_stamp(paras[i + 1].text):
            starts.append(i)
    if len(starts) < 2:
        return
    first_prose = next((i for i, p in enumerate(paras) if p.kept and len(p.text) >= _LENGTH_LOW), None)
    start = next((i for i in starts if first_prose is not None and i > first_prose), None)
    if start is None:
        return
    for p in paras[start:]:
        if p.kept:
            p.kept, p.reason = False, "comment_form"


_ACRONYM = re.compile(r"[A-Z]{3,5}")


def drop_trailing(paras: list[Paragraph]) -> None:
    """Remove the document's last kept paragraphs while they match a `trailing` phrase (an author's bio line,
    a reporting credit): such a line ends articles, while the same words inside the body are the story's own."""
    trailing = load_phrase_rules()["trailing"]
    kept = [p for p in paras if p.kept]
    # a bare acronym as the last line signs the article off ("RIRM"); after another acronym it ends a list
    if len(kept) >= 2 and _ACRONYM.fullmatch(kept[-1].text.strip()) and not _ACRONYM.fullmatch(kept[-2].text.strip()):
        kept[-1].kept, kept[-1].reason = False, "author_note"
    for p in reversed(paras):
        if not p.kept:
            continue
        cat = next((c for c, pat in trailing if pat.match(p.text)), None)
        if cat is None:
            return
        p.kept, p.reason = False, cat


# -- block features, after jusText (Pomikálek 2011) -------------------------------------------------------------
# jusText's published defaults, measured on its CleanEval runs: a block under 70 characters is "short" (judged by
# its neighbours), one over 200 with stopword density >= 0.32 is "good", 0.30-0.32 or 70-200 chars "near-good".
_LENGTH_LOW, _LENGTH_HIGH = 70, 200
_STOPWORDS_LOW, _STOPWORDS_HIGH = 0.30, 0.32
# The languages whose jusText stoplists are tried; a document uses the one that covers most of its words.
_STOPLIST_LANGUAGES = ("English", "German", "French", "Spanish", "Italian", "Dutch", "Portuguese", "Polish")
_WORDS = re.compile(r"\w+", re.UNICODE)
# a full sentence: starts with a capital, digit or quote, at least four words, ends with terminal punctuation
_SENTENCE = re.compile(r"^[\"“„«‘'(]?[A-ZÄÖÜ0-9][^\n]*\s\S+\s\S+\s\S+.*[.!?…][\"”“»’')]?$")
# a clause introducing what follows ("From Jane Roe, writing at Example News:"): four or more words, one of them in
# lower case (not a label such as "Weitere Informationen:"), ending in a colon
_INTRO_LINE = re.compile(r"^[\"“„«‘'(]?[A-ZÄÖÜ][^\n]*\s\S+\s\S+\s[^\n]*\b[a-zäöüß]\w*\b[^\n]*:[\"”“»’')]?$")
_COPYRIGHT = re.compile(r"©|&copy|\bcopyright\b|\(c\) \d{4}|all rights reserved|alle rechte vorbehalten", re.I)


@lru_cache(maxsize=1)
def stoplists() -> dict[str, frozenset[str]]:
    """jusText's stoplist of each of `_STOPLIST_LANGUAGES`, by language name ("English")."""
    import justext  # a trafilatura dependency; imported late, only plain text needs it

    return {lang: frozenset(justext.get_stoplist(lang)) for lang in _STOPLIST_LANGUAGES}


def pick_stoplist(texts: list[str]) -> frozenset[str]:
    """The stoplist (of `_STOPLIST_LANGUAGES`) that covers most words of `texts`: the document's language."""
    counts = Counter(w for t in texts for w in _WORDS.findall(t.lower()))
    lists = stoplists()
    return max(lists.values(), key=lambda sl: sum(n for w, n in counts.items() if w in sl))


def classify_blocks(texts: list[str], stoplist: frozenset[str], removed: list[bool] | None = None) -> list[str]:
    """jusText's classification of blocks as 'good' or 'bad' from their own features and their neighbours'.

    Context-free: copyright lines are bad; under 70 chars 'short'; then by stopword density good / near-good /
    bad. Context: a short block takes the class of its good/bad neighbours (bad where they disagree unless a
    near-good block sits on the bad side), a near-good block is good unless both neighbours are bad. Plain text
    has no links or tags, so jusText's link density and heading rules are left out. Blocks flagged in `removed`
    (furniture found by other rules) are bad.
    """
    cls = []
    for k, t in enumerate(texts):
        words = _WORDS.findall(t.lower())
        density = sum(w in stoplist for w in words) / len(words) if words else 0.0
        if (removed and removed[k]) or _COPYRIGHT.search(t):
            cls.append("bad")
        elif is_quotation(t):
            # reported speech is content however short or stopword-poor ("“Anybody but Trump,” he wrote.");
            # measured on PolNeAR (bench/eval_extraction.py --quote-survival): it was most of the quotes lost
            cls.append("good")
        elif len(t) < _LENGTH_LOW:
            cls.append("short")
        elif density >= _STOPWORDS_HIGH:
            cls.append("good" if len(t) > _LENGTH_HIGH else "neargood")
        elif density >= _STOPWORDS_LOW:
            cls.append("neargood")
        else:
            cls.append("bad")

    if "good" not in cls:
        # no block over 200 chars: a short article of one- or two-sentence paragraphs (wire style), where
        # jusText would keep nothing; its near-good blocks are the best evidence of prose there is
        cls = ["good" if c == "neargood" else c for c in cls]

    def neighbour(i: int, step: int, ignore_neargood: bool, classes: list[str]) -> str:
        i += step
        while 0 <= i < len(classes):
            if classes[i] in ("good", "bad") or (classes[i] == "neargood" and not ignore_neargood):
                return classes[i]
            i += step
        return "bad"

    out = list(cls)
    for i, c in enumerate(cls):
        if c != "short":
            continue
        prev, nxt = neighbour(i, -1, True, cls), neighbour(i, 1, True, cls)
        if prev == nxt:
            out[i] = prev
        elif nxt == "good" and _INTRO_LINE.match(texts[i]):
            # it belongs to the prose it introduces; jusText would take it for a menu line after a bad block
            # (PolNeAR: "From Andrea Peyser writing at The New York Post:" before the quoted column)
            out[i] = "good"
        elif _SENTENCE.match(texts[i]):
            # a short full sentence next to prose ("It must end NOW," he wrote.) is prose: jusText would drop
            # it at the end of a document, where plain text has no furniture block after the article
            out[i] = "good"
        elif (prev == "bad" and neighbour(i, -1, False, cls) == "neargood") or (
            nxt == "bad" and neighbour(i, 1, False, cls) == "neargood"
        ):
            out[i] = "good"
        else:
            out[i] = "bad"
    for i, c in enumerate(out):
        if c == "neargood":
            both_bad = neighbour(i, -1, True, out) == "bad" and neighbour(i, 1, True, out) == "bad"
            out[i] = "bad" if both_bad else "good"
    return out


def mark_blocks(paras: list[Paragraph]) -> None:
    """Remove kept paragraphs that jusText-style block features call navigation (reason `low_content`)."""
    if not any(p.kept for p in paras):
        return
    texts = [p.text for p in paras]
    classes = classify_blocks(texts, pick_stoplist(texts), [not p.kept for p in paras])
    for p, c in zip(paras, classes):
        if c == "bad" and p.kept:
            p.kept, p.reason = False, reasons.LOW_CONTENT


# A main text shorter than this (about 130 words; news articles run longer) is extracted again favouring recall.
# Measured on trafilatura-eval (bench/eval_extraction.py): F1 even half 0.9348 -> 0.9352, odd 0.9112 -> 0.9120;
# 1500 gave the same on the even half, 3000 cost precision on both (0.9332, 0.9107). cleanportal is unchanged.
_SHORT_TEXT_CHARS = 800
# trafilatura drops every caption. On a page built around a video the player's caption, between the <h1> and the
# text, is the story's lead (the text under it is a transcript or a note); photo captions stay out, as furniture
# (trafilatura-eval marks them 'without' 116 times and 'with' 37). Measured (bench/eval_extraction.py, even / odd
# half): cleanportal F1 0.865 -> 0.882 / 0.828 -> 0.838, all of it on one site's video pages (tv.msnbc.com);
# trafilatura-eval 0.9352 unchanged / 0.9120 -> 0.9117 (a photo caption beside an iframe). A lead is at least this
# many words.
_MIN_LEAD_WORDS = 10
_SENTENCE_END_STRICT = re.compile(r"[.!?…][\"”’')]?$")
_PLAYER = ".//video|.//object|.//embed|.//iframe"
# the containers, from the caption up, in which a player makes the caption a video's
_PLAYER_ANCESTORS = 4
# block elements the first line of trafilatura's text can start in
_BODY_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote", "td")


@dataclass
class Extracted:
    """A decoded file split into candidate paragraphs, with the metadata its extractor found."""

    texts: list[str]
    html: bool = False
    title: str | None = None
    byline: str | None = None
    published: date | None = None
    url: str | None = None
    site_name: str | None = None
    marks: PageMarks | None = None  # HTML only: the page's host and whether it declares itself an article


def _bare_extraction(tree, options: HtmlOptions, favor_recall: bool):
    """trafilatura's main text and metadata of a parsed page (it works on a copy of `tree`), or None."""
    return trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        favor_precision=options.favor_precision,
        favor_recall=favor_recall,
        include_tables=options.include_tables,
        include_comments=options.include_comments,
        deduplicate=False,  # trafilatura's dedup keeps process-global state: output would depend on order
    )


def extract_html(html: str, options: HtmlOptions = HtmlOptions()) -> Extracted:
    """Main text lines and metadata of an HTML page with trafilatura.

    With neither precision nor recall favoured, a main text under `_SHORT_TEXT_CHARS` is extracted again with
    `favor_recall` and the longer of the two kept (trafilatura's own retry needs the text to also cover under a
    fifth of the page, which a short article in a small page does not).
    Raises RejectError(empty_after_cleaning) when trafilatura finds no main text.
    """
    tree = trafilatura.load_html(html)
    result = _bare_extraction(tree, options, options.favor_recall) if tree is not None else None
    text_len = len(result.text or "") if result else 0
    if tree is not None and text_len < _SHORT_TEXT_CHARS and not (options.favor_precision or options.favor_recall):
        retry = _bare_extraction(tree, options, favor_recall=True)
        if retry is not None and len(retry.text or "") > text_len:
            result = retry
    if result is None or not (result.text or "").strip():
        raise RejectError(reasons.EMPTY_AFTER_CLEANING, "trafilatura found no main text")
    texts = [ln for ln in result.text.split("\n") if ln.strip()]
    if (lead := video_lead(tree, texts)) and _squash(lead[1]) not in _squash(" ".join(texts)):
        texts.insert(*lead)
    published = None
    if result.date:
        try:
            published = date.fromisoformat(result.date[:10])
        except ValueError:
            pass
    return Extracted(texts, True, result.title, result.author, published, result.url, result.sitename,
                     page_marks(tree, result.url))


def _squash(text: str) -> str:
    """Whitespace (no-break spaces too) collapsed to single spaces."""
    return " ".join(text.split())


def video_lead(tree, texts: list[str]) -> tuple[int, str] | None:
    """Where in trafilatura's lines `texts` a video's caption goes (after the headline, if they start with it) and
    its text, for a caption between the page's first <h1> and the block where the article's first line starts;
    or None.

    A caption is a <figcaption> or an element whose class or id says caption; it is a video's when one of its
    `_PLAYER_ANCESTORS` nearest containers holds a video, object, embed or iframe. It must read as prose: at least
    `_MIN_LEAD_WORDS` words, ending like a sentence, no markup or code in it (an embed code written out as text).
    """
    h1 = next(tree.iter("h1"), None)
    if h1 is None:
        return None
    at = int(_squash(texts[0]) == _squash(h1.text_content()))
    if at >= len(texts):
        return None
    order = {el: i for i, el in enumerate(tree.iter(etree.Element))}
    start = _squash(texts[at])[:40]
    body = next((el for el in tree.iter(*_BODY_BLOCKS)
                 if order[el] > order[h1] and _squash(el.text_content()).startswith(start)), None)
    if body is None:
        return None
    for el in tree.iter(etree.Element):
        if not order[h1] < order[el] < order[body]:
            continue
        label = f"{el.get('class', '')} {el.get('id', '')}".lower()
        if el.tag != "figcaption" and "caption" not in label:
            continue
        text = _squash(el.text_content())
        if (len(text.split()) >= _MIN_LEAD_WORDS and _SENTENCE_END_STRICT.search(text) and not re.search(r"[<{]", text)
                and any(a.xpath(_PLAYER) for a in list(el.iterancestors())[:_PLAYER_ANCESTORS])):
            return at, text
    return None


def is_html(source_path: str) -> bool:
    name = source_path.lower().removesuffix(".gz")
    return name.endswith((".html", ".htm"))


def extract_document(content: str, source_path: str, options: HtmlOptions = HtmlOptions()) -> Extracted:
    """Candidate paragraphs of one decoded file: trafilatura's lines for HTML, `split_paragraphs` for text.

    Raises RejectError(empty_after_cleaning) when trafilatura finds nothing.
    """
    if is_html(source_path):
        return extract_html(content, options)
    return Extracted(split_paragraphs(content))


def template_key(text: str) -> str:
    """What two copies of a template paragraph share: its words, lowercased."""
    return " ".join(_WORDS.findall(text.lower()))


def find_templates(paragraphs_per_doc: list[list[str]], options: HtmlOptions = HtmlOptions()) -> frozenset[str]:
    """Keys of paragraphs that repeat across documents of a batch: site templates (menus, footers, blurbs).

    A paragraph is a template when it occurs in at least `template_min_docs` documents and is either shorter
    than `template_max_chars` or in at least half of the batch: long paragraphs shared by a few documents are
    more likely one wire story published by several sites than a template.
    """
    n_docs = len(paragraphs_per_doc)
    counts: dict[str, int] = {}
    length: dict[str, int] = {}
    for texts in paragraphs_per_doc:
        for key in {template_key(t) for t in texts}:
            if key:
                counts[key] = counts.get(key, 0) + 1
                length[key] = len(key)
    return frozenset(
        k for k, c in counts.items()
        if c >= options.template_min_docs and (length[k] < options.template_max_chars or 2 * c >= n_docs)
    )


def clean_extracted(ex: Extracted, options: HtmlOptions = HtmlOptions(),
                    templates: frozenset[str] = frozenset()) -> Cleaned:
    """Run the paragraph cleaner over extracted paragraphs and merge the extractor's metadata.

    Raises RejectError(empty_after_cleaning) when nothing of the body is left.
    """
    cleaned = clean_paragraphs(ex.texts, title_hint=ex.title, blocks=options.block_features or not ex.html,
                               templates=templates, unpunctuated_captions=options.html_captions or not ex.html,
                               trailing_urls=not ex.html)
    if ex.html:
        cleaned.byline = cleaned.byline or ex.byline
        cleaned.url = ex.url or cleaned.url
        cleaned.site_name = ex.site_name
        cleaned.published = ex.published or cleaned.published
    if not any(p.kept for p in cleaned.paragraphs):
        raise RejectError(reasons.EMPTY_AFTER_CLEANING, f"all {len(cleaned.paragraphs)} paragraphs were furniture")
    return cleaned


def clean_document(content: str, source_path: str, options: HtmlOptions = HtmlOptions(),
                   templates: frozenset[str] = frozenset()) -> Cleaned:
    """Paragraphs (kept or removed with a reason) and metadata for one decoded file.

    Raises RejectError(empty_after_cleaning) when nothing of the body is left.
    """
    return clean_extracted(extract_document(content, source_path, options), options, templates)


def _apply(doc: Doc, c: Cleaned, html: bool) -> None:
    doc.paragraphs = c.paragraphs
    doc.title, doc.byline, doc.published, doc.url, doc.site_name = c.title, c.byline, c.published, c.url, c.site_name
    doc.raw_text = "\n".join(p.text for p in c.paragraphs) if html else doc.content
    doc.content = ""


def _extract_html_job(html: str, options: HtmlOptions) -> Extracted | tuple[str, str]:
    """Worker-side extraction: an Extracted, or (reason, detail) for a reject (exceptions pickle badly)."""
    try:
        return extract_html(html, options)
    except RejectError as exc:
        return exc.reason, exc.detail
    except Exception as exc:  # noqa: BLE001 - becomes this document's stage_error, as run_per_doc would
        return reasons.STAGE_ERROR, f"clean: {type(exc).__name__}: {exc}"[:500]


def _warm() -> bool:
    return True


def _as_result(value: Extracted | tuple[str, str]) -> Extracted | RejectError:
    return value if isinstance(value, Extracted) else RejectError(*value)


def extract_html_batch(pages: list[str], options: HtmlOptions = HtmlOptions()) -> list[Extracted | RejectError]:
    """Extract HTML pages in worker processes, each page under `options.timeout_s` seconds.

    Returns, per page, an Extracted or the RejectError it ends in (`extraction_timeout` when over the limit).
    A timed-out page's pool is terminated and replaced; pages that were in flight beside it are resubmitted with
    a fresh clock. Workers start from a forkserver, not by forking this (possibly multi-threaded) process.
    """
    out: list[Extracted | RejectError | None] = [None] * len(pages)
    if not pages:
        return []
    job_options = replace(options, timeout_s=None)
    ctx = multiprocessing.get_context("forkserver")
    n_proc = max(1, min(options.extraction_processes, len(pages)))

    def new_pool():
        pool = ctx.Pool(n_proc)
        # wait until every worker has started, so start-up time never counts against a page
        try:
            for r in [pool.apply_async(_warm) for _ in range(n_proc)]:
                r.get(_WORKER_START_S)
        except multiprocessing.TimeoutError:
            pool.terminate()
            raise
        return pool

    try:
        pool = new_pool()
    except multiprocessing.TimeoutError:
        # Workers that never start: typically a script without an `if __name__ == "__main__":` guard, which
        # forkserver workers re-import. Extract here, without a time limit, rather than not at all.
        log.warning("extraction workers did not start in %s s: extracting without a time limit", _WORKER_START_S)
        return [_as_result(_extract_html_job(page, job_options)) for page in pages]
    todo = list(range(len(pages)))
    in_flight: dict[int, tuple[object, float]] = {}
    try:
        while todo or in_flight:
            while todo and len(in_flight) < n_proc:
                i = todo.pop(0)
                in_flight[i] = (pool.apply_async(_extract_html_job, (pages[i], job_options)), time.monotonic())
            # the oldest page decides how long to wait
            i, (res, started) = min(in_flight.items(), key=lambda kv: kv[1][1])
            res.wait(max(0.0, started + options.timeout_s - time.monotonic()))
            done = [j for j, (r, _) in in_flight.items() if r.ready()]
            for j in done:
                out[j] = _as_result(in_flight.pop(j)[0].get())
            if i in in_flight:  # still running at its limit
                del in_flight[i]
                out[i] = RejectError(reasons.EXTRACTION_TIMEOUT, f"trafilatura took over {options.timeout_s:g} s")
                pool.terminate()
                pool.join()
                todo = list(in_flight) + todo
                in_flight.clear()
                pool = new_pool()
    finally:
        pool.terminate()
        pool.join()
    return out


def clean_docs(docs: list[Doc], options: HtmlOptions = HtmlOptions()) -> tuple[list[Doc], list[Reject]]:
    """Clean a batch: extract every document, find the batch's template paragraphs, clean each document, then
    reject the batch's section and index pages (`tasks.pagetype.index_pages`).

    HTML is extracted in worker processes under a per-document time limit when `options.timeout_s` is set.
    Documents with nothing left (or whose extraction fails or times out) become rejects.
    """
    extracted: dict[int, Extracted | RejectError] = {}
    if options.timeout_s is not None:
        html_docs = [d for d in docs if is_html(d.source.source_path)]
        for d, ex in zip(html_docs, extract_html_batch([d.content for d in html_docs], options)):
            extracted[id(d)] = ex

    def extract(doc: Doc) -> None:
        ex = extracted.get(id(doc))
        if ex is None:
            ex = extract_document(doc.content, doc.source.source_path, options)
        if isinstance(ex, RejectError):
            raise ex
        extracted[id(doc)] = ex

    docs, rejects = run_per_doc(docs, extract, "clean")
    templates = find_templates([extracted[id(d)].texts for d in docs], options) if options.templates else frozenset()

    def finish(doc: Doc) -> None:
        ex = extracted[id(doc)]
        _apply(doc, clean_extracted(ex, options, templates), ex.html)

    docs, more = run_per_doc(docs, finish, "clean")
    if options.index_pages:
        html_docs = [d for d in docs if extracted[id(d)].marks is not None]
        found = index_pages([(extracted[id(d)].marks, [p.text for p in d.paragraphs if p.kept]) for d in html_docs])
        more += [Reject(html_docs[i].source, reasons.NOT_AN_ARTICLE, detail, html_docs[i].content_sha256)
                 for i, detail in found.items()]
        gone = {id(html_docs[i]) for i in found}
        docs = [d for d in docs if id(d) not in gone]
    return docs, rejects + more

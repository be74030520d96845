"""Language: langdetect per document, and per paragraph where cheap evidence does not already settle it.

Seeded, so the same text always gets the same answer. Figures below: `bench/bench_language.py --n 400 --web 990`
(400 BBC articles, 399 10kGNAD articles, the 5 seeds, 990 real web pages of trafilatura's evaluation set, mostly
German and English), the old rule against this one.

- `documents.language` / `language_prob`: langdetect on the first `prefix_chars` (1,000) characters of the kept
  text (was 2,000). On the BBC, 10kGNAD and seed documents even 500 gave the same language and probability; on the
  web pages 1,000 changed 1 language of 990 (a German page with an English speech under it: en 0.71 -> de 0.57)
  and 7 probabilities, 500 changed 5 languages. 1,000 saves about 1 ms of CPU per document.
- `paragraphs.language`: 'und' below `min_paragraph_letters` letters (langdetect guesses wildly on short strings).
  A longer paragraph whose stopwords say it is in the document's language (`stopwords_agree`) gets the document's
  language without running langdetect, which costs 3-5 ms per paragraph against microseconds for the count.
  Every other paragraph is detected on its own prefix, as before: too few stopwords of the document's language,
  or nearly as many of another's; or the document is 'und', below `shortcut_min_doc_prob`, or in a language
  without a stoplist here (`STOPLISTS`).
- The evidence: after removing URLs and e-mail addresses (as langdetect does), the share of the words in the
  jusText stoplist of the document's language must be >= `stopword_min_share` (0.25) and >= `stopword_margin`
  (1.5) x the share of each other stoplist of `STOPLISTS`. Over 95 % of the BBC paragraphs langdetect calls English
  reach 0.25; the margin is what sends an English title inside a German article to langdetect ("Man vs Snake:
  The Long and Twisted Tale of Nibbler": English and German lists both 0.4).

Measured: langdetect ran 4,438 times instead of 21,925 (still detected: 7 % of the BBC paragraphs of 40 letters or
more, 14 % of those of the web pages), and the stage's CPU per document fell from 14.3 to 4.5 ms on BBC, 7.5 to 3.4
on 10kGNAD, 40.6 to 12.4 on the web pages. Paragraph languages: identical on BBC, 10kGNAD and the seeds; 29 of
31,430 changed on the web pages, nearly all short lines in the document's language that langdetect had misread
("Wie viel Kredit kann ich bei dem Autokredit bekommen?" 'af' -> 'de'; "Already have an older version of Parallels
Desktop?" 'da' -> 'en'), a few mixed ones ("Faible and Failure – Fair Fashion Strickmode aus Hamburg" 'en' ->
'de'). 6 kept/removed decisions changed: 5 in the one page whose document language changed (a German introduction
to an English speech, judged below 0.75 either way: which paragraphs are "foreign" flips with it), 1 a mixed
English/German title kept. A one-off check outside bench/ (sentences of one language tested against documents of
each of the other seven) passed the rule 75 times in 313,824 pairs, mostly against the 3,209-word Polish list.

A mixed document stays visible: a German comment form under an English article has no English stopwords, so
langdetect judges it ('de'), and kept paragraphs confidently in another language at the head or tail of the body
are removed as `foreign_language`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from langdetect import DetectorFactory, detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from tasks import reasons
from tasks.boilerplate import is_html
from tasks.records import Doc, Reject, run_per_doc

UNDETERMINED = "und"

# langdetect's codes -> jusText's stoplist names: the languages tasks/boilerplate.py loads stoplists for.
STOPLISTS = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "nl": "Dutch",
             "pt": "Portuguese", "pl": "Polish"}
# what langdetect strips before judging (langdetect/detector.py URL_RE and MAIL_RE)
_URL_OR_MAIL = re.compile(r"https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}|[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}"
                          r"[-_.0-9A-Za-z]{1,255}")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class LanguageOptions:
    # langdetect samples n-grams at random: a fixed seed makes it deterministic (unseeded, "Trump Putin call"
    # came back 'ro' 43 and 'en' 7 times in 50 calls; ../shared/notes/stack-check.md §5).
    seed: int = 0
    # langdetect (and the stopword count) read this many characters of a document or paragraph: see the module
    # docstring for why 1,000.
    prefix_chars: int = 1000
    # Below this many letters a paragraph is 'und': langdetect guesses wildly on short strings.
    min_paragraph_letters: int = 40
    # A paragraph whose stopwords say it is in the document's language takes the document's language without
    # langdetect (module docstring: thresholds and how they were measured). Off: every paragraph is detected.
    stopword_shortcut: bool = True
    stopword_min_share: float = 0.25
    stopword_margin: float = 1.5
    # only when the document's own language is this sure (stack-check §5: below 0.9 treat as unknown)
    shortcut_min_doc_prob: float = 0.9
    # A kept paragraph in another language than the document's, at the head or tail of the body (not between two
    # paragraphs of the document's language, where it is more likely a quotation), is page furniture: the German
    # comment form under an English article. Only when langdetect is this sure of the paragraph's language
    # (stack-check §5: below 0.9 treat as unknown).
    drop_foreign: bool = True
    foreign_min_prob: float = 0.9
    # ... also in HTML. Off: trafilatura has already left the page's comment section out by its markup, and what
    # it keeps in another language is mostly the article's own (a quotation, a translation, a reference list).
    # On trafilatura-eval the rule cost 8 'with' snippets and removed 2 'without' ones (docs/cleaning.md).
    drop_foreign_html: bool = False


# The rule before issue 7 (bench/bench_language.py compares against it): a 2,000-character prefix, langdetect on
# every paragraph of 40 letters or more.
LEGACY = LanguageOptions(prefix_chars=2000, stopword_shortcut=False)


def detect_language(text: str, options: LanguageOptions = LanguageOptions()) -> tuple[str, float]:
    """Return (ISO 639-1 code, probability) for `text`, or ('und', 0.0) when there is nothing to judge."""
    sample = text[: options.prefix_chars]
    if not _has_letters(sample, 3):
        return UNDETERMINED, 0.0
    DetectorFactory.seed = options.seed  # read by every new detector; set here so pool workers get it too
    try:
        best = detect_langs(sample)[0]
    except (LangDetectException, IndexError):
        return UNDETERMINED, 0.0
    return best.lang, round(float(best.prob), 4)


class _Detector(Detector):
    """langdetect's Detector (1.0.9), faster and with the same results: the same n-grams, the same random draws
    in the same order, the same floating-point operations in the same order per language, so the same languages
    and probabilities (tests/test_language.py compares both). Its trials' updates (55 languages in a Python loop,
    ~45 updates x 7 trials per text) and its per-character n-gram extraction were ~3/4 of the language stage's
    CPU; here the updates are numpy rows (elementwise, so exactly the same products), normalisation keeps
    Python's left-to-right sum, and each character's normalisation is cached. BBC, 495 articles: the stage
    2.2-2.8 -> 1.1-1.9 CPU-s (bench/README.md, docs/benchmarks.md); 2,844 texts (BBC, 10kGNAD, web pages) gave
    identical results."""

    _NORMALISED: dict[str, str] = {}  # NGram.normalize per character

    def append(self, text: str) -> None:
        text = self.URL_RE.sub(" ", text)
        text = self.MAIL_RE.sub(" ", text)
        text = NGram.normalize_vi(text)[: self.max_text_length]
        # langdetect keeps a character unless it is a space after a space: a run of spaces becomes one
        self.text += _SPACES.sub(" ", text)

    def _extract_ngrams(self) -> list[str]:
        norm = self._NORMALISED
        known = self.word_lang_prob_map
        result = []
        grams, capital = " ", False  # NGram.add_char's state, inlined
        for ch in self.text:
            c = norm.get(ch)
            if c is None:
                c = norm[ch] = NGram.normalize(ch)
            last = grams[-1]
            if last == " ":
                grams, capital = " ", False
                if c == " ":
                    continue
            elif len(grams) >= 3:
                grams = grams[1:]
            grams += c
            if c.isupper():
                if last.isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            # the 1-, 2- and 3-grams ending here, as langdetect checks them (not ' ', and in its profiles)
            if c != " " and c in known:
                result.append(c)
            n = len(grams)
            if n >= 2:
                w = grams[-2:]
                if w in known:
                    result.append(w)
                if n >= 3 and grams in known:
                    result.append(grams)
        return result

    def _init_probability(self):
        return np.array(super()._init_probability())

    def _update_lang_prob(self, prob, word: str, alpha: float) -> bool:
        row = _ROWS.get(word)
        if row is None:
            p = self.word_lang_prob_map.get(word) if word is not None else None
            if p is None:
                return False
            row = _ROWS[word] = np.array(p)
        prob *= alpha / self.BASE_FREQ + row  # per language: prob[i] *= weight + lang_prob_map[i], as langdetect
        return True

    def _normalize_prob(self, prob) -> float:
        total = sum(prob.tolist())  # Python's left-to-right sum, not numpy's pairwise one: the same float
        if not total:
            raise ZeroDivisionError("float division by zero")  # as langdetect's p / sump
        prob /= total
        return max(0.0, float(prob.max()))


# langdetect's per-n-gram language probabilities as numpy rows, built on first use (its profiles are loaded once
# per process and never change)
_ROWS: dict[str, np.ndarray] = {}


_SPACES = re.compile(" {2,}")


def detect_langs(text: str) -> list:
    """langdetect.detect_langs with `_Detector`: the languages, most probable first."""
    detector_factory.init_factory()
    detector = _Detector(detector_factory._factory)
    detector.append(text)
    return detector.get_probabilities()


def _has_letters(text: str, n: int) -> bool:
    """True when `text` has at least n letters (stops counting there)."""
    for c in text:
        if c.isalpha():
            n -= 1
            if n <= 0:
                return True
    return False


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    """The cleaner's stoplists (tasks/boilerplate.py, loaded once), by langdetect's code."""
    from tasks.boilerplate import stoplists

    return {code: stoplists()[name] for code, name in STOPLISTS.items()}


def stopwords_agree(text: str, language: str, options: LanguageOptions = LanguageOptions()) -> bool:
    """True when the stopwords of `text` (its prefix) say it is in `language`: that stoplist's share of the words
    is >= stopword_min_share and >= stopword_margin x every other stoplist's. False for a language without one."""
    lists = _stoplists()
    own_list = lists.get(language)
    if own_list is None:
        return False
    words = _WORDS.findall(_URL_OR_MAIL.sub(" ", text[: options.prefix_chars]).lower())
    if not words:
        return False
    own = sum(w in own_list for w in words)
    if own < options.stopword_min_share * len(words):
        return False
    return all(own >= options.stopword_margin * sum(w in sl for w in words)
               for code, sl in lists.items() if code != language)


def detect_languages(doc: Doc, options: LanguageOptions = LanguageOptions()) -> None:
    """Set the document's language from its kept text and each long-enough paragraph's language.

    A paragraph is 'und' below `min_paragraph_letters` letters; it takes the document's language when its
    stopwords say so (`stopwords_agree`, with `stopword_shortcut`), and is detected on its own otherwise.
    With `options.drop_foreign` (in HTML also `drop_foreign_html`), kept paragraphs confidently in another language
    at the head or tail of the body are removed (reason `foreign_language`) and `doc.text` is rebuilt from the
    paragraphs still kept.
    """
    doc.language, doc.language_prob = detect_language(doc.text, options)
    shortcut = (options.stopword_shortcut and doc.language in STOPLISTS
                and doc.language_prob >= options.shortcut_min_doc_prob)
    probs = {}
    for p in doc.paragraphs:
        if not _has_letters(p.text, options.min_paragraph_letters):
            p.language = UNDETERMINED
        elif shortcut and stopwords_agree(p.text, doc.language, options):
            p.language = doc.language
        else:
            p.language, probs[p.idx] = detect_language(p.text, options)
    drop = options.drop_foreign and (options.drop_foreign_html or not is_html(doc.source.source_path))
    if drop and doc.language != UNDETERMINED:
        kept = [p for p in doc.paragraphs if p.kept]
        own = [i for i, p in enumerate(kept) if p.language == doc.language]
        if not own:
            return
        foreign = [
            p for i, p in enumerate(kept)
            if p.language not in (UNDETERMINED, doc.language) and probs.get(p.idx, 0.0) >= options.foreign_min_prob
            and not own[0] < i < own[-1]
        ]
        for p in foreign:
            p.kept, p.reason = False, reasons.FOREIGN_LANGUAGE
        if foreign:
            doc.text = "\n\n".join(p.text for p in doc.paragraphs if p.kept)


def language_docs(docs: list[Doc], options: LanguageOptions = LanguageOptions()) -> tuple[list[Doc], list[Reject]]:
    """Detect the language of every document of a batch and of its paragraphs."""
    return run_per_doc(docs, lambda d: detect_languages(d, options), "language")

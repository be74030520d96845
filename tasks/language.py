"""Language: langdetect per document and per paragraph, seeded so the same text always gets the same answer."""

from __future__ import annotations

from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException
from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks import reasons
from tasks.records import Doc, Reject, run_per_doc

UNDETERMINED = "und"


@dataclass(frozen=True)
class LanguageOptions:
    # langdetect samples n-grams at random: a fixed seed makes it deterministic (unseeded, "Trump Putin call"
    # came back 'ro' 43 and 'en' 7 times in 50 calls; ../shared/notes/stack-check.md §5).
    seed: int = 0
    # Detecting on a prefix is 3x faster with the same answers on news (stack-check §5).
    doc_prefix_chars: int = 2000
    # Below this many letters a paragraph is 'und': langdetect guesses wildly on short strings.
    min_paragraph_letters: int = 40
    # A kept paragraph in another language than the document's, at the head or tail of the body (not between two
    # paragraphs of the document's language, where it is more likely a quotation), is page furniture: the German
    # comment form under an English article. Only when langdetect is this sure of the paragraph's language
    # (stack-check §5: below 0.9 treat as unknown).
    drop_foreign: bool = True
    foreign_min_prob: float = 0.9


def detect_language(text: str, options: LanguageOptions = LanguageOptions()) -> tuple[str, float]:
    """Return (ISO 639-1 code, probability) for `text`, or ('und', 0.0) when there is nothing to judge."""
    sample = text[: options.doc_prefix_chars]
    if sum(c.isalpha() for c in sample) < 3:
        return UNDETERMINED, 0.0
    DetectorFactory.seed = options.seed  # read by every new detector; set here so pool workers get it too
    try:
        best = detect_langs(sample)[0]
    except (LangDetectException, IndexError):
        return UNDETERMINED, 0.0
    return best.lang, round(float(best.prob), 4)


def detect_languages(doc: Doc, options: LanguageOptions = LanguageOptions()) -> None:
    """Set the document's language from its kept text and each long-enough paragraph's own language.

    With `options.drop_foreign`, kept paragraphs confidently in another language at the head or tail of the body
    are removed (reason `foreign_language`) and `doc.text` is rebuilt from the paragraphs still kept.
    """
    doc.language, doc.language_prob = detect_language(doc.text, options)
    probs = {}
    for p in doc.paragraphs:
        if sum(c.isalpha() for c in p.text) >= options.min_paragraph_letters:
            p.language, probs[p.idx] = detect_language(p.text, options)
        else:
            p.language = UNDETERMINED
    if options.drop_foreign and doc.language != UNDETERMINED:
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


@task(name="language", cache_policy=NO_CACHE)
def language_task(docs: list[Doc], options: LanguageOptions = LanguageOptions()) -> tuple[list[Doc], list[Reject]]:
    return language_docs(docs, options)

import pytest

from tasks.language import LEGACY, LanguageOptions, detect_language, detect_languages, stopwords_agree
from tasks.records import Doc, Paragraph, SourceFile

EN = "The Kremlin said Putin had ordered his military to halt attacks on energy infrastructure for 30 days."
DE = "Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert."


def test_detects_english_and_german():
    assert detect_language(EN)[0] == "en"
    assert detect_language(DE)[0] == "de"


def test_deterministic():
    short = "Trump Putin call"
    assert len({detect_language(short) for _ in range(20)}) == 1


def test_nothing_to_judge_is_und():
    assert detect_language("") == ("und", 0.0)
    assert detect_language("12345 6789") == ("und", 0.0)


def test_paragraph_languages_show_a_mixed_document():
    doc = Doc(SourceFile("b", "b/x.txt", "/x", 1, 0), "0" * 64, b"", 0.0)
    doc.paragraphs = [Paragraph(0, EN), Paragraph(1, EN), Paragraph(2, DE), Paragraph(3, "Continue")]
    doc.text = "\n\n".join(p.text for p in doc.paragraphs)
    detect_languages(doc, LanguageOptions())
    assert doc.language == "en"
    assert [p.language for p in doc.paragraphs] == ["en", "en", "de", "und"]


def test_foreign_paragraph_at_the_tail_is_removed_but_not_a_quotation_inside():
    from tasks import reasons

    de_quote = "Wir werden die Grenzen nicht schließen, sagte die Ministerin am Dienstag in Berlin vor der Presse."
    doc = Doc(SourceFile("b", "b/x.txt", "/x", 1, 0), "0" * 64, b"", 0.0)
    en2 = "Officials in Washington said the talks would continue next week, although no date had been set yet."
    en3 = "Analysts warned that the agreement was fragile and that both sides had already accused each other."
    texts = [EN, de_quote, en2, en3, EN, DE]
    doc.paragraphs = [Paragraph(i, t) for i, t in enumerate(texts)]
    doc.text = "\n\n".join(texts)
    detect_languages(doc, LanguageOptions())
    assert doc.language == "en"
    assert [p.kept for p in doc.paragraphs] == [True, True, True, True, True, False]
    assert doc.paragraphs[5].reason == reasons.FOREIGN_LANGUAGE and DE not in doc.text and de_quote in doc.text
    kept_all = Doc(SourceFile("b", "b/y.txt", "/y", 1, 0), "1" * 64, b"", 0.0)
    kept_all.paragraphs = [Paragraph(0, EN), Paragraph(1, DE)]
    kept_all.text = EN + "\n\n" + DE
    detect_languages(kept_all, LanguageOptions(drop_foreign=False))
    assert all(p.kept for p in kept_all.paragraphs)


def test_foreign_paragraph_stays_in_html_unless_asked():
    # trafilatura has already left an HTML page's comment section out; a foreign tail there is the article's own
    def page() -> Doc:
        doc = Doc(SourceFile("b", "b/x.html", "/x.html", 1, 0), "0" * 64, b"", 0.0)
        doc.paragraphs = [Paragraph(0, EN), Paragraph(1, EN), Paragraph(2, DE)]
        doc.text = "\n\n".join(p.text for p in doc.paragraphs)
        return doc

    doc = page()
    detect_languages(doc, LanguageOptions())
    assert doc.paragraphs[2].language == "de" and doc.paragraphs[2].kept and DE in doc.text
    doc = page()
    detect_languages(doc, LanguageOptions(drop_foreign_html=True))
    assert not doc.paragraphs[2].kept and DE not in doc.text


def _doc(texts: list[str], name: str = "x") -> Doc:
    doc = Doc(SourceFile("b", f"b/{name}.txt", f"/{name}", 1, 0), "0" * 64, b"", 0.0)
    doc.paragraphs = [Paragraph(i, t) for i, t in enumerate(texts)]
    doc.text = "\n\n".join(texts)
    return doc


DE_ARTICLE = [
    "Die Regierung in Wien hat am Dienstag ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen.",
    "Nach Angaben des Ministeriums sollen bis zum Jahr 2030 mehr als die Hälfte des Stroms aus Wind und Sonne kommen.",
    "Kritiker bemängeln, dass die Finanzierung des Vorhabens noch nicht gesichert ist und die Länder mitreden wollen.",
]


def test_german_document_and_its_paragraphs_are_de():
    doc = _doc(DE_ARTICLE)
    detect_languages(doc)
    assert doc.language == "de" and doc.language_prob >= 0.9
    assert [p.language for p in doc.paragraphs] == ["de", "de", "de"]


@pytest.mark.parametrize(("text", "language", "agrees"), [
    ("Officials in Washington said the talks would continue next week, although no date had been set.", "en", True),
    (DE_ARTICLE[0], "de", True),
    (DE, "en", False),  # the German comment form under an English article: no English stopwords
    (EN, "de", False),
    # an English title inside a German article: as many German stoplist words as English ones, so langdetect decides
    ("Man vs Snake: The Long and Twisted Tale of Nibbler", "de", False),
    ("Hislop, Griffin, Primus, De Zeeuw, Taylor, Stone (Cisse 76), Quashie (Berkovic 83), Faye", "en", False),
    ("https://www.example.com/2016/07/die-banditen-der-neuen-welt-ordnung-und-der-rest", "de", False),  # URL only
    ("Президент заявил, что переговоры продолжатся на следующей неделе.", "ru", False),  # no stoplist here
])
def test_stopwords_agree(text, language, agrees):
    assert stopwords_agree(text, language) is agrees


def test_only_paragraphs_the_stopwords_do_not_settle_go_to_langdetect(monkeypatch):
    import tasks.language as language

    seen = []
    real = language.detect_langs
    monkeypatch.setattr(language, "detect_langs", lambda text: seen.append(text) or real(text))
    en2 = "Officials in Washington said the talks would continue next week, although no date had been set yet."
    doc = _doc([EN, en2, "Hislop, Griffin, Primus, De Zeeuw, Taylor, Stone (Cisse 76), Quashie (Berkovic 83)", DE])
    detect_languages(doc)
    assert doc.language == "en"
    # the document (its prefix), the list of names and the German paragraph; not the two English paragraphs
    assert len(seen) == 3 and en2 not in seen and DE in seen
    assert [p.language for p in doc.paragraphs][:2] == ["en", "en"] and doc.paragraphs[3].language == "de"


def test_without_the_shortcut_every_long_paragraph_is_detected(monkeypatch):
    import tasks.language as language

    seen = []
    real = language.detect_langs
    monkeypatch.setattr(language, "detect_langs", lambda text: seen.append(text) or real(text))
    doc = _doc(DE_ARTICLE)
    detect_languages(doc, LEGACY)
    assert len(seen) == 1 + len(DE_ARTICLE) and doc.language == "de"
    assert [p.language for p in doc.paragraphs] == ["de", "de", "de"]


def test_same_document_same_languages():
    texts = [EN, "Trump Putin call", DE, "Hislop, Griffin, Primus, De Zeeuw, Taylor, Stone (Cisse 76), Quashie"]
    runs = []
    for _ in range(3):
        doc = _doc(texts)
        detect_languages(doc)
        runs.append((doc.language, doc.language_prob, [(p.language, p.kept, p.reason) for p in doc.paragraphs]))
    assert runs[0] == runs[1] == runs[2]


def test_mixed_seed_shows_its_german_comment_form():
    """Seed 002: an English article with a German comment form under it. Whatever the cleaner removed, the
    language stage labels the form `de`; kept, it is removed as foreign at the tail of the body."""
    import hashlib

    from tasks import reasons
    from tasks.boilerplate import clean_docs
    from tasks.decode import decode_docs
    from tasks.normalise import normalise_docs

    from .conftest import SAMPLE

    path = next(SAMPLE.rglob("002_*.txt"))
    data = path.read_bytes()
    docs = [Doc(SourceFile("b", path.name, str(path), len(data), 0), hashlib.sha256(data).hexdigest(), data, 0.0)]
    for stage in (decode_docs, clean_docs, normalise_docs):
        docs, rejects = stage(docs)
        assert not rejects
    doc = docs[0]
    form = next(p for p in doc.paragraphs if p.text.startswith("Deine E-Mail-Adresse"))
    detect_languages(doc)
    assert doc.language == "en" and form.language == "de" and form.text not in doc.text
    # as if the cleaner had kept every paragraph: the form (last) goes as foreign_language, English text stays
    for p in doc.paragraphs:
        p.kept, p.reason = True, None
    doc.text = "\n\n".join(p.text for p in doc.paragraphs)
    detect_languages(doc)
    assert doc.language == "en" and form.language == "de"
    assert not form.kept and form.reason == reasons.FOREIGN_LANGUAGE and form.text not in doc.text
    assert sum(p.language == "en" for p in doc.paragraphs) >= 20
    assert all(p.kept for p in doc.paragraphs if p.language == "en")


def test_fast_detector_gives_langdetects_results():
    """tasks.language.detect_langs (langdetect's Detector with numpy rows, bench/README.md) against langdetect's
    own: the same languages and the same probabilities, to the last bit, on the seeds and their paragraphs, and on
    strings that take langdetect's odd paths (URLs, runs of spaces, capitals, Cyrillic, CJK, Vietnamese)."""
    import langdetect
    from langdetect import DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    from tasks.language import detect_langs

    from .conftest import SAMPLE

    texts = [EN, DE, "Trump Putin call", "NATO SUMMIT IN  BRUSSELS   TODAY", "see https://example.com/a?b=1 or a@b.de",
             "Владимир Путин заявил, что переговоры продолжатся", "東京で会議が開かれた", "Tiếng Việt có dấu",
             "Ça, c’est la vie: élève, naïve, Zürich", "12345", "  "]
    for path in sorted(SAMPLE.rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        texts += [text[:1000], *(p[:1000] for p in text.split("\n\n") if len(p) >= 40)]
    DetectorFactory.seed = 0

    def results(fn):
        out = []
        for t in texts:
            try:
                out.append([(x.lang, float(x.prob)) for x in fn(t)])
            except LangDetectException as exc:
                out.append(str(exc))
        return out

    assert len(texts) > 50
    assert results(detect_langs) == results(langdetect.detect_langs)

from tasks.language import LanguageOptions, detect_language, detect_languages
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

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

import codecs

import pytest

from tasks import reasons
from tasks.decode import decode_bytes
from tasks.records import RejectError


def test_utf8_clean_text_is_not_altered():
    text = "Russia’s „key condition“ — «non» café ﬁne"
    out, enc, repairs = decode_bytes(text.encode("utf-8"))
    assert out == text and enc == "utf-8" and repairs == []


def test_bom_decides():
    data = codecs.BOM_UTF16_LE + "Grüße aus Köln".encode("utf-16-le")
    assert decode_bytes(data)[:2] == ("Grüße aus Köln", "utf-16-le")


def test_declared_charset_wins_over_guessing():
    html = '<html><head><meta charset="windows-1252"></head><body>“Quoted” caf\xe9</body></html>'
    out, enc, _ = decode_bytes(html.encode("cp1252"))
    assert enc == "cp1252" and "“Quoted” café" in out


def test_undeclared_legacy_encoding_is_detected():
    text = "Die Bundesregierung hat am Dienstag über die Änderungen beraten. Größere Schäden gab es nicht. " * 5
    out, enc, _ = decode_bytes(text.encode("latin-1"))
    assert out == text and enc != "utf-8"


def test_mojibake_is_repaired_and_recorded():
    out, _, repairs = decode_bytes("FranÃ§ois said â€œhelloâ€\x9d".encode())
    assert out == "François said “hello”"
    assert repairs and repairs[0].startswith("mojibake:")


def test_one_line_of_mojibake_in_clean_text_is_repaired_and_the_rest_left_alone():
    # a file of clean typographic text with one pasted line of mojibake, its "Ã" decomposed ("A" + combining
    # tilde): judged as a whole, ftfy leaves the file alone (PolNeAR dev has such a file)
    text = "He didn’t see the irony – none.\nOne of his protegA\u0303\u00a9s said “no”.\nStraße und Ärger."
    out, _, repairs = decode_bytes(text.encode("utf-8"))
    assert out == "He didn’t see the irony – none.\nOne of his protegés said “no”.\nStraße und Ärger."
    assert len(repairs) == 1 and repairs[0].startswith("mojibake:")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, reasons.BINARY_FILE),
        (bytes(range(0, 32)) * 50, reasons.BINARY_FILE),
        (codecs.BOM_UTF8 + b"ok \xff\xfe\xfa broken", reasons.UNDECODABLE),
    ],
)
def test_bad_bytes_are_rejected(data, reason):
    with pytest.raises(RejectError) as info:
        decode_bytes(data)
    assert info.value.reason == reason

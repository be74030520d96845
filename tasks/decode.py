"""Decode: bytes to text. BOM, then a declared charset, then UTF-8, then charset-normalizer; ftfy repairs mojibake."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer
import ftfy

from tasks import reasons
from tasks.records import Doc, Reject, RejectError, run_per_doc

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"\x1f\x8b": "gzip data without a .gz name",
    b"\x7fELF": "executable",
}
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
# Share of control bytes above which a file is binary, not text. Real text files have none beyond \t\n\r\f;
# 5 % leaves room for a few stray bytes in legacy files.
_MAX_CONTROL_SHARE = 0.05
_CONTROL = set(range(0, 9)) | {11} | set(range(14, 32))


def _looks_binary(data: bytes) -> str | None:
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    head = data[:8192]
    n_control = sum(1 for b in head if b in _CONTROL)
    if head and n_control / len(head) > _MAX_CONTROL_SHARE:
        return f"{n_control} control bytes in the first {len(head)}"
    return None


def _declared_charset(data: bytes) -> str | None:
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    name = (m.group(1) or m.group(2)).decode("ascii", "ignore")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes) -> tuple[str, str, list[str]]:
    """Decode a file's bytes; returns (text, encoding name, repairs made).

    Order: byte-order mark, a charset declared in the first 4 KB (HTML meta or XML declaration), strict UTF-8,
    then charset-normalizer's best guess. Mojibake is repaired with ftfy's encoding fixer only, so clean text
    (curly quotes, ligatures, ...) is never altered; each repair is listed as e.g.
    'mojibake:sloppy-windows-1252>utf-8'. Raises RejectError(binary_file | undecodable).
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _repair(data[len(bom) :].decode(name), name)
            except UnicodeDecodeError as exc:
                raise RejectError(reasons.UNDECODABLE, f"byte-order mark says {name}: {exc}") from exc
    binary = _looks_binary(data)
    if binary:
        raise RejectError(reasons.BINARY_FILE, binary)
    declared = _declared_charset(data)
    for name in (declared, "utf-8"):
        if name:
            try:
                return _repair(data.decode(name), name)
            except UnicodeDecodeError:
                pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise RejectError(reasons.UNDECODABLE, "no encoding decodes these bytes")
    return _repair(str(best), best.encoding)


def _repair(text: str, encoding: str) -> tuple[str, str, list[str]]:
    """Undo mojibake line by line, as ftfy's own `fix_text` does: a file that is mostly clean with one pasted
    line of mojibake ("protegÃ©s") is repaired there, where judging the whole file at once leaves it alone."""
    lines = text.split("\n")
    repairs: list[str] = []
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        # composed first (NFC, which normalisation applies anyway): "A" + combining tilde + "©" is mojibake
        # ftfy only recognises as "Ã©"
        fixed = ftfy.fix_encoding_and_explain(unicodedata.normalize("NFC", line))
        if not fixed.explanation:
            continue
        lines[i] = fixed.text
        # encode/decode steps name the mis-decoding undone; 'apply' steps name other repairs (C1 controls, ...)
        steps = "mojibake:" + ">".join(arg for op, arg in fixed.explanation
                                       if op in ("encode", "decode", "transcode", "apply"))
        if steps not in repairs:
            repairs.append(steps)
    if not repairs:
        return text, encoding, []
    return "\n".join(lines), encoding, repairs


def decode_doc(doc: Doc) -> None:
    """Decode a document's bytes into `doc.content` (and drop the bytes). Raises RejectError."""
    doc.content, doc.encoding, doc.repairs = decode_bytes(doc.data)
    doc.data = b""


def decode_docs(docs: list[Doc]) -> tuple[list[Doc], list[Reject]]:
    """Decode every document of a batch in place; those that fail become rejects."""
    return run_per_doc(docs, decode_doc, "decode")

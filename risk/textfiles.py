"""Reading a user's text file, or saying in one line why it is not one; and refusing
control characters in text people typed.

CSV imports and article ingestion both take files from analysts' disks; both must refuse
an empty, binary or non-UTF-8 file with the same clear message naming the file. Evidence
and organisations refuse the same control characters (ESC, BEL...), which would otherwise
reach a terminal through the command line's output.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from risk.errors import ValidationError


def read_utf8(path: str | Path, kind: str) -> str:
    """The file's text (a UTF-8 byte-order mark is dropped); ``kind`` names what was
    expected, e.g. "CSV" or "article", for the error message."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ValidationError(f"{path}: is a directory, not a {kind} file") from exc
    if b"\x00" in raw:
        raise ValidationError(f"{path}: binary file (NUL byte found), not {kind} text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        ) from exc
    if not text.strip():
        raise ValidationError(f"{path}: file is empty")
    return text


def control_message(text: str) -> str | None:
    """Why ``text`` is refused if it holds a control character (C0 or C1) other than tab
    and newline (a CRLF counts as a newline), as annotations refuse them; else None."""
    text = text.replace("\r\n", "\n")
    for pos, char in enumerate(text):
        if char not in "\t\n" and unicodedata.category(char) == "Cc":
            return (f"contains a control character (U+{ord(char):04X} at position {pos + 1}); "
                    "only tab or newline allowed")
    return None

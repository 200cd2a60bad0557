"""Reading a user's text file, or saying in one line why it is not one.

CSV imports and article ingestion both take files from analysts' disks; both must refuse
an empty, binary or non-UTF-8 file with the same clear message naming the file.
"""

from __future__ import annotations

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

"""The signed manifest every generated workbook carries in a very-hidden sheet.

It says what the workbook is (form, form version, fiscal year, group, item keys, issue id) and
holds a hash of everything that was prefilled and locked. It is signed with HMAC-SHA256 and the
workspace's secret key, so a forged or edited manifest, or one copied from another group's file,
is detected.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SHEET = "_fujimi"
MAGIC = "FUJIMI-XL-MANIFEST"
CHUNK = 30000  # below Excel's 32,767 characters per cell
SCHEMA = 1


def canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def locked_hash(headers: dict[str, str], rows: list[tuple[str, dict[str, str]]]) -> str:
    """Hash of the locked content: header labels and, per item key, the locked cells' text."""
    return hashlib.sha256(canonical({"headers": headers, "rows": rows})).hexdigest()


def sign(payload: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, canonical(payload), hashlib.sha256).hexdigest()


def verify(payload: dict[str, Any], signature: Any, key: bytes) -> bool:
    """Whether ``signature`` (the text of the manifest's signature cell, whatever was typed
    there) is the one of ``payload``. Compared as bytes: a non-ASCII text is simply wrong."""
    if not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(payload, key).encode(), signature.encode("utf-8", "replace"))


def to_cells(payload: dict[str, Any], key: bytes) -> list[str]:
    """Column A of the manifest sheet: magic, signature, then the JSON in chunks."""
    data = canonical(payload)
    text = data.decode()
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    return [MAGIC, hmac.new(key, data, hashlib.sha256).hexdigest(), *chunks]  # = sign()


def from_cells(column: list[Any]) -> tuple[dict[str, Any], str] | None:
    """Parse column A of a manifest sheet; None when it is not a manifest at all."""
    values = [v for v in column if isinstance(v, str) and v != ""]
    if len(values) < 3 or values[0] != MAGIC:
        return None
    try:
        payload = json.loads("".join(values[2:]))
    except json.JSONDecodeError:
        return None
    if not isinstance(payload, dict):
        return None
    return payload, values[1]

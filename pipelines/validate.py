"""Validation of parser records: small checks that raise `ValidationError` with a reason.

A record that fails a check is not dropped: the caller writes it to the `rejects` table with
the reason and the raw JSON (see pipelines/rows.py).
"""

from __future__ import annotations

from typing import Any


class ValidationError(ValueError):
    """A record (or one field of it) that cannot become a typed row; the message is the reason."""


def expect_mapping(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValidationError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def expect_list(value: Any, what: str) -> list:
    """A list, or [] for a missing value."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{what}: expected a list, got {type(value).__name__}")
    return list(value)


def require(record: dict, key: str, what: str) -> Any:
    """The value of `key`, which must be present and not null/empty."""
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(f"{what}: missing {key}")
    return value


def field(record: dict, key: str, convert, what: str) -> Any:
    """`convert(record[key])` with the field name added to any failure reason."""
    try:
        return convert(record.get(key))
    except ValidationError as exc:
        raise ValidationError(f"{what}.{key}: {exc}") from None

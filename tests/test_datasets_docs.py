"""docs/schema.md documents every column of every table, with the schema's types."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.schema import LINEAGE_COLUMNS, SCHEMAS, VOLATILE_COLUMNS

DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.M)
    return {p.split("\n", 1)[0].strip(): p for p in parts[1:]}


def documented_columns(section: str) -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z_]+)` \| ([^|]+) \|", section, flags=re.M)
    return {name: type_.strip() for name, type_ in rows}


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_every_column_is_documented_with_its_type(table):
    docs = documented_columns(sections()[table])
    own = [f for f in SCHEMAS[table] if f.name not in LINEAGE_COLUMNS]
    assert [f.name for f in own] == list(docs), "columns missing or out of order"
    for f in own:
        base = str(f.type).split("[")[0].split("<")[0]  # int64, timestamp, list, date32…
        assert docs[f.name].startswith(base), f.name
        assert docs[f.name].endswith(", null") == f.nullable, f.name


def test_lineage_and_volatile_columns_are_documented():
    lineage = documented_columns(next(v for k, v in sections().items() if k.startswith("Lineage")))
    assert list(lineage) == LINEAGE_COLUMNS
    for table, columns in VOLATILE_COLUMNS.items():
        section = sections()[table]
        for column in columns:
            line = next(x for x in section.splitlines() if x.startswith(f"| `{column}` |"))
            assert "*volatile*" in line, (table, column)

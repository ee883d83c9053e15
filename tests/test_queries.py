"""Named SQL blocks: parsed from files, unique, never empty."""

from __future__ import annotations

import pytest

from shared.db.queries import QUERIES, Queries, parse_named_blocks


def test_named_blocks_are_split_on_name_lines():
    text = "-- header\n-- name: first\nSELECT 1;\n\n-- name: second_one\nSELECT %(x)s\n"
    assert parse_named_blocks(text) == [("first", "SELECT 1"), ("second_one", "SELECT %(x)s")]


def test_an_empty_block_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        parse_named_blocks("-- name: nothing\n\n-- name: other\nSELECT 1")


def test_duplicate_names_across_files_are_an_error(tmp_path):
    (tmp_path / "a.sql").write_text("-- name: same\nSELECT 1")
    (tmp_path / "b.sql").write_text("-- name: same\nSELECT 2")
    with pytest.raises(ValueError, match="defined twice"):
        Queries.load(tmp_path)


def test_unknown_query_name_says_which():
    with pytest.raises(KeyError, match="no_such_query"):
        QUERIES["no_such_query"]

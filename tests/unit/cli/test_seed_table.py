"""The closing table of ``atelier seed --demo``: aligned columns, readable counts."""

from __future__ import annotations

from entrypoints.cli.seed import Account, accounts_table, counts_line, text_table


def test_columns_line_up_under_their_header() -> None:
    lines = text_table(["a", "long header", "c"], [["wide value", "x", "1"], ["y", "z", "22"]])
    starts = [lines[0].index("long header"), lines[0].index("c", lines[0].index("header"))]
    for line in lines[2:]:
        assert line[starts[0] - 2 : starts[0]] == "  "
        assert line[starts[1] - 2 : starts[1]] == "  "
    assert lines[1].split() == ["-" * 10, "-" * 11, "-" * 2]
    assert lines[2].split() == ["wide", "value", "x", "1"]
    assert all(line == line.rstrip() for line in lines)


def test_accounts_by_role_then_email_with_names() -> None:
    lines = accounts_table(
        [
            Account("client", "c@example.org", "Cléo Client", "pw-c-123456789"),
            Account("admin", "b@example.org", "Ada Admin", "pw-a-123456789"),
            Account("technician", "t@example.org", "Tom Tech", "(already existed, unchanged)"),
            Account("admin", "a@example.org", "Abe Admin", "pw-b-123456789"),
        ]
    )
    assert lines[0].split() == ["role", "e-mail", "name", "one-time", "password"]
    assert [line.split()[1] for line in lines[2:]] == [
        "a@example.org",
        "b@example.org",
        "t@example.org",
        "c@example.org",
    ]
    name_column = lines[0].index("name")
    assert lines[5][name_column:].startswith("Cléo Client")


def test_counts_read_as_words() -> None:
    assert counts_line({"users": 13, "equipment": 17, "skipped": 0}) == "13 users, 17 equipment"
    assert counts_line({}) == "nothing"

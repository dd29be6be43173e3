"""The README stays true: its commands exist, its settings table is the Settings class."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from cchc_graph.cli import cli
from cchc_graph.settings import Settings

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_two_commands() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == [
        "make run",
        "make test",
    ]


def test_every_cchc_command_exists() -> None:
    named = set(re.findall(r"\bcchc (\w+)", README))
    assert named
    assert named <= set(cli.commands)  # type: ignore[attr-defined]


def test_settings_table_matches_settings() -> None:
    table = set(re.findall(r"^\| `CCHC_(\w+)` \|", README, flags=re.MULTILINE))
    assert {name.lower() for name in table} == set(Settings.model_fields)


def test_the_query_example_runs(store: ox.Store) -> None:
    code = README.split("```python", 1)[1].split("```", 1)[0]
    query = code.split('query = """', 1)[1].split('"""', 1)[0]
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert any(row["task"].value.endswith("/task/khanh-hoa-2014/II.1") for row in rows)

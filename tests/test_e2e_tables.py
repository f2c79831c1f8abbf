"""End to end, offline: every row of shared/cases' routing.tsv, libraries.tsv and homes.tsv,
rebuilt from what its real wheel says of itself (``support.tables``) and served by the test
index, gets its preferred route from ``safepip explain --json`` (a dual-use tool either listed
one), outside a project and inside one with no terminal. The same rows against the real index:
``test_e2e_routes.py``'s network test."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import PackageIndex
from support.cli import run_safepip
from support.tables import DATA, build_all

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"

pytestmark = pytest.mark.skipif(
    not CASES.exists() or not DATA.exists(), reason="shared/ is not beside the checkout"
)


def rows(table: str) -> dict[str, dict[str, str]]:
    with (CASES / table).open(newline="") as handle:
        return {r["package"]: r for r in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture(scope="module")
def tables_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageIndex]:
    with PackageIndex(tmp_path_factory.mktemp("tables-index")) as index:
        index.add(*build_all(tmp_path_factory.mktemp("tables")))
        yield index


def explain(names: list[str], cwd: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    result = run_safepip(["explain", "--json", *names], cwd=cwd, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return {r["requirement"]: r for r in json.loads(result.stdout)["requirements"]}


def test_routing_and_libraries_rows_get_their_preferred_route(
    tables_index: PackageIndex, clean_env: dict[str, str]
) -> None:
    table = {**rows("routing.tsv"), **rows("libraries.tsv")}  # the stricter one last
    env = dict(clean_env, PIP_INDEX_URL=tables_index.url)
    outside = Path(env["HOME"]) / "work" / "somewhere"
    inside = Path(env["HOME"]) / "proj"
    for folder in (outside, inside):
        folder.mkdir(parents=True)
    (inside / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "0"\n')
    wrong = []
    for folder, column in ((outside, "outside_project"), (inside, "inside_project_undeclared")):
        found = explain(list(table), folder, env)
        for name, row in table.items():
            listed = row[column].split("|")
            allowed = listed if row["kind"] == "dual-use tool" else listed[:1]
            if found[name]["route"] not in allowed:
                wrong.append((name, column, found[name]["route"], found[name]["reasons"]))
    assert wrong == []


def test_homes_rows_get_their_route_and_name_what_they_must(
    tables_index: PackageIndex, clean_env: dict[str, str]
) -> None:
    table = rows("homes.tsv")
    env = dict(clean_env, PIP_INDEX_URL=tables_index.url)
    outside = Path(env["HOME"]) / "work" / "elsewhere"
    outside.mkdir(parents=True)
    found = explain(list(table), outside, env)
    for name, row in table.items():
        assert found[name]["route"] == row["outside_route"], (name, found[name]["reasons"])
        if row["outside_must_name"] != "-":
            assert row["outside_must_name"] in json.dumps(found[name]), (name, found[name])

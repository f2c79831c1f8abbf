"""safepip.target.made_envs: the environments safepip made, remembered in one file."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

from safepip.target.made_envs import FILE_NAME, Made, remember, remembered


def _folder(tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.mkdir(exist_ok=True)
    return str(path)


def test_remembered_with_the_interpreter_as_given_and_when(tmp_path: Path) -> None:
    state = tmp_path / "state"
    venv = _folder(tmp_path, "venv")
    assert remember(state, [Made(venv, "venv", "/usr/bin/python3")]) is None
    [found] = remembered(state)
    assert (found.path, found.kind, found.python) == (venv, "venv", "/usr/bin/python3")
    assert found.when
    data = json.loads((state / FILE_NAME).read_text())
    assert data["format"] == 1 and len(data["environments"]) == 1


def test_merged_refreshed_and_pruned(tmp_path: Path) -> None:
    state = tmp_path / "state"
    a, b = _folder(tmp_path, "a"), _folder(tmp_path, "b")
    remember(state, [Made(a, "venv", "/p1"), Made(b, "user", "/p1")])
    os.rmdir(b)
    c = _folder(tmp_path, "c")
    remember(state, [Made(a, "venv", "/p2"), Made(c, "pipx", "/p2")])
    raw = json.loads((state / FILE_NAME).read_text())["environments"]
    assert sorted((e["path"], e["python"]) for e in raw) == [(a, "/p2"), (c, "/p2")]


def test_a_state_folder_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    state = blocker / "state"  # cannot be made: a file is in the way (root or not)
    problem = remember(state, [Made(_folder(tmp_path, "a"), "venv", "/p")])
    assert problem is not None and str(state) in problem
    assert remembered(state) == []


def test_a_broken_file_is_replaced(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / FILE_NAME).write_text("{not json")
    a = _folder(tmp_path, "a")
    assert remember(state, [Made(a, "venv", "/p")]) is None
    assert [m.path for m in remembered(state)] == [a]


def _remember_many(state: str, folders: list[str]) -> None:
    for folder in folders:
        remember(Path(state), [Made(folder, "venv", "/p")])


def test_concurrent_runs_lose_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    folders = [_folder(tmp_path, f"v{i}") for i in range(40)]
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_remember_many, args=(str(state), folders[i::4])) for i in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(m.path for m in remembered(state)) == sorted(folders)

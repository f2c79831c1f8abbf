"""Reading a remote wheel's commands with range requests (safepip.inspect.wheel)."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import FIXBIG_PADDING, About, PackageIndex, build_wheel
from support.plugins import with_entry_points

from safepip.exceptions import BadWheel, IndexUnreachable
from safepip.inspect.wheel import Fetcher, read_wheel_commands


def dist(dists: list[Path], prefix: str) -> Path:
    return next(p for p in dists if p.name.startswith(prefix + "-"))


def served(index: PackageIndex, filename: str, expected: int) -> int:
    """Bytes the index sent for ``filename``, once its books show ``expected`` (or 2 s pass):
    it logs a response just after sending it, so a fast client can be ahead of it."""
    deadline = time.monotonic() + 2
    while index.bytes_for(filename) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return index.bytes_for(filename)


@pytest.fixture
def fetcher(tmp_path: Path) -> Fetcher:
    return Fetcher(cache_dir=tmp_path / "cache", timeout=10)


def test_big_wheel_costs_a_few_ranges(
    index: PackageIndex, standard_dists: list[Path], fetcher: Fetcher
) -> None:
    big = dist(standard_dists, "fixbig")
    assert big.stat().st_size > FIXBIG_PADDING
    index.reset_counters()
    started = time.perf_counter()
    info = read_wheel_commands(index.file_url(big.name), fetcher=fetcher)
    elapsed = time.perf_counter() - started
    assert info.commands == ("fixbig",)
    assert info.console_scripts == ("fixbig",)
    assert info.top_level_importable
    assert info.full_download is None
    assert served(index, big.name, info.bytes_fetched) == info.bytes_fetched
    assert info.bytes_fetched < 200_000, info.bytes_fetched
    assert all(r.status == 206 for r in index.requests)
    assert len(index.requests) <= 3
    assert elapsed < 5
    assert not (fetcher.wheel_dir / big.name).exists()


def test_without_range_support_downloads_once_into_the_cache(
    make_index: Callable[..., PackageIndex], standard_dists: list[Path], fetcher: Fetcher
) -> None:
    idx = make_index(range_requests=False)
    big = dist(standard_dists, "fixbig")
    url = idx.file_url(big.name)
    info = read_wheel_commands(url, fetcher=fetcher)
    assert info.commands == ("fixbig",)
    assert info.full_download == fetcher.wheel_dir / big.name
    assert info.full_download.read_bytes() == big.read_bytes()
    assert info.bytes_fetched == big.stat().st_size
    assert served(idx, big.name, info.bytes_fetched) == info.bytes_fetched
    assert [p.name for p in fetcher.wheel_dir.iterdir()] == [big.name]  # no partial files left

    again = read_wheel_commands(url, fetcher=fetcher)
    assert again.full_download == info.full_download
    assert again.bytes_fetched == 0
    assert idx.bytes_for(big.name) == big.stat().st_size  # not downloaded twice


@pytest.mark.parametrize(
    ("prefix", "console", "gui", "data", "importable"),
    [
        ("fixapp", ("fixapp",), (), (), True),
        ("fixlib", (), (), (), True),
        ("fixgui", (), ("fixgui",), (), True),
        ("fixdata", (), (), ("fixdata-bin",), True),
        ("fixmeta", (), (), (), False),
    ],
)
def test_kinds_of_commands(
    index: PackageIndex,
    standard_dists: list[Path],
    fetcher: Fetcher,
    prefix: str,
    console: tuple[str, ...],
    gui: tuple[str, ...],
    data: tuple[str, ...],
    importable: bool,
) -> None:
    info = read_wheel_commands(index.file_url(dist(standard_dists, prefix).name), fetcher=fetcher)
    assert (info.console_scripts, info.gui_scripts, info.data_scripts) == (console, gui, data)
    assert info.commands == console + gui + data
    assert info.top_level_importable is importable


def test_meta_package_declares_its_dependency(
    index: PackageIndex, standard_dists: list[Path], fetcher: Fetcher
) -> None:
    meta = read_wheel_commands(
        index.file_url(dist(standard_dists, "fixmeta").name), fetcher=fetcher
    )
    assert meta.requires_dist == ("fixapp",)
    assert meta.commands == ()
    assert not meta.top_level_importable


def test_data_only_wheel_is_not_importable(tmp_path: Path, fetcher: Fetcher) -> None:
    only_data = build_wheel(tmp_path, "onlydata", modules={}, data_scripts={"tool": "#!/bin/sh\n"})
    info = read_wheel_commands(str(only_data), fetcher=fetcher)
    assert info.commands == ("tool",)
    assert not info.top_level_importable
    with_purelib = tmp_path / "purelib" / only_data.name
    with_purelib.parent.mkdir()
    with zipfile.ZipFile(only_data) as source, zipfile.ZipFile(with_purelib, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("onlydata-1.0.data/purelib/onlydata/__init__.py", "")
    assert read_wheel_commands(str(with_purelib), fetcher=fetcher).top_level_importable


def test_entry_point_groups_and_typed_commands(tmp_path: Path, fetcher: Fetcher) -> None:
    """The groups a plugin registers (scripts left out), and, for a wheel with commands, the
    lines its description tells people to type."""
    about = About(description="Start it with:\n\n```bash\n$ fixnb lab\n```\n")
    wheel = with_entry_points(
        build_wheel(tmp_path, "fixlab", console_scripts={"fixnb-lab": "x:y"}, about=about),
        {"fixnb.extensions": {"lab": "fixlab:Ext"}, "pytest11": {"p": "fixlab.p"}},
    )
    info = read_wheel_commands(str(wheel), fetcher=fetcher)
    assert info.entry_point_groups == ("fixnb.extensions", "pytest11")
    assert info.typed_commands == ("fixnb lab",)
    plain = read_wheel_commands(
        str(build_wheel(tmp_path / "plain", "fixplain", about=about)), fetcher=fetcher
    )
    assert (plain.entry_point_groups, plain.typed_commands) == ((), ())


def test_local_paths_and_file_urls_are_read_in_place(
    standard_dists: list[Path], fetcher: Fetcher
) -> None:
    app = dist(standard_dists, "fixapp")
    for location in (str(app), app.as_uri()):
        info = read_wheel_commands(location, fetcher=fetcher)
        assert info.commands == ("fixapp",)
        assert info.requires_dist == ("fixlib",)
        assert info.bytes_fetched == 0
        assert info.full_download is None
    assert not fetcher.wheel_dir.exists()


def test_tiny_tail_fetches_the_central_directory_separately(
    index: PackageIndex, standard_dists: list[Path], tmp_path: Path
) -> None:
    app = dist(standard_dists, "fixapp")
    index.reset_counters()
    info = read_wheel_commands(index.file_url(app.name), fetcher=Fetcher(tmp_path, tail_size=30))
    assert info.commands == ("fixapp",)
    assert served(index, app.name, info.bytes_fetched) == info.bytes_fetched
    assert len(index.requests) >= 3
    assert info.bytes_fetched < app.stat().st_size


@pytest.fixture
def zip64_wheel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """fixapp rewritten with every ZIP64 structure (small limits make zipfile write them)."""
    original = build_wheel(
        tmp_path / "src", "zipsixtyfour", console_scripts={"z64": "zipsixtyfour:main"}
    )
    target = tmp_path / "z64" / original.name
    target.parent.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(zipfile, "ZIP64_LIMIT", 8)
        patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
        with zipfile.ZipFile(original) as source, zipfile.ZipFile(target, "w") as out:
            for item in source.infolist():
                out.writestr(item, source.read(item), compress_type=zipfile.ZIP_DEFLATED)
    data = target.read_bytes()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data
    yield target


def test_zip64_wheel(
    zip64_wheel: Path, make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    idx = make_index(zip64_wheel, standard=False)
    info = read_wheel_commands(
        idx.file_url(zip64_wheel.name), fetcher=Fetcher(tmp_path, tail_size=40)
    )
    assert info.commands == ("z64",)
    assert info.full_download is None


def test_not_a_zip_is_a_bad_wheel(
    make_index: Callable[..., PackageIndex], tmp_path: Path, fetcher: Fetcher
) -> None:
    junk = tmp_path / "junk-1.0-py3-none-any.whl"
    junk.write_bytes(b"this is not a zip file" * 100)
    idx = make_index(junk, standard=False)
    with pytest.raises(BadWheel, match="not a zip"):
        read_wheel_commands(idx.file_url(junk.name), fetcher=fetcher)
    with pytest.raises(BadWheel):
        read_wheel_commands(str(junk), fetcher=fetcher)
    no_info = tmp_path / "noinfo" / "noinfo-1.0-py3-none-any.whl"
    no_info.parent.mkdir()
    with zipfile.ZipFile(no_info, "w") as out:
        out.writestr("noinfo.py", "")
    with pytest.raises(BadWheel, match=r"no \.dist-info"):
        read_wheel_commands(str(no_info), fetcher=fetcher)


def test_missing_file_and_stalled_server(
    make_index: Callable[..., PackageIndex], fetcher: Fetcher
) -> None:
    idx = make_index(standard=False)
    with pytest.raises(IndexUnreachable) as info:
        read_wheel_commands(idx.file_url("gone-1.0-py3-none-any.whl"), fetcher=fetcher)
    assert info.value.status == 404
    idx.set_fault("stall", seconds=5)
    quick = Fetcher(fetcher.cache_dir, timeout=0.5)
    with pytest.raises(IndexUnreachable):
        read_wheel_commands(idx.file_url("gone-1.0-py3-none-any.whl"), fetcher=quick)

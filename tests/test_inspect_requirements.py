"""What each requirement would put on PATH (safepip.inspect.requirements)."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import sys_tags
from support import PackageIndex, build_sdist, build_wheel

from safepip.inspect.requirements import RequirementFacts, inspect_requirements
from safepip.inspect.sdist import build_sdist_metadata
from safepip.pip.index_options import IndexOptions

TAGS = list(sys_tags())
PIP_PYTHON = sys.executable  # the dev venv's: it has pip


def build_env(index_url: str) -> dict[str, str]:
    """This process's environment without the machine's PIP_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_INDEX_URL=index_url)
    return env


def inspect(
    index_url: str,
    *requirements: str,
    cache_dir: Path,
    marker_env: dict[str, str] | None = None,
    **options: object,
) -> list[RequirementFacts]:
    return inspect_requirements(
        [Requirement(r) for r in requirements],
        tags=TAGS,
        python_version=platform.python_version(),
        marker_env=marker_env,
        options=IndexOptions(index_url=index_url, **options),  # type: ignore[arg-type]
        cache_dir=cache_dir,
        pip_python=PIP_PYTHON,
        timeout=10,
        environ=build_env(index_url),
    )


def summary(facts: Sequence[RequirementFacts]) -> list[tuple[str, str, tuple[str, ...], bool]]:
    return [(f.name, f.version, f.commands, f.importable) for f in facts]


def test_standard_fixtures(index: PackageIndex, tmp_path: Path) -> None:
    facts = inspect(
        index.url, "fixapp", "FixLib<2", "fixgui", "fixdata", "fixhelper", "fixbig",
        cache_dir=tmp_path,
    )  # fmt: skip
    assert summary(facts) == [
        ("fixapp", "1.0", ("fixapp",), True),
        ("fixlib", "1.0", (), True),
        ("fixgui", "1.0", ("fixgui",), True),
        ("fixdata", "1.0", ("fixdata-bin",), True),
        ("fixhelper", "1.0", ("fixhelper-cli",), True),
        ("fixbig", "1.0", ("fixbig",), True),
    ]
    assert all(f.source == "wheel-range" and f.error is None and f.via is None for f in facts)
    assert all(f.local_file is None for f in facts)
    assert [str(f.requirement) for f in facts][1] == "FixLib<2"
    big = facts[-1]
    assert 0 < big.bytes_fetched < 200_000


def test_meta_package_takes_its_dependencys_commands(index: PackageIndex, tmp_path: Path) -> None:
    (meta,) = inspect(index.url, "fixmeta", cache_dir=tmp_path)
    assert (meta.name, meta.commands, meta.importable, meta.via) == (
        "fixmeta", ("fixapp",), False, "fixapp",
    )  # fmt: skip
    assert meta.source == "wheel-range"
    assert meta.error is None


def test_meta_packages_with_code_and_extras(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    dists = tmp_path / "dists"
    idx = make_index(
        # ansible-like: code (collections) but no commands; the commands are in ansible-core
        build_wheel(dists, "fixcoll", requires=["fixcoll-core>=1", "fixapp"]),
        build_wheel(dists, "fixcoll-core", console_scripts={"fixcoll-run": "fixcoll_core:main"}),
        # commands only through an extra
        build_wheel(dists, "fixextra", modules={}, extras={"cli": ["fixgui"]}),
        # a dependency that cannot be inspected
        build_wheel(dists, "fixdangling", modules={}, requires=["nosuchdist"]),
        build_wheel(dists, "fixmarked", modules={}, requires=['fixapp; python_version < "3"']),
    )
    coll, extra_without, extra_with, dangling, marked = inspect(
        idx.url, "fixcoll", "fixextra", "fixextra[cli]", "fixdangling", "fixmarked",
        cache_dir=tmp_path / "cache",
    )  # fmt: skip
    assert (coll.commands, coll.importable, coll.via) == (("fixcoll-run",), True, "fixcoll-core")
    assert (extra_without.commands, extra_without.via) == ((), None)
    assert (extra_with.commands, extra_with.via) == (("fixgui",), "fixgui")
    assert dangling.commands == ()
    assert dangling.error is not None and "nosuchdist" in dangling.error
    assert (marked.commands, marked.error) == ((), None)


def test_without_ranges_the_download_is_kept_for_the_install(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    idx = make_index(range_requests=False)
    (first,) = inspect(idx.url, "fixbig", cache_dir=tmp_path)
    assert first.source == "wheel-download"
    assert first.local_file == tmp_path / "wheels" / "fixbig-1.0-py3-none-any.whl"
    assert first.local_file.is_file()
    assert first.bytes_fetched == first.local_file.stat().st_size
    (second,) = inspect(idx.url, "fixbig", cache_dir=tmp_path)
    assert (second.source, second.local_file, second.bytes_fetched) == (
        "local", first.local_file, 0,
    )  # fmt: skip
    assert second.commands == ("fixbig",)


def test_sdist_is_built_offline_and_the_wheel_reused(index: PackageIndex, tmp_path: Path) -> None:
    started = time.perf_counter()
    (facts,) = inspect(index.url, "fixsdist", cache_dir=tmp_path)
    built_in = time.perf_counter() - started
    assert facts.error is None, facts.error
    assert (facts.source, facts.version, facts.commands) == ("sdist-build", "1.0", ("fixsdist",))
    assert facts.local_file is not None
    assert facts.local_file.parent == tmp_path / "wheels"
    assert facts.local_file.name.startswith("fixsdist-1.0-")
    assert [p.name for p in tmp_path.iterdir()] == ["wheels"]  # no build folder left

    index.reset_counters()
    started = time.perf_counter()
    (again,) = inspect(index.url, "fixsdist", cache_dir=tmp_path)
    assert again.local_file == facts.local_file
    assert again.commands == ("fixsdist",)
    assert time.perf_counter() - started < built_in
    assert not any("/files/" in r.path for r in index.requests)  # not even the sdist


def test_failing_sdist_build_is_reported(index: PackageIndex, tmp_path: Path) -> None:
    (facts,) = inspect(index.url, "fixbroken", cache_dir=tmp_path)
    assert facts.source is None
    assert facts.error is not None
    assert facts.error.startswith("its sdist did not build: ") and "\n" not in facts.error
    assert "simulated build failure" in facts.error


def test_build_sdist_metadata_from_a_local_path(index: PackageIndex, tmp_path: Path) -> None:
    sdist = build_sdist(tmp_path / "src", "fixlocal", "2.0", gui_scripts={"fixlocal-gui": "x:y"})
    info = build_sdist_metadata(
        str(sdist),
        pip_python=PIP_PYTHON,
        options=IndexOptions(index_url=index.url),
        cache_dir=tmp_path / "cache",
        environ=build_env(index.url),
    )
    assert info.gui_scripts == ("fixlocal-gui",)
    assert info.full_download is not None
    assert info.full_download.parent == tmp_path / "cache" / "wheels"


def test_failures_are_recorded_not_raised(
    index: PackageIndex, make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    missing, ignored = inspect(
        index.url, "nosuchdist", 'fixapp; python_version < "3"', cache_dir=tmp_path
    )
    assert missing.error is not None and "no matching distribution" in missing.error
    assert (missing.name, missing.version, missing.commands) == ("nosuchdist", "", ())
    assert ignored.error is not None and ignored.error.startswith("ignored")
    broken = make_index(standard=False)
    broken.set_fault("500")
    (unreachable,) = inspect(broken.url, "fixapp", cache_dir=tmp_path)
    assert unreachable.error is not None and "HTTP 500" in unreachable.error


def test_direct_references(standard_dists: list[Path], index: PackageIndex, tmp_path: Path) -> None:
    wheel = next(p for p in standard_dists if p.name.startswith("fixgui-"))
    sdist = next(p for p in standard_dists if p.name.startswith("fixsdist-"))
    by_file, by_url, built = inspect(
        index.url,
        f"fixgui @ {wheel.as_uri()}",
        f"fixgui @ {index.file_url(wheel.name)}",
        f"fixsdist @ {sdist.as_uri()}",
        cache_dir=tmp_path,
    )
    assert (by_file.source, by_file.local_file, by_file.commands) == ("local", wheel, ("fixgui",))
    assert (by_url.source, by_url.version, by_url.commands) == ("wheel-range", "1.0", ("fixgui",))
    assert (built.source, built.version, built.commands) == ("sdist-build", "1.0", ("fixsdist",))


def test_marker_environment_of_the_target(index: PackageIndex, tmp_path: Path) -> None:
    (facts,) = inspect(
        index.url,
        'fixapp; sys_platform == "plan9"',
        cache_dir=tmp_path,
        marker_env={"sys_platform": "plan9"},
    )
    assert facts.commands == ("fixapp",)


def test_requirements_are_inspected_concurrently(index: PackageIndex, tmp_path: Path) -> None:
    index.set_fault("stall", seconds=1.0)  # each request: 1 s, then a hang-up
    started = time.perf_counter()
    facts = inspect(index.url, *[f"fixapp=={i}" for i in range(6)], cache_dir=tmp_path)
    elapsed = time.perf_counter() - started
    assert all(f.error is not None and "cannot fetch" in f.error for f in facts)
    assert elapsed < 3.0, elapsed

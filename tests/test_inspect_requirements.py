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
from support import About, PackageIndex, build_sdist, build_wheel
from support.plugins import with_entry_points

from safepip.inspect.requirements import RequirementInfo, describe_requirements
from safepip.inspect.role import Role
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
) -> list[RequirementInfo]:
    return describe_requirements(
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


def summary(facts: Sequence[RequirementInfo]) -> list[tuple[str, str, tuple[str, ...], bool]]:
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
    assert all(f.error is None and f.via is None for f in facts)
    # a small wheel is mostly fetched by the first range request: the rest too, for pip
    *small, big = facts
    assert {f.source for f in small} == {"wheel-download"}
    assert {f.local_file.parent if f.local_file else None for f in small} == {tmp_path / "wheels"}
    assert [str(f.requirement) for f in facts][1] == "FixLib<2"
    assert (big.source, big.local_file) == ("wheel-range", None)
    assert 0 < big.bytes_fetched < 200_000


def test_meta_package_takes_its_dependencys_commands(index: PackageIndex, tmp_path: Path) -> None:
    (meta,) = inspect(index.url, "fixmeta", cache_dir=tmp_path)
    assert (meta.name, meta.commands, meta.importable, meta.via) == (
        "fixmeta", ("fixapp",), False, "fixapp",
    )  # fmt: skip
    assert meta.source == "wheel-download"  # small: fetched whole
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
    assert (by_url.source, by_url.version, by_url.commands) == (
        "wheel-download", "1.0", ("fixgui",),
    )  # fmt: skip
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


# -- plugins by their entry points; commands the description types ----------------------------

TOOL = About(summary="A command-line tool of the safepip tests")
LIBRARY = About(summary="A library of the safepip tests")


def test_a_plugin_registers_entry_points_in_its_applications_group(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    """mkdocstrings (mkdocs.plugins), a pytest11 plugin, poetry-dynamic-versioning (a command
    of its own, poetry only through its ``plugin`` extra), flower (celery.commands, but celery
    says it is imported) and entry points of an application it does not require."""
    dists = tmp_path / "dists"
    ep = "fixplug:Plugin"
    idx = make_index(
        build_wheel(dists, "fixdocs", console_scripts={"fixdocs": "fixdocs:main"}, about=TOOL),
        with_entry_points(
            build_wheel(dists, "fixstrings", requires=["fixdocs>=1", "fixlib"]),
            {"fixdocs.plugins": {"fixstrings": ep}},
        ),
        build_wheel(dists, "fixtest", console_scripts={"fixtest": "fixtest:main"}, about=TOOL),
        with_entry_points(
            build_wheel(dists, "fixcover", requires=["fixtest"]), {"fixtest11": {"cov": ep}}
        ),
        build_wheel(dists, "fixpoetry", console_scripts={"fixpoetry": "fixpoetry:main"}),
        with_entry_points(
            build_wheel(
                dists,
                "fixversioning",
                console_scripts={"fixversioning": "fixversioning:main"},
                extras={"plugin": ["fixpoetry"]},
            ),
            {"fixpoetry.application.plugin": {"fixversioning": ep}},
        ),
        build_wheel(
            dists, "fixtasks", console_scripts={"fixtasks": "fixtasks:main"}, about=LIBRARY
        ),
        with_entry_points(
            build_wheel(dists, "fixflower", requires=["fixtasks"]),
            {"fixtasks.commands": {"fixflower": ep}},
        ),
        build_wheel(dists, "fixtasks-extra", requires=["fixtasks"]),
        with_entry_points(build_wheel(dists, "fixloose"), {"fixdocs.plugins": {"x": ep}}),
    )
    found = inspect(
        idx.url, "fixstrings", "fixcover", "fixversioning", "fixversioning[plugin]",
        "fixflower", "fixtasks-extra", "fixloose", "fixhelper-plugin",
        cache_dir=tmp_path / "cache",
    )  # fmt: skip
    strings, cover, bare, versioning, flower, extra, loose, _ = found
    assert strings.entry_point_groups == ("fixdocs.plugins",)
    assert (strings.plugin_of, strings.plugin_why) == (
        "fixdocs", "registers fixdocs.plugins entry points and requires it",
    )  # fmt: skip
    assert (cover.plugin_of, cover.via, cover.commands) == ("fixtest", None, ())
    assert "fixtest11" in str(cover.plugin_why)
    assert bare.plugin_of is None  # poetry only through the extra not asked for
    assert versioning.plugin_of == "fixpoetry"  # even with a command of its own
    assert versioning.commands == ("fixversioning",) and versioning.via is None
    # a library's plugins go where the library goes: not injected
    assert (flower.plugin_of, extra.plugin_of) == (None, None)
    assert (flower.commands, flower.error) == ((), None)
    assert loose.plugin_of is None
    assert all(f.error is None for f in found[:-1])


def test_a_library_named_after_an_application_stays_its_plugin(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    """The rule before entry points (mkdocs-material -> mkdocs); a host whose metadata says
    nothing of what it is (fixhelper, as mkdocs and flake8) still takes its plugins."""
    dists = tmp_path / "dists"
    idx = make_index(
        build_wheel(dists, "fixapp-theme", requires=["fixapp"]),
        build_wheel(dists, "fixhelper-plugin", requires=["fixhelper"]),
    )
    theme, helper = inspect(idx.url, "fixapp-theme", "fixhelper-plugin", cache_dir=tmp_path)
    assert (theme.plugin_of, theme.plugin_why) == ("fixapp", "named after it and requires it")
    assert helper.plugin_of == "fixhelper"


NOTEBOOK = """\
A notebook of the safepip tests.

Install it, then start it with:

```bash
$ fixnb lab
```

It uses `fixtool` and ``fixlib``.
"""


def test_a_command_the_description_types_comes_from_its_dependency(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    """jupyterlab: ``jupyter lab`` is jupyter-core's ``jupyter``; jupyter-server, also looked
    at (named like the typed command), brings nothing; ``fixtool``, named only in passing, is
    not even looked at; a package without commands of its own (ipykernel) brings none."""
    dists = tmp_path / "dists"
    idx = make_index(
        build_wheel(dists, "fixnb-core", console_scripts={"fixnb": "fixnb_core:main"}),
        build_wheel(dists, "fixnb-server", console_scripts={"fixnb-server": "fixnb_server:main"}),
        build_wheel(dists, "fixtool", console_scripts={"fixtool": "fixtool:main"}),
        build_wheel(
            dists,
            "fixlab",
            console_scripts={"fixnb-lab": "fixlab:main"},
            requires=["fixnb-core", "fixnb-server", "fixtool", "fixlib"],
            about=About(description=NOTEBOOK),
        ),
        build_wheel(dists, "fixkernel", requires=["fixnb-core"], about=About(description=NOTEBOOK)),
    )
    idx.reset_counters()
    lab, kernel = inspect(idx.url, "fixlab", "fixkernel", cache_dir=tmp_path)
    assert (lab.commands, lab.via) == (("fixnb-lab", "fixnb"), "fixnb-core")
    assert "$ fixnb lab" not in lab.typed and "fixnb lab" in lab.typed
    assert lab.role is not None and lab.role.kind == "bundle"  # an application by its part
    assert lab.role.reason == (
        'its description says to type "fixnb lab", a command of its dependency fixnb-core'
    )
    asked = {r.path for r in idx.requests if r.path.startswith("/simple/")}
    assert {"/simple/fixnb-core/", "/simple/fixnb-server/"} <= asked
    assert not asked & {"/simple/fixtool/", "/simple/fixlib/"}
    assert (kernel.commands, kernel.via) == ((), None)


def test_a_typed_command_from_a_dependency_of_a_dependency(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    """notebook types ``jupyter notebook`` but requires jupyter-core only through
    jupyter-server and jupyter-builder: their dependencies named like the command are looked
    up too (jupyter-core once), nothing else."""
    dists = tmp_path / "dists"
    book = About(description="Launch with:\n\n```bash\nfixnb notebook\n```\n")
    idx = make_index(
        build_wheel(dists, "fixnb-core", console_scripts={"fixnb": "fixnb_core:main"}),
        build_wheel(
            dists,
            "fixnb-server",
            console_scripts={"fixnb-server": "x:y"},
            requires=["fixnb-core>=1", "fixnb-client", "fixlib"],
        ),
        build_wheel(dists, "fixnb-client", console_scripts={"fixnb-kernel": "x:y"}),
        build_wheel(dists, "fixnb-builder", requires=["fixnb-core"]),
        build_wheel(
            dists,
            "fixbook",
            console_scripts={"fixnb-notebook": "x:y"},
            requires=["fixnb-server", "fixnb-builder", "fixtool"],
            about=book,
        ),
        build_wheel(dists, "fixtool", console_scripts={"fixtool": "fixtool:main"}),
    )
    idx.reset_counters()
    (notebook,) = inspect(idx.url, "fixbook", cache_dir=tmp_path)
    assert (notebook.via, notebook.commands) == ("fixnb-core", ("fixnb-notebook", "fixnb"))
    assert notebook.role == Role(
        "bundle",
        'its description says to type "fixnb notebook", a command of its dependency fixnb-core',
    )
    asked = [r.path for r in idx.requests if r.path.startswith("/simple/")]
    assert sorted(asked) == [
        f"/simple/{name}/"
        for name in ("fixbook", "fixnb-builder", "fixnb-client", "fixnb-core", "fixnb-server")
    ]


def test_typed_commands_keep_a_role_their_package_states(
    make_index: Callable[..., PackageIndex], tmp_path: Path
) -> None:
    """A package that says what it is keeps it; one that says nothing takes its typed
    dependency's stated role; ansible's part named after it still comes first."""
    dists = tmp_path / "dists"
    typed = About(summary="A library of the safepip tests", description="Run `fixnb lab`.")
    idx = make_index(
        build_wheel(dists, "fixnb-core", console_scripts={"fixnb": "fixnb_core:main"}),
        build_wheel(
            dists,
            "fixsays",
            console_scripts={"fixsays": "x:y"},
            requires=["fixnb-core"],
            about=typed,
        ),
        build_wheel(
            dists,
            "fixtaskweb",
            console_scripts={"fixtaskweb": "x:y"},
            requires=["fixtasks"],
            about=About(description="Run it:\n\n    $ fixtasks -A proj web\n"),
        ),
        build_wheel(
            dists, "fixtasks", console_scripts={"fixtasks": "fixtasks:main"}, about=LIBRARY
        ),
        build_wheel(
            dists,
            "fixcoll",
            console_scripts={"fixcoll-x": "x:y"},
            requires=["fixcoll-core", "fixnb-core"],
            about=About(description="Then type ``fixcoll-play`` or `fixnb lab`."),
        ),
        build_wheel(dists, "fixcoll-core", console_scripts={"fixcoll-play": "x:y"}),
    )
    says, web, coll = inspect(idx.url, "fixsays", "fixtaskweb", "fixcoll", cache_dir=tmp_path)
    assert says.via == "fixnb-core"
    assert says.role is not None and says.role.kind == "library"
    assert says.role.reason.startswith("its summary says")
    assert (web.via, web.commands) == ("fixtasks", ("fixtaskweb", "fixtasks"))
    assert web.role is not None and web.role.kind == "library"
    assert web.role.reason.startswith("fixtasks, whose command its description says to type")
    assert coll.via == "fixcoll-core, fixnb-core"
    assert coll.commands == ("fixcoll-x", "fixcoll-play", "fixnb")
    assert coll.role == Role("bundle", "it bundles the commands of fixcoll-core")

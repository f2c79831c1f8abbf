"""The distribution's own package of a requirement: apt's lists (a captured Debian 12 list, and
this machine's real ones where it has them), dnf/pacman/apk on their captured answers."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from safepip.inspect import packagers
from safepip.inspect.apt_lists import apt_index, lists_folder
from safepip.inspect.distro_packages import (
    NO_LISTS,
    Lookup,
    Wanted,
    answer_for,
    fallback_names,
    look_up,
)
from safepip.inspect.distro_version import compare, satisfies, upstream
from safepip.target.distro import package_manager

DATA = Path(__file__).parent / "data"
DEBIAN = 'ID=debian\nVERSION_ID="12"\n'
NAMED = {
    "pyyaml": "python3-yaml",
    "numpy": "python3-numpy",
    "pyserial": "python3-serial",
    "beautifulsoup4": "python3-bs4",
    "pillow": "python3-pil",
    "scikit-learn": "python3-sklearn",
    "python-dateutil": "python3-dateutil",
}


def _root(tmp_path: Path, os_release: str = DEBIAN) -> str:
    (tmp_path / "root" / "etc").mkdir(parents=True)
    (tmp_path / "root" / "etc" / "os-release").write_text(os_release)
    return str(tmp_path / "root")


def _apt_config(tmp_path: Path, lists: Path) -> dict[str, str]:
    config = tmp_path / "apt.conf"
    config.write_text(f'Dir::State::Lists "{lists}/";\n')
    return {"APT_CONFIG": str(config), "PATH": "/usr/bin:/bin"}


def _captured(tmp_path: Path, text: str) -> Lookup:
    environ = _apt_config(tmp_path, DATA / "apt-lists")
    wanted = [Wanted(t) for t in text.split()]
    return look_up(wanted, environ, tmp_path / "cache", root_dir=_root(tmp_path))


def test_each_name_by_its_debian_package(tmp_path: Path) -> None:
    found = _captured(tmp_path, " ".join(NAMED)).found
    assert {text: p.package for text, p in found.items()} == NAMED
    assert found["numpy"].version == "1:1.24.2-1+deb12u1"  # the security list's, the newest
    assert found["pillow"].version == "9.4.0-1.1+deb12u1"
    assert found["numpy"].command == "sudo apt install python3-numpy"
    assert all(p.satisfies for p in found.values())
    assert found["numpy"].as_json() == {
        "manager": "apt",
        "package": "python3-numpy",
        "version": "1:1.24.2-1+deb12u1",
        "satisfies": True,
        "command": "sudo apt install python3-numpy",
    }
    assert found["numpy"].line() == (
        "also packaged by Debian: python3-numpy 1:1.24.2-1+deb12u1 — sudo apt install python3-numpy"
    )


def test_specifiers_and_markers_are_compared_with_the_upstream_version(tmp_path: Path) -> None:
    found = _captured(
        tmp_path, "numpy>=99 numpy<2 scikit-learn==1.2.1 pyyaml;python_version<'3'"
    ).found
    assert found["numpy>=99"].satisfies is False
    assert "does not satisfy" in found["numpy>=99"].line()
    assert found["numpy<2"].satisfies is True
    assert found["scikit-learn==1.2.1"].satisfies is True  # 1.2.1+dfsg-1
    assert found["pyyaml;python_version<'3'"].satisfies is False


def test_a_same_named_package_of_another_project_is_not_offered(tmp_path: Path) -> None:
    found = _captured(tmp_path, "serial yaml-tools black numpy-financial").found
    assert "serial" not in found  # python3-serial is pyserial's
    assert found == {}


def test_import_names_come_first(tmp_path: Path) -> None:
    environ = _apt_config(tmp_path, DATA / "apt-lists")
    wanted = [Wanted("pillow", ("PIL",)), Wanted("beautifulsoup4", ("bs4",))]
    found = look_up(wanted, environ, None, root_dir=_root(tmp_path)).found
    assert found["pillow"].package == "python3-pil"
    assert found["beautifulsoup4"].package == "python3-bs4"


def test_without_lists_it_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    environ = _apt_config(tmp_path, tmp_path / "empty")
    result = look_up([Wanted("numpy")], environ, None, root_dir=_root(tmp_path))
    assert result.found == {} and result.note == NO_LISTS


def test_the_cache_is_read_until_a_list_changes(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    shutil.copytree(DATA / "apt-lists", lists)
    environ = _apt_config(tmp_path, lists)
    first = apt_index(environ, tmp_path / "cache")
    assert (tmp_path / "cache" / "apt-python3.json").exists()
    assert apt_index(environ, tmp_path / "cache") == first
    plain = lists / "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
    plain.write_text(plain.read_text().replace("Version: 6.0-3+b2", "Version: 6.0-4"))
    assert apt_index(environ, tmp_path / "cache").packages["python3-yaml"].version == "6.0-4"


def test_lists_folder_from_apt_config(tmp_path: Path) -> None:
    assert lists_folder({}) == Path("/var/lib/apt/lists")
    assert lists_folder(_apt_config(tmp_path, tmp_path)) == tmp_path


def test_dh_python_fallback_list(tmp_path: Path) -> None:
    listed = tmp_path / "cpython3_fallback"
    listed.write_text("# comment\nPyYAML python3-yaml\nPillow python3-pil\n")
    assert fallback_names(listed) == {"pyyaml": "python3-yaml", "pillow": "python3-pil"}


@pytest.mark.parametrize(
    ("a", "b", "order"),
    [
        ("1:1.24.2-1", "1:1.24.2-1+deb12u1", -1),
        ("1.0~rc1", "1.0", -1),
        ("6.0-3+b2", "6.0-3", 1),
        ("2.0", "10.0", -1),
        ("1:0.1", "9.9", 1),
        ("1.0-1", "1.0-1", 0),
    ],
)
def test_debian_versions_compare_as_dpkg_does(a: str, b: str, order: int) -> None:
    assert compare(a, b) == order


def test_upstream_versions() -> None:
    assert upstream("1:1.24.2-1+deb12u1") == "1.24.2"
    assert upstream("1.2.1+dfsg-1") == "1.2.1"
    assert upstream("6.0.1-14.fc40") == "6.0.1"
    assert upstream("6.0.1-r3") == "6.0.1"
    assert upstream("1.0~rc1-1") == "1.0rc1"
    assert satisfies("2.28.1+dfsg-1", ">=2.28") is True
    assert satisfies("weird", ">=1") is None


def test_package_manager_by_distribution(tmp_path: Path) -> None:
    assert package_manager(root_dir=_root(tmp_path / "d")) == ("apt", "Debian")
    fedora = _root(tmp_path / "f", "ID=fedora\nVERSION_ID=40\n")
    assert package_manager(root_dir=fedora) == ("dnf", "Fedora")
    assert package_manager(root_dir=_root(tmp_path / "a", "ID=alpine\n")) == ("apk", "Alpine")
    assert package_manager(root_dir=_root(tmp_path / "x", "ID=nixos\n")) is None


def test_name_rules_of_each_distribution() -> None:
    assert packagers.names("dnf", "pyyaml", ("yaml",)) == ["python3dist(pyyaml)"]
    assert packagers.names("pacman", "pyyaml", ("yaml",)) == ["python-yaml", "python-pyyaml"]
    assert packagers.names("apk", "pyyaml", ("yaml",)) == ["py3-pyyaml", "py3-yaml"]
    assert packagers.names("apt", "python-dateutil", ()) == [
        "python3-python-dateutil",
        "python3-dateutil",
    ]
    assert packagers.query("pacman", ["python-yaml"]) == ["pacman", "-Si", "python-yaml"]
    assert packagers.query("dnf", ["python3dist(pyyaml)"])[:2] == ["dnf", "repoquery"]
    assert packagers.install("dnf", "python3-pyyaml") == ["dnf", "install", "-y", "python3-pyyaml"]
    assert packagers.shown("pacman", "python-yaml") == "sudo pacman -S python-yaml"


def _read(name: str) -> str:
    return (DATA / "packagers" / name).read_text()


def test_captured_answers_of_dnf_pacman_and_apk() -> None:
    dnf = ["python3dist(pyyaml)"]
    assert answer_for("dnf", "pyyaml", dnf, _read("dnf-repoquery-pyyaml.txt")) == (
        "python3-pyyaml",
        "6.0.1-14.fc40",
        "",
    )
    assert answer_for("dnf", "pyyaml", dnf, _read("dnf-repoquery-nothing.txt")) is None
    pacman = packagers.names("pacman", "pyyaml", ("yaml",))
    found = answer_for("pacman", "pyyaml", pacman, _read("pacman-Si-python-yaml.txt"))
    assert found is not None and found[:2] == ("python-yaml", "6.0.2-1")
    serial = packagers.names("pacman", "pyserial", ("serial",))
    found = answer_for("pacman", "pyserial", serial, _read("pacman-Si-python-serial.txt"))
    assert found is not None and found[0] == "python-pyserial"  # not the unrelated one
    apk = packagers.names("apk", "pyyaml", ("yaml",))
    assert answer_for("apk", "pyyaml", apk, _read("apk-search-py3-yaml.txt")) == (
        "py3-yaml",
        "6.0.1-r3",
        "",
    )


REAL_LISTS = [p for p in Path("/var/lib/apt/lists").glob("*_Packages*")]


@pytest.mark.skipif(
    not REAL_LISTS or package_manager() is None or package_manager()[0] != "apt",  # type: ignore[index]
    reason="this machine has no apt lists",
)
def test_this_machines_lists_fast(tmp_path: Path) -> None:
    wanted = [Wanted(t) for t in [*NAMED, "requests", "six", "serial"]]
    cache = tmp_path / "cache"
    look_up(wanted[:1], {"PATH": "/usr/bin:/bin"}, cache)  # the first run reads the lists
    started = time.perf_counter()
    result = look_up(wanted, {"PATH": "/usr/bin:/bin"}, cache)
    assert time.perf_counter() - started < 0.2
    named = {text: p.package for text, p in result.found.items() if text in NAMED}
    assert named == NAMED
    assert "serial" not in result.found

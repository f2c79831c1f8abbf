from __future__ import annotations

from pathlib import Path

import pytest

from safepip.target.distro import venv_package_hint

OS_RELEASE = {
    "debian": 'ID=debian\nVERSION_ID="12"\n',
    "ubuntu": 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n',
    "mint": 'ID=linuxmint\nID_LIKE="ubuntu debian"\n',
    "fedora": "ID=fedora\nVERSION_ID=40\n",
    "arch": "ID=arch\n",
}


def fake_root(tmp_path: Path, name: str) -> str:
    etc = tmp_path / name / "etc"
    etc.mkdir(parents=True)
    (etc / "os-release").write_text(OS_RELEASE[name])
    return str(tmp_path / name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("debian", "sudo apt install python3.11-venv"),
        ("ubuntu", "sudo apt install python3.12-venv"),
        ("mint", "sudo apt install python3.12-venv"),
        ("fedora", "sudo dnf install"),
        ("arch", "your distribution's package"),
    ],
)
def test_hint_names_the_package_for_the_distribution(
    tmp_path: Path, name: str, expected: str
) -> None:
    version = "3.11.2" if name == "debian" else "3.12.3"
    root = fake_root(tmp_path, name)
    assert expected in venv_package_hint(version, root_dir=root, as_root=False)
    assert "sudo" not in venv_package_hint(version, root_dir=root, as_root=True)


def test_this_machine() -> None:
    hint = venv_package_hint("3.11.2")
    assert "python3.11-venv" in hint  # this machine is Debian 12

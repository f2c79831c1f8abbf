"""The operating system distribution, for advice that names the exact package to install."""

from __future__ import annotations

import os


def _ids(root_dir: str | None) -> tuple[str, str]:
    import distro  # imported only when advice is needed

    info = distro.LinuxDistribution(root_dir=root_dir) if root_dir else distro.LinuxDistribution()
    ident = info.id()
    return ident, " ".join([ident, *info.like().split()])


def venv_package_hint(
    python_version: str, *, root_dir: str | None = None, as_root: bool | None = None
) -> str:
    """The command that gives this machine's Python a working ``venv``/``ensurepip`` (without
    ``sudo`` for root: a container often has none).

    ``root_dir`` reads another root file system's os-release (for tests, as distro's own)."""
    major_minor = ".".join(python_version.split(".")[:2])
    sudo = "" if (os.geteuid() == 0 if as_root is None else as_root) else "sudo "
    try:
        ident, family = _ids(root_dir)
    except Exception:  # distro is advisory only; never fail the real error because of it
        ident, family = "", ""
    if "debian" in family or "ubuntu" in family:
        return (
            f"install the venv support of this Python: {sudo}apt install python{major_minor}-venv"
        )
    if ident in ("fedora", "rhel", "centos", "rocky", "almalinux") or "fedora" in family:
        return f"install Python's venv support: {sudo}dnf install python3-pip-wheel python3-libs"
    if "suse" in family:
        package = "python" + major_minor.replace(".", "")
        return f"install Python's venv support: {sudo}zypper install {package}"
    if ident == "alpine":
        return f"install Python's venv support: {sudo}apk add python3 py3-pip"
    return "install your distribution's package that provides Python's venv and ensurepip modules"


def system_pip_hint(*, root_dir: str | None = None) -> str:
    """How this machine's own pip (the distribution's) is upgraded: by its package manager."""
    try:
        ident, family = _ids(root_dir)
    except Exception:  # advisory only
        ident, family = "", ""
    if "debian" in family or "ubuntu" in family:
        return "upgrade it with: sudo apt update && sudo apt install --only-upgrade python3-pip"
    if ident in ("fedora", "rhel", "centos", "rocky", "almalinux") or "fedora" in family:
        return "upgrade it with: sudo dnf upgrade python3-pip"
    if "suse" in family:
        return "upgrade it with: sudo zypper update python3-pip"
    if ident == "alpine":
        return "upgrade it with: sudo apk upgrade py3-pip"
    if "arch" in family:
        return "upgrade it with: sudo pacman -Syu python-pip"
    return "upgrade it with your distribution's package manager"


#: The package manager of each distribution family, and how its users call the distribution.
_MANAGERS = (
    ("debian", "apt"),
    ("ubuntu", "apt"),
    ("fedora", "dnf"),
    ("rhel", "dnf"),
    ("arch", "pacman"),
    ("alpine", "apk"),
)


def package_manager(*, root_dir: str | None = None) -> tuple[str, str] | None:
    """This machine's package manager (``apt``, ``dnf``, ``pacman`` or ``apk``) and the
    distribution's name as users say it ("Debian", "Ubuntu", "Fedora"), None for another."""
    try:
        ident, family = _ids(root_dir)
    except Exception:  # advisory only
        return None
    words = family.split()
    for word, manager in _MANAGERS:
        if word in words:
            shown = {"rhel": "Red Hat", "arch": "Arch Linux"}.get(ident, ident.capitalize())
            return manager, shown
    return None

#!/usr/bin/env bash
# Set up everything the test suite needs on a Debian/Ubuntu machine, then run it.
#   bash tests/run.sh [pytest args...]
# Installs (only what is missing): Debian packages python3-venv, pipx, zsh, fish, tmux, make, git,
# mercurial (with sudo
# when not root); a development venv in .venv; seed wheels and a PyPI pipx for the offline tests.
# The tests themselves never use the network.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in python3-venv python3-pip pipx zsh fish tmux make git mercurial; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv .venv
fi
# The development venv is a venv, so pip works in it: no --break-system-packages anywhere.
# pyproject.toml asks for pip>=25.1, so this also upgrades the venv's pip (the one new .venvs get).
PIP_CONFIG_FILE=/dev/null .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# Seed wheels (pip/setuptools/wheel) and a PyPI pipx for the offline pipx tests: network here only.
.venv/bin/python tests/support/fetch_seed_wheels.py

.venv/bin/ruff check safepip tests bench install.py
.venv/bin/ruff format --check safepip tests bench install.py
.venv/bin/mypy
# and for the oldest Python safepip supports: mypy 2 no longer targets 3.9, so mypy 1 in a venv
# of its own, beside safepip's dependencies as pip picks them for 3.9 (packaging 26.4 needs 3.10)
cache="${SAFEPIP_TEST_CACHE:-tests/.cache}"
mypy39=$cache/mypy39
[ -x "$mypy39/bin/python" ] || /usr/bin/python3 -m venv "$mypy39"
PIP_CONFIG_FILE=/dev/null "$mypy39/bin/python" -m pip install --quiet --disable-pip-version-check \
  'mypy>=1.8,<2'
PIP_CONFIG_FILE=/dev/null "$mypy39/bin/python" -m pip install --quiet --disable-pip-version-check \
  --upgrade --no-deps --only-binary=:all: --python-version 3.9 \
  --target "$("$mypy39/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
  packaging tomli distro
"$mypy39/bin/mypy" --python-version 3.9 --cache-dir .mypy_cache/py39 safepip install.py

# what this run tests against, for the record (README names these)
pipx_version() { "$1" --version 2>/dev/null | tail -n 1; }
echo "platform: $(. /etc/os-release && echo "$PRETTY_NAME"):" \
  "$(/usr/bin/python3 --version 2>&1)," \
  "$(/usr/bin/python3 -m pip --version 2>/dev/null | cut -d' ' -f1-2)," \
  "pipx $(pipx_version /usr/bin/pipx) (the distribution's)," \
  "pipx $(pipx_version "$cache/pipx-pypi/bin/pipx") (PyPI's)"
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# The whole test suite inside a Debian 13 ("trixie", stable) root, as `bash tests/run.sh -q`
# runs it on the machine itself.
#   bash .ci/debian13.sh [pytest args...]
# Needs root (chroot, bind mounts). The root is built with mmdebstrap from the Debian archive
# that this machine's apt already uses (read from its apt sources at run time), from the main
# suite only, and cached in $SAFEPIP_CI_CACHE (default /var/cache/safepip-ci/trixie): rebuilt
# when missing, when the package list below changes, or when older than a week (so pip and pipx
# stay the release's current ones). Environment:
#   SAFEPIP_CI_DEBIAN_MIRROR   the archive to build from, instead of the one apt uses
#   SAFEPIP_CI_REBUILD=1       build the root again even if the cached one is current
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

suite=trixie
# What the tests need beyond the essential set: python3-venv and python3-pip (venv, ensurepip,
# Debian's pip), pipx (Debian's pipx), git and mount (the fault tests' tmpfs and read-only
# binds; not essential any more in Debian 13), zsh, fish and tmux (the shell-init tests),
# ca-certificates (pip's downloads of the test tools and seed wheels).
packages=(python3 python3-venv python3-pip pipx git mount zsh fish tmux ca-certificates)

cache=${SAFEPIP_CI_CACHE:-/var/cache/safepip-ci/$suite}
root=$cache/root
stamp=$cache/stamp
max_age_days=7

[ "$(id -u)" -eq 0 ] || { echo "debian13.sh: needs root (chroot and bind mounts)" >&2; exit 1; }

# -- the archive: the host's own apt sources, the entry for its main suite --------------------

host_mirror() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 1
  local f
  # deb822 (*.sources): an enabled "Types: deb" stanza whose Suites has the host's main suite
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v want="$codename" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no" && (" " suites " ") ~ (" " want " ") && uri != "")
          { print uri; found = 1; exit }
        types = ""; suites = ""; uri = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "types:"   { $1 = ""; types = $0 }
      tolower($1) == "suites:"  { $1 = ""; suites = $0 }
      tolower($1) == "uris:"    { uri = $2 }
      tolower($1) == "enabled:" { enabled = tolower($2) }
      END { if (!found) flush() }
    ' "$f" | head -n 1 | grep . && return 0
  done
  # one-line format: deb [options] URI SUITE COMPONENTS...
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" \
      | awk -v want="$codename" '$1 == "deb" && $3 == want { print $2; exit }' | grep . && return 0
  done
  return 1
}

mirror=${SAFEPIP_CI_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(host_mirror) || {
    echo "debian13.sh: no Debian main suite in this machine's apt sources;" \
         "set SAFEPIP_CI_DEBIAN_MIRROR to a Debian archive" >&2
    exit 1
  }
fi

# -- the root: built once, cached -------------------------------------------------------------

# Whatever is mounted under the root (the binds below, or what a killed run left), deepest
# first. Done before anything under the root is removed: rm -rf through a bound /dev or /proc
# would reach the host's.
unmount_all() {
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v r="$root/" '{ m = $5; gsub(/\\040/, " ", m) } index(m "/", r) == 1 { print m }' \
             /proc/self/mountinfo | sort -r)
  if awk -v r="$root/" 'index($5 "/", r) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo
  then
    echo "debian13.sh: something is still mounted under $root; not touching it" >&2
    return 1
  fi
}

mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9  # one run at a time per root
unmount_all

want_stamp="$suite ${packages[*]}"
fresh=""
if [ -x "$root/usr/bin/python3" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] \
   && [ -z "$(find "$stamp" -mtime +"$max_age_days")" ] && [ "${SAFEPIP_CI_REBUILD:-}" != 1 ]; then
  fresh=yes
fi

if [ -z "$fresh" ]; then
  if ! command -v mmdebstrap >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
  fi
  building=$cache/root.new
  rm -rf --one-file-system "$building"
  echo "debian13.sh: building the $suite root in $root (mmdebstrap)"
  start=$SECONDS
  # Only the main suite: the security and updates suites of the archive reachable here can
  # carry Release files whose Valid-Until has passed, and the main suite has none, so no
  # check needs relaxing. A build log is kept beside the root.
  if ! mmdebstrap --variant=apt --include="$(IFS=,; echo "${packages[*]}")" \
      "$suite" "$building" "$mirror" >"$cache/build.log" 2>&1; then
    tail -n 30 "$cache/build.log" >&2
    rm -rf --one-file-system "$building"
    echo "debian13.sh: mmdebstrap failed (log: $cache/build.log)" >&2
    exit 1
  fi
  rm -rf --one-file-system "$root" "$stamp"
  mv "$building" "$root"
  echo "$want_stamp" >"$stamp"
  echo "debian13.sh: root built in $((SECONDS - start))s"
fi

# -- bind mounts, undone on any exit ----------------------------------------------------------

child=""
stop_child() {  # the suite runs in a process group of its own: end it, all of it
  [ -n "$child" ] || return 0
  kill -TERM -- "-$child" 2>/dev/null || return 0
  local waited=0
  while kill -0 -- "-$child" 2>/dev/null && [ "$waited" -lt 20 ]; do sleep 0.5; waited=$((waited + 1)); done
  kill -KILL -- "-$child" 2>/dev/null || true
  wait "$child" 2>/dev/null || true
  # and what a test started in a session of its own: every process whose root is this root
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  return 0
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  stop_child
  unmount_all
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

bind() {  # bind SRC (the same path inside the root)
  mkdir -p "$root$1"
  mount --bind "$1" "$root$1"
}
bind /proc
bind /sys
bind /dev
bind /dev/pts

# -- what the root gets from the host ---------------------------------------------------------

# Name resolution, and the host's CA bundle: outbound HTTPS here may go through a proxy that
# presents this machine's own CA. Nothing else of the host's pip set-up goes in: its
# PIP_FIND_LINKS folder, its config files and its constraints are about this machine's own
# wheels, and the tests run pip with no config anyway; the set-up's pip uses only PyPI.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
cp -L /etc/hosts "$root/etc/hosts"
host_ca=/etc/ssl/certs/ca-certificates.crt
root_ca=/usr/local/share/safepip-ci/host-ca-certificates.crt
mkdir -p "$root$(dirname "$root_ca")"
cp -L "$host_ca" "$root$root_ca"

env_in=(
  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  "HOME=/root" "USER=root" "LOGNAME=root" "LANG=C.UTF-8" "TERM=${TERM:-dumb}" "CI=true"
  "PIP_CERT=$root_ca" "SSL_CERT_FILE=$root_ca" "REQUESTS_CA_BUNDLE=$root_ca"
  "PIP_DISABLE_PIP_VERSION_CHECK=1"
  # the seed wheels and the PyPI pipx, kept between runs (downloaded once, refreshed each run)
  "SAFEPIP_TEST_CACHE=/var/cache/safepip-tests"
)
# the proxy settings this machine has, if any (read now, never written into the repo)
while IFS= read -r name; do
  env_in+=("$name=${!name}")
done < <(compgen -e | grep -i -x -E '(http|https|ftp|all|no)_proxy' || true)

# -- the checkout: what git tracks, as this working tree has it --------------------------------

dest=/build/safepip
rm -rf --one-file-system "$root$dest"
mkdir -p "$root$dest"
git -C "$repo" ls-files -z --cached --others --exclude-standard \
  | (cd "$repo" && tar --null --no-recursion -T - -cf - 2>/dev/null) \
  | tar -xf - -C "$root$dest"
[ -f "$root$dest/tests/run.sh" ] || { echo "debian13.sh: copying the checkout failed" >&2; exit 1; }
# and shared/ beside it, as CI lays it beside the clone (the routing table the tests read)
rm -rf --one-file-system "$root$(dirname "$dest")/shared"
if [ -d "$repo/../shared" ]; then
  cp -a "$repo/../shared" "$root$(dirname "$dest")/shared"
fi

echo "debian13.sh: Debian $(cat "$root/etc/debian_version") root from $mirror"
start=$SECONDS
# A private mount namespace: the tmpfs and read-only binds the fault tests make stay in it.
# In the background, in a process group of its own, so that an interrupt (which bash would only
# act on once a foreground command ended) stops the whole suite at once, then unmounts.
setsid unshare --mount --propagation private \
  chroot "$root" /usr/bin/env -i "${env_in[@]}" \
  /bin/bash -c 'cd "$1" && shift && exec bash tests/run.sh "$@"' run "$dest" "$@" </dev/null 9>&- &
child=$!
status=0
wait "$child" || status=$?
child=""
echo "debian13.sh: suite exited $status after $((SECONDS - start))s"
exit "$status"

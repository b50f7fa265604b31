#!/usr/bin/env bash
# Makes a Docker engine ready for docker/ and the Docker ITs, idempotently (each step only when missing):
#   1. dockerd: installs Debian's docker.io if there is none, starts dockerd if `docker info` fails
#      (no systemd needed: started in the background, log in $STARSPARK_DOCKER_LOG), waits for it;
#   2. compose v2 (`docker compose`): Debian 12 ships only 1.29, which rejects docker/compose.yml; Debian 13's
#      static docker-compose 2.x is fetched from the Debian archive and installed as a CLI plugin;
#   3. with --local-base: the base image $STARSPARK_BASE_IMAGE (default starspark-base:bookworm-jre17) made
#      locally, for machines without an image registry: debootstrap bookworm + openjdk-17-jre-headless,
#      then `docker import`.
# Exit 0: ready. Exit 3: no engine can exist here (not Linux, or not root and no usable engine); the reason is
# printed. Anything else: a step failed (CI fails). Run as root on a fresh machine: bash docker/setup-engine.sh --local-base
set -euo pipefail

base_image="${STARSPARK_BASE_IMAGE:-starspark-base:bookworm-jre17}"
log="${STARSPARK_DOCKER_LOG:-/var/log/starspark-dockerd.log}"
work="${STARSPARK_DOCKER_WORK:-/var/tmp/starspark-docker}"
local_base=false
for arg in "$@"; do
  case "$arg" in
    --local-base) local_base=true ;;
    *) echo "setup-engine: error: unknown argument $arg (only --local-base)" >&2; exit 2 ;;
  esac
done

say() { echo "setup-engine: $*" >&2; }
cannot() { say "no Docker engine can run here: $*"; exit 3; }
timed() { local start=$SECONDS; "$@"; say "$1 done in $((SECONDS - start)) s"; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# the Debian mirror this machine uses (sources.list or deb822 .sources), for debootstrap and the trixie fetch
debian_mirror() {
  local m
  m="$(grep -hsE '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

engine() {
  if docker info >/dev/null 2>&1; then
    say "engine running ($(docker info --format '{{.ServerVersion}}, storage {{.Driver}}'))"
    return
  fi
  [[ "$(uname -s)" == Linux ]] || cannot "not Linux ($(uname -s))"
  is_root || cannot "not root, and \`docker info\` fails (start dockerd, or add this user to the docker group)"
  if ! command -v dockerd >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || cannot "no dockerd and no apt-get to install docker.io"
    say "installing docker.io"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io iptables ca-certificates
  fi
  say "starting dockerd (log $log)"
  mkdir -p "$(dirname "$log")"
  # its own session, so it outlives this script and the CI step that ran it
  setsid nohup dockerd >"$log" 2>&1 </dev/null &
  local deadline=$((SECONDS + 60))
  until docker info >/dev/null 2>&1; do
    if (( SECONDS > deadline )); then
      tail -n 30 "$log" >&2 || true
      say "dockerd did not answer within 60 s; its log is above"
      exit 1
    fi
    sleep 1
  done
  say "engine started ($(docker info --format '{{.ServerVersion}}, storage {{.Driver}}'))"
}

compose_v2() {
  if docker compose version >/dev/null 2>&1; then
    say "compose present ($(docker compose version --short))"
    return
  fi
  is_root || { say "\`docker compose\` (v2) is missing; install Docker Compose v2 or run this as root"; exit 1; }
  # a private apt state listing only Debian 13 (trixie): the machine's own apt state is untouched
  local state="$work/apt-trixie" mirror
  mirror="$(debian_mirror)"
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/preferences.d" "$work/compose"
  echo "deb $mirror trixie main" >"$state/etc/sources.list"
  local opts=(-o "Dir::State=$state" -o "Dir::State::Status=/dev/null" -o "Dir::Cache=$state/cache"
    -o "Dir::Etc::SourceList=$state/etc/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::PreferencesParts=$state/etc/preferences.d" -o "APT::Get::List-Cleanup=false")
  say "fetching docker-compose (v2) from Debian trixie ($mirror)"
  apt-get "${opts[@]}" update -q
  (cd "$work/compose" && rm -f docker-compose_*.deb && apt-get "${opts[@]}" download docker-compose)
  rm -rf "$work/compose/root"
  dpkg-deb -x "$work"/compose/docker-compose_*.deb "$work/compose/root"
  mkdir -p /usr/local/lib/docker/cli-plugins
  install -m 0755 "$work/compose/root/usr/libexec/docker/cli-plugins/docker-compose" \
    /usr/local/lib/docker/cli-plugins/docker-compose
  say "compose installed ($(docker compose version --short))"
}

base() {
  if docker image inspect "$base_image" >/dev/null 2>&1; then
    say "base image $base_image present"
    return
  fi
  is_root || { say "base image $base_image is missing; making it needs root (debootstrap)"; exit 1; }
  if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
  fi
  local rootfs="$work/rootfs" mirror
  mirror="$(debian_mirror)"
  # a half-made root file system from an interrupted run is not reused
  umount_all "$rootfs"
  rm -rf "$rootfs"
  say "making $base_image: debootstrap bookworm from $mirror, then openjdk-17-jre-headless"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  mount -t proc proc "$rootfs/proc"
  mount --bind /dev "$rootfs/dev"
  mount --bind /sys "$rootfs/sys"
  trap 'umount_all "$rootfs"' EXIT
  chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends openjdk-17-jre-headless >"$work/jre.log" 2>&1 \
    || { tail -n 30 "$work/jre.log" >&2; exit 1; }
  chroot "$rootfs" apt-get clean
  local java_home
  java_home="$(dirname "$(dirname "$(chroot "$rootfs" readlink -f /usr/bin/java)")")"
  umount_all "$rootfs"
  trap - EXIT
  tar -C "$rootfs" -c . | docker import \
    --change "ENV JAVA_HOME=$java_home" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
  rm -rf "$rootfs"
  say "base image $base_image made (JAVA_HOME=$java_home)"
}

umount_all() {
  local rootfs="$1" m
  for m in proc dev sys; do
    if mountpoint -q "$rootfs/$m" 2>/dev/null; then
      umount -l "$rootfs/$m"
    fi
  done
}

timed engine
timed compose_v2
if $local_base; then
  mkdir -p "$work"
  timed base
fi

#!/usr/bin/env bash
# Glassbox set-up: install whatever Debian packages (and web/ npm packages)
# are missing, non-interactively. Quick (well under a second) when nothing is
# missing, so `make test`, `make qemu` and `make workbench` call it every time.
set -euo pipefail

cd "$(dirname "$0")/.."

# Debian 12 packages the project needs, by part:
#   build:      build-essential gcc-riscv64-unknown-elf pkg-config
#   run/debug:  qemu-system-misc qemu-utils (qemu-img: the daemon's qcow2 scratch disk)
#               gdb-multiarch e2fsprogs
#   tests:      libcmocka-dev python3 clang libclang-rt-14-dev (libFuzzer)
#   inspector:  libjansson-dev libwebsockets-dev libdw-dev libelf-dev
#   web:        chromium nodejs npm
PACKAGES=(
  build-essential gcc-riscv64-unknown-elf qemu-system-misc qemu-utils e2fsprogs
  gdb-multiarch libcmocka-dev libjansson-dev libwebsockets-dev libdw-dev
  libelf-dev pkg-config clang libclang-rt-14-dev chromium python3
  nodejs npm
)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# One dpkg-query call for the whole list: "name<TAB>status" per known package.
declare -A status=()
while IFS=$'\t' read -r name st; do
  status["$name"]=$st
done < <(dpkg-query -W -f='${Package}\t${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)

missing=()
for p in "${PACKAGES[@]}"; do
  [[ "${status[$p]:-}" == installed ]] && continue
  # A Node.js from another Debian repository (e.g. nodesource's nodejs, which
  # "Provides: npm" and conflicts with Debian's npm) is fine as it is.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm)    command -v npm  >/dev/null 2>&1 && continue ;;
  esac
  missing+=("$p")
done

if ((${#missing[@]} > 0)); then
  say "installing missing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    die "not root and no sudo: install these as root: apt-get install ${missing[*]}"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
  if ! "${SUDO[@]}" apt-get update -q; then
    die "'apt-get update' failed (is the Debian mirror reachable?). Missing: ${missing[*]}"
  fi
  if ! "${SUDO[@]}" apt-get install "${apt_opts[@]}" "${missing[@]}"; then
    die "'apt-get install ${missing[*]}' failed; see apt's message above"
  fi
  say "Debian packages installed"
fi

# Web dependencies, pinned by web/package-lock.json.
if [[ -f web/package-lock.json ]]; then
  if [[ ! -d web/node_modules || web/package-lock.json -nt web/node_modules ]]; then
    command -v npm >/dev/null 2>&1 || die "npm not found, needed for web/ (apt-get install npm)"
    say "installing web/ npm packages (npm ci)"
    if ! (cd web && npm ci --no-audit --no-fund --prefer-offline); then
      die "'npm ci' in web/ failed: the npm registry may be unreachable (offline?). \
Packages already in npm's cache are used first; retry when online, or run 'cd web && npm ci' by hand"
    fi
    touch web/node_modules
  fi
fi

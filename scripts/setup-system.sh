#!/usr/bin/env bash
# Installs the system packages pcndocs needs, with apt-get where the machine has it.
#   scripts/setup-system.sh run    what building documents needs (WeasyPrint's libraries, fonts)
#   scripts/setup-system.sh test   that, plus what the tests use to open outputs
#   scripts/setup-system.sh browser  Chromium, for the web interface's browser tests
set -euo pipefail

# Liberation Sans matches Arial's metrics (the Word documents' font); DejaVu draws the other
# scripts and symbols a profile may hold.
run_pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-liberation2
  fonts-dejavu-core)
test_pkgs=(poppler-utils libreoffice-writer-nogui)
# Playwright drives Debian's Chromium: its own browser download cannot reach its host here.
browser_pkgs=(chromium)

case "${1:-run}" in
  run) wanted=("${run_pkgs[@]}") ;;
  test) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
  browser) wanted=("${browser_pkgs[@]}") ;;
  *) echo "usage: $0 run|test|browser" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "pcndocs needs these system packages: ${missing[*]}" >&2
  echo "This machine has no apt-get: install the equivalents with its package manager." >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "pcndocs needs system packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"

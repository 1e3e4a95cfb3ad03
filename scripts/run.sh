#!/usr/bin/env bash
# Runs a command with the project's Node (24 LTS, fetched once by node24.sh) first on PATH, whatever node
# the shell has: every npm script and the c2prover bin go through here, so nobody has to source anything.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
PATH="$(bash "$here/node24.sh"):$PATH"
export PATH
exec "$@"

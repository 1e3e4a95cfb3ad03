# Sourced by the project's scripts: puts Node 24 first on PATH.
_c2_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATH="$(bash "$_c2_root/scripts/node24.sh"):$PATH"
export PATH

#!/usr/bin/env bash
# A throwaway PostgreSQL for the cluster tests, on loopback only, in a directory of the caller's.
#   postgres.sh install          install Debian's postgresql if no server binaries are found (root, apt-get)
#   postgres.sh bindir           print the directory of initdb/pg_ctl, or fail
#   postgres.sh start DIR PORT   initdb DIR if new, start the server on 127.0.0.1:PORT (trust auth, user c2)
#   postgres.sh restart DIR      stop (fast) and start again, same port
#   postgres.sh stop DIR         stop (fast)
# As root the server runs as the unprivileged user postgres (Debian's package makes it; else c2pg is made).
set -euo pipefail
# runuser, useradd and Debian's server tools live in sbin, which a plain shell's PATH may lack
PATH="$PATH:/usr/sbin:/sbin"

bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

as_user() {
  if [ "$(id -u)" != 0 ]; then
    "$@"
    return
  fi
  local user=postgres
  if ! id "$user" >/dev/null 2>&1; then
    user=c2pg
    id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  fi
  runuser -u "$user" -- "$@"
}

owner() {
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then echo postgres; else echo c2pg; fi
  fi
}

cmd=${1:-}
case "$cmd" in
  install)
    if bindir >/dev/null; then
      echo "postgres: server binaries in $(bindir)"
      exit 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      echo "postgres: no server binaries, and apt-get as root is not available to install them" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # the package's own cluster is not used: the tests start theirs
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    echo "postgres: installed, server binaries in $(bindir)"
    ;;
  bindir)
    bindir
    ;;
  start)
    dir=$2
    port=$3
    bin=$(bindir)
    mkdir -p "$dir"
    u=$(owner)
    if [ -n "$u" ]; then
      as_user true # makes the user if needed
      u=$(owner)
      chown "$u" "$dir"
      chmod 700 "$dir"
      # the server's user must reach its directory (a mkdtemp parent is 0700)
      chmod o+x "$(dirname "$dir")"
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_user "$bin/initdb" -D "$dir" -U c2 -A trust -N -E UTF8 >"$dir.initdb.log" 2>&1 || {
        cat "$dir.initdb.log" >&2
        exit 1
      }
    fi
    echo "$port" >"$dir.port"
    as_user "$bin/pg_ctl" -D "$dir" -w -t 60 -l "$dir/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=100" start >/dev/null
    echo "postgres://c2@127.0.0.1:$port/postgres"
    ;;
  restart)
    dir=$2
    bin=$(bindir)
    as_user "$bin/pg_ctl" -D "$dir" -w -t 60 -m fast stop >/dev/null
    exec "$0" start "$dir" "$(cat "$dir.port")"
    ;;
  stop)
    dir=$2
    bin=$(bindir)
    as_user "$bin/pg_ctl" -D "$dir" -w -t 60 -m fast stop >/dev/null || true
    ;;
  *)
    sed -n '2,9p' "$0" >&2
    exit 2
    ;;
esac

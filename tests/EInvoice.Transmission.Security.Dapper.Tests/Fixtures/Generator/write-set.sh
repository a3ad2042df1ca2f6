#!/usr/bin/env bash
# Writes one upgrade fixture set with the library code of an OLD commit checked out in a git worktree.
# Usage: write-set.sh <set> <commit> <canary tag> <worktree> <destination directory (must not exist)>
# Example: write-set.sh v0.1.0 e1ff3e7 0.1.0 /work/wt-fx-010 tests/EInvoice.Transmission.Security.Dapper.Tests/Fixtures/v0.1.0
# Needs the .NET 10 SDK and the PostgreSQL 15 server binaries (a throwaway cluster is started on 127.0.0.1 and deleted).
# Never point it at a newer commit to "refresh" a set: a set is evidence of what its own commit wrote.
set -euo pipefail

[[ $# -eq 5 ]] || { sed -n 2,5p "$0" >&2; exit 2; }
SET=$1 COMMIT=$2 TAG=$3 WORKTREE=$(cd "$4" && pwd) DEST=$5
[[ ! -e $DEST ]] || { echo "$DEST exists: fixture sets are never overwritten" >&2; exit 1; }
GENERATOR=$(cd "$(dirname "$0")" && pwd)
BIN=/usr/lib/postgresql/15/bin
[[ -x $BIN/initdb && -x $BIN/pg_dump ]] || { echo "PostgreSQL 15 server binaries are needed (apt-get install postgresql-15)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/eits-fixture.XXXXXX)
chmod 755 "$WORK"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
RUN_AS=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$WORK"
  RUN_AS=(runuser -u postgres --)
fi

stop() {
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop EXIT

"${RUN_AS[@]}" "$BIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK" start >/dev/null
ADMIN="Host=127.0.0.1;Port=$PORT;Username=postgres;Database=postgres"
"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE eits_fixture"

OUT=$WORK/out
mkdir "$OUT"
# Builds the generator against $WORKTREE/src (its bin/obj go to $WORKTREE/artifacts/fixture-generator).
dotnet build "$GENERATOR/FixtureGenerator.csproj" -p:EitsRoot="$WORKTREE" -v:q -nologo
run() { dotnet run --no-build --project "$GENERATOR/FixtureGenerator.csproj" -p:EitsRoot="$WORKTREE" -- "$@"; }

# 1. Write (SQLite file and the PostgreSQL database), read back, check; writes manifest.json and credentials.sqlite.
run write -set "$SET" -commit "$COMMIT" -tag "$TAG" -out "$OUT" -postgres "Host=127.0.0.1;Port=$PORT;Username=postgres;Database=eits_fixture"

# 2. Dump with PostgreSQL 15's pg_dump: INSERT statements, no owner or privileges, psql meta-commands
#    (\restrict, \unrestrict) removed so that Npgsql can execute the whole file as plain SQL.
"$BIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres --inserts --no-owner --no-privileges eits_fixture > "$WORK/raw.sql"
grep -v '^\\' "$WORK/raw.sql" > "$OUT/postgresql.sql"
if grep -q '^\\' "$OUT/postgresql.sql"; then echo "meta-commands left in postgresql.sql" >&2; exit 1; fi

# 3. Execute the dump with Npgsql into a new empty database and check it against the manifest (same commit's code).
run verify-dump -dump "$OUT/postgresql.sql" -manifest "$OUT/manifest.json" -postgres "$ADMIN"

# 4. The SQLite file stands alone.
for side in -wal -shm -journal; do [[ ! -e $OUT/credentials.sqlite$side ]] || { echo "credentials.sqlite$side left" >&2; exit 1; }; done

mkdir -p "$DEST"
cp "$OUT/credentials.sqlite" "$OUT/postgresql.sql" "$OUT/manifest.json" "$DEST/"
chmod 644 "$DEST"/*
echo "fixture set $SET (commit $COMMIT) written to $DEST"

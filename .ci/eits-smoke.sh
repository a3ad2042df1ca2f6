#!/usr/bin/env bash
# The packed operator's tool as a user gets it: installed from artifacts/packages into a temporary tool path, then run
# as a real process. Usage: source .ci/eits-smoke.sh; eits_install; eits_smoke --sqlite FILE; eits_smoke --postgres CS
# Every step checks its exit code; a failure stops .ci/run (set -e).

eits_install() {
  EITS_DIR=$(mktemp -d /tmp/eits-tool.XXXXXX)
  local version
  version=$(find artifacts/packages -maxdepth 1 -name 'EInvoice.Transmission.Security.Tool.*.nupkg' ! -name '*.snupkg' -printf '%f\n' \
    | sed -n 's/^EInvoice\.Transmission\.Security\.Tool\.\([0-9].*\)\.nupkg$/\1/p')
  # A package cache of its own: the global one may hold an older build of the same version.
  NUGET_PACKAGES="$EITS_DIR/nuget" dotnet tool install EInvoice.Transmission.Security.Tool --version "$version" \
    --tool-path "$EITS_DIR/bin" --add-source artifacts/packages >/dev/null
  EITS="$EITS_DIR/bin/eits"
  echo "eits $version installed in a temporary tool path"

  "$EITS" --help | grep -q "rewrap"
  echo "eits --help: ok"

  "$EITS" key new --id kek_ci --out "$EITS_DIR/kek_ci.key" | grep -q "Wrote key kek_ci"
  [[ "$(stat -c %a "$EITS_DIR/kek_ci.key")" == "600" ]] || { echo "eits key new --out: the key file is not owner-only" >&2; return 1; }
  [[ "$(base64 -d "$EITS_DIR/kek_ci.key" | wc -c)" == "32" ]] || { echo "eits key new --out: not 32 bytes" >&2; return 1; }
  "$EITS" key new --json 2>/dev/null | python3 -c 'import base64, json, sys; assert len(base64.b64decode(json.load(sys.stdin)["key"])) == 32'
  echo "eits key new (--out: owner-only, 32 bytes; --json): ok"
}

# Runs eits with the key made by eits_install as the whole key ring.
eits_run() {
  env EInvoiceTransmission__Vault__ActiveKeyId=kek_ci EInvoiceTransmission__Vault__Keys__kek_ci="$(cat "$EITS_DIR/kek_ci.key")" "$EITS" "$@"
}

# Expects an exit code: eits_expect CODE ARGS...
eits_expect() {
  local expected=$1 code=0
  shift
  eits_run "$@" >/dev/null 2>&1 || code=$?
  [[ "$code" == "$expected" ]] || { echo "eits $*: exit $code, expected $expected" >&2; return 1; }
}

eits_smoke() {
  local name=$1
  shift
  eits_run migrate --dry-run "$@" >/dev/null
  eits_run migrate "$@" | grep -q "migrations\|up to date"
  eits_run key check "$@" --json | python3 -c 'import json, sys; assert json.load(sys.stdin)["probe"] == "ok"'
  eits_run status "$@" --json | python3 -c 'import json, sys; json.load(sys.stdin)["companies"]'
  eits_run list --failing "$@" --json | python3 -c 'import json, sys; json.load(sys.stdin)["count"]'
  eits_run audit verify "$@" --json | python3 -c 'import json, sys; assert json.load(sys.stdin)["intact"]'
  eits_run rewrap "$@" --json 2>/dev/null | python3 -c 'import json, sys; assert json.load(sys.stdin)["completed"]'
  eits_expect 3 status EITS-NOBODY "$@"
  eits_expect 3 test EITS-NOBODY "$@"
  eits_expect 2 audit verify --expect-head 00 "$@"
  eits_expect 12 audit verify --expect-count 1000 "$@"
  echo "eits on $name (migrate, key check, status, list, audit verify, rewrap, test; exit codes 0, 2, 3, 12): ok"
}

eits_cleanup() {
  [[ -n "${EITS_DIR:-}" ]] && rm -rf "$EITS_DIR"
  return 0
}

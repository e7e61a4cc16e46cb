#!/usr/bin/env bash
# The boto3/AWS CLI service suite (tests/service) with `estado serve --store postgres://...`:
# a fresh database for the run, dropped at its end. Skips, saying so, when no PostgreSQL is
# reachable (ESTADO_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres).
#
# test_mocks.py is left out: it starts a second server with a mock configuration on the same
# store, and nodes sharing a store must share their configuration (the first server's step loop
# runs the second one's executions without its mocks).
#
#   ESTADO_BIN=target/debug/estado tests/multinode/service_tests_on_postgres.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
admin="${ESTADO_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! command -v psql >/dev/null 2>&1 || ! psql "$admin" -Atc "SELECT 1" >/dev/null 2>&1; then
    echo "SKIPPED service tests on PostgreSQL: PostgreSQL is not reachable at $admin (set ESTADO_TEST_POSTGRES to run them)"
    exit 0
fi
db="estado_service_$$"
psql "$admin" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $db"
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT
export ESTADO_STORE="${admin%/*}/$db"
scripts/service-tests -k "not test_mocks" "$@"

#!/bin/sh
# Creates both Temporal databases and brings their schemas to the version of the schema files at
# hand. Runs in temporalio/admin-tools before compose starts the server (service temporal-schema), and
# on the host under `npm run cluster`, which points SCHEMA_DIR and TEMPORAL_SQL_TOOL at the cached
# server build. Safe to repeat: only "already exists" is tolerated; any other error (a wrong password,
# an unreachable server) stops it here, not later in update-schema.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
PORT="${DB_PORT:-5432}"
SCHEMA_DIR="${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
SQL_TOOL="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"

# nc is in the admin-tools image; on a host the caller has already waited for PostgreSQL.
if command -v nc >/dev/null 2>&1; then
  until nc -z "$POSTGRES_SEEDS" "$PORT"; do
    echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$PORT"
    sleep 1
  done
fi

for db in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  name="${db%%:*}"
  schema="${db##*:}"
  tool="$SQL_TOOL --plugin postgres12 --ep $POSTGRES_SEEDS -p $PORT -u $POSTGRES_USER --db $name"
  echo "database $name: create if missing"
  if ! out=$($tool create 2>&1); then
    case "$out" in
      *"already exists"*) echo "database $name: already exists" ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  # Creates only the version tables (IF NOT EXISTS) and records 0.0 when no version is there yet.
  echo "database $name: version tables"
  $tool setup-schema -v 0.0
  echo "database $name: migrate to the schema version in $SCHEMA_DIR"
  $tool update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo "Temporal schemas are ready"

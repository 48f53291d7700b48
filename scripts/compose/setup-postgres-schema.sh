#!/bin/sh
# Runs once in temporalio/admin-tools before the Temporal server starts (docker-compose.yml,
# service temporal-schema): creates both Temporal databases and brings their schemas to the version
# the image ships. Every step is idempotent, so a restart of the stack repeats it harmlessly.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
PORT="${DB_PORT:-5432}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$PORT"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$PORT"
  sleep 1
done

for db in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  name="${db%%:*}"
  schema="${db##*:}"
  tool="temporal-sql-tool --plugin postgres12 --ep $POSTGRES_SEEDS -p $PORT -u $POSTGRES_USER --db $name"
  echo "database $name: create if missing"
  $tool create || true
  echo "database $name: base schema (skipped when present)"
  $tool setup-schema -v 0.0 || true
  echo "database $name: migrate to the image's schema version"
  $tool update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo "Temporal schemas are ready"

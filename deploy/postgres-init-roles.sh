#!/bin/sh
# Runs once, when an agency's PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
# Creates the database's owner role (migrations) and application role (the service), with the
# passwords from the Docker secrets mounted at /run/secrets, and lets nobody else create anything.
# Role names: <database>_owner and <database>_app (as the code provisions them with DATABASE_URL).
set -eu
db="$POSTGRES_DB"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$db" \
  -v db="$db" -v owner="${db}_owner" -v app="${db}_app" \
  -v owner_password="$(cat /run/secrets/db_owner_password)" \
  -v app_password="$(cat /run/secrets/db_app_password)" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL

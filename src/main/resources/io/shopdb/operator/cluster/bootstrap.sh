# Start of one PostgreSQL instance of a PostgresCluster. It is the container command of every pod
# (POSIX sh, run as the postgres user); the sandbox runs this same script on the local machine.
# Ordinal 0 is the primary: it runs initdb once. Every other ordinal is a streaming replica: it clones
# the primary with pg_basebackup once, then follows it. Everything it needs comes from the environment
# the pod spec sets: POD_NAME, PGDATA, PGPORT, SHOPDB_CONFIG_DIR, SHOPDB_RUN_DIR, SHOPDB_TLS_DIR, POSTGRES_PASSWORD,
# REPLICATION_USER, REPLICATION_PASSWORD, PRIMARY_HOST, PRIMARY_PORT.
set -eu
umask 077
ordinal="${POD_NAME##*-}"
mkdir -p "$SHOPDB_RUN_DIR"

# libpq password file for the replication user, rewritten at every start so a rotated Secret applies.
passfile="$SHOPDB_RUN_DIR/replication.pgpass"
printf '*:*:*:%s:%s\n' "$REPLICATION_USER" "$REPLICATION_PASSWORD" > "$passfile"
# TLS only (pg_hba rejects plain TCP). verify-ca: the cluster's CA signs only this cluster's servers, and
# the sandbox dials the primary by address, not by its DNS name.
primary="host=$PRIMARY_HOST port=$PRIMARY_PORT user=$REPLICATION_USER passfile=$passfile application_name=$POD_NAME"
primary="$primary sslmode=verify-ca sslrootcert=$SHOPDB_TLS_DIR/ca.crt"
# The server certificate (tls/ServerTlsSettings): on the command line, where the mount path is known; the
# files are re-read on every reload, so a renewed certificate needs no restart.
tls="-c ssl=on -c ssl_cert_file=$SHOPDB_TLS_DIR/tls.crt -c ssl_key_file=$SHOPDB_TLS_DIR/tls.key"
tls="$tls -c ssl_ca_file=$SHOPDB_TLS_DIR/ca.crt -c ssl_min_protocol_version=TLSv1.2"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ "$ordinal" = "0" ]; then
    echo "shopdb: initializing a new primary in $PGDATA"
    pwfile="$SHOPDB_RUN_DIR/superuser.pw"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C --data-checksums
    rm -f "$pwfile"
  else
    echo "shopdb: cloning the primary $PRIMARY_HOST into $PGDATA"
    # The primary may still be starting, or the replication role not created yet: retry until it works.
    until pg_basebackup -D "$PGDATA" -d "$primary" -X stream -c fast; do
      rm -rf "$PGDATA"
      sleep 2
    done
  fi
fi

if [ "$ordinal" = "0" ]; then
  rm -f "$PGDATA/standby.signal"
  # shellcheck disable=SC2086 # $tls is a list of options
  exec postgres -D "$PGDATA" -p "$PGPORT" -k "$SHOPDB_RUN_DIR" \
    -c config_file="$SHOPDB_CONFIG_DIR/postgresql.conf" -c hba_file="$SHOPDB_CONFIG_DIR/pg_hba.conf" $tls
else
  touch "$PGDATA/standby.signal"
  exec postgres -D "$PGDATA" -p "$PGPORT" -k "$SHOPDB_RUN_DIR" \
    -c config_file="$SHOPDB_CONFIG_DIR/postgresql.conf" -c hba_file="$SHOPDB_CONFIG_DIR/pg_hba.conf" \
    -c primary_conninfo="$primary" $tls
fi

# Start of one PostgreSQL instance of a PostgresCluster. It is the container command of every pod
# (POSIX sh, run as the postgres user); the sandbox runs this same script on the local machine.
# The operator declares which instance is the primary in the file "primary" of the mounted configuration
# (the ConfigMap <cluster>-config); the script follows it at every start:
#   - the declared primary runs initdb once (only while the cluster was never initialized) and starts as primary;
#   - every other instance is a streaming replica of the -rw Service (PRIMARY_HOST): it clones the primary
#     once; a data directory that was a primary before (no standby.signal) is first rewound with pg_rewind
#     onto the new primary's timeline, or cloned anew when rewinding fails. So a former primary never comes
#     back as a second primary.
# Everything else comes from the environment the pod spec sets: POD_NAME, PGDATA, PGPORT, SHOPDB_CONFIG_DIR,
# SHOPDB_RUN_DIR, SHOPDB_TLS_DIR, POSTGRES_PASSWORD, REPLICATION_USER, REPLICATION_PASSWORD, PRIMARY_HOST, PRIMARY_PORT;
# with spec.walArchive SHOPDB_WAL_HANDOFF (archive-wal.sh and the wal-archiver sidecar meet there); for a point-in-time
# recovery SHOPDB_RECOVERY_OPTIONS and SHOPDB_WAL_RESTORE (written by the init container "recover"); for a standby
# cluster SOURCE_HOST, SOURCE_PORT and SHOPDB_SOURCE_CA (the source's primary and the CA that signs it), and with the
# source's WAL archive SHOPDB_WAL_FETCH (restore-wal.sh and the wal-fetcher sidecar meet there).
# A standby cluster (the file "standby" of the configuration says true): the declared primary is a replica of the
# source's primary, cloned from it once and rewound onto it when it was a primary before (a demoted cluster); the
# other instances are replicas of the declared primary as usual. Nothing is writable until the operator promotes it.
set -eu
umask 077
mkdir -p "$SHOPDB_RUN_DIR"
if [ -n "${SHOPDB_WAL_HANDOFF:-}" ]; then
  mkdir -p "$SHOPDB_WAL_HANDOFF"
fi

# libpq password file, rewritten at every start so a rotated Secret applies: the replication user streams,
# the superuser is what pg_rewind needs on the source server. The WAL receiver reads it through PGPASSFILE.
passfile="$SHOPDB_RUN_DIR/replication.pgpass"
printf '*:*:*:%s:%s\n*:*:*:postgres:%s\n' "$REPLICATION_USER" "$REPLICATION_PASSWORD" "$POSTGRES_PASSWORD" > "$passfile"
export PGPASSFILE="$passfile"
# keepalives: a replica notices a vanished primary (a dead node) in seconds and reconnects to -rw, which
# then leads to the promoted instance.
primary="host=$PRIMARY_HOST port=$PRIMARY_PORT user=$REPLICATION_USER application_name=$POD_NAME connect_timeout=5 keepalives_idle=5 keepalives_interval=2 keepalives_count=3"
# TLS only (pg_hba rejects plain TCP). verify-ca: the cluster's CA signs only this cluster's servers, and
# the sandbox dials the primary by address, not by its DNS name.
tls_client="sslmode=verify-ca sslrootcert=$SHOPDB_TLS_DIR/ca.crt"
primary="$primary $tls_client"
superuser="host=$PRIMARY_HOST port=$PRIMARY_PORT user=postgres dbname=postgres connect_timeout=5 $tls_client"
# The server certificate (tls/ServerTlsSettings): on the command line, where the mount path is known; the
# files are re-read on every reload, so a renewed certificate needs no restart.
tls="-c ssl=on -c ssl_cert_file=$SHOPDB_TLS_DIR/tls.crt -c ssl_key_file=$SHOPDB_TLS_DIR/tls.key"
tls="$tls -c ssl_ca_file=$SHOPDB_TLS_DIR/ca.crt -c ssl_min_protocol_version=TLSv1.2"

declared() { cat "$SHOPDB_CONFIG_DIR/primary" 2>/dev/null || true; }
standby() { [ "$(cat "$SHOPDB_CONFIG_DIR/standby" 2>/dev/null || true)" = "true" ]; }
until [ -n "$(declared)" ]; do
  echo "shopdb: waiting for the operator to declare the primary ($SHOPDB_CONFIG_DIR/primary)"
  sleep 1
done

# In a standby cluster the declared primary follows the source cluster's primary instead of its own -rw Service.
upstream_name="the primary $(declared)"
if standby; then
  source_conn="host=$SOURCE_HOST port=$SOURCE_PORT sslmode=verify-ca sslrootcert=$SHOPDB_SOURCE_CA connect_timeout=5"
  source_superuser="$source_conn user=postgres dbname=postgres"
  source_name="the source cluster's primary $SOURCE_HOST"
  if [ "$(declared)" = "$POD_NAME" ]; then
    primary="$source_conn user=$REPLICATION_USER application_name=$POD_NAME keepalives_idle=5 keepalives_interval=2 keepalives_count=3"
    superuser="$source_superuser"
    upstream_name="$source_name"
  fi
fi

# Waits until a server answers (its superuser connection, then its name): out of recovery (the promoted primary), or
# in any state inside a standby cluster, where the source may be a standby itself (a demoted cluster during a planned
# move) and the declared primary is one.
wait_for() {
  want="f"
  if standby; then
    want="[tf]"
  fi
  until psql "$1" -XtAc 'SELECT pg_is_in_recovery()' 2>/dev/null | grep -qx "$want"; do
    echo "shopdb: waiting for $2"
    sleep 1
  done
}
wait_for_primary() { wait_for "$superuser" "$upstream_name"; }

clone() {
  echo "shopdb: cloning $upstream_name into $PGDATA"
  wait_for_primary
  until pg_basebackup -D "$PGDATA" -d "$primary" -X stream -c fast; do
    rm -rf "$PGDATA"
    sleep 2
  done
}

# A primary that fenced itself (guard.sh: its lease ran out, no replica followed it) does not come back as a primary
# on its own: the operator may have promoted another instance it cannot tell us about yet. It waits until the
# operator declares another primary (then it rewinds and follows it below), or someone who knows it is the only
# copy removes the marker (docs/reliability.md, "A fenced primary").
# A demoted cluster's primary (standby) rewinds onto the source below: the marker has no question left to answer.
if standby; then
  rm -f "$PGDATA/shopdb-fenced"
fi
if [ -f "$PGDATA/shopdb-fenced" ]; then
  while [ "$(declared)" = "$POD_NAME" ] && [ -f "$PGDATA/shopdb-fenced" ]; do
    echo "shopdb: this instance fenced itself as primary at $(cat "$PGDATA/shopdb-fenced"); waiting for the operator to declare a primary"
    sleep 2
  done
  if [ "$(declared)" != "$POD_NAME" ]; then
    rm -f "$PGDATA/shopdb-fenced"
  fi
fi

if [ "$(declared)" = "$POD_NAME" ] && ! standby; then
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ "$(cat "$SHOPDB_CONFIG_DIR/initialized" 2>/dev/null || true)" = "true" ]; then
      # an empty volume on an instance declared primary of a cluster that has data: never start an empty primary
      echo "shopdb: FATAL: $PGDATA is empty but the cluster was initialized; refusing initdb (the operator fails over)"
      exit 1
    fi
    echo "shopdb: initializing a new primary in $PGDATA"
    pwfile="$SHOPDB_RUN_DIR/superuser.pw"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C --data-checksums
    rm -f "$pwfile"
  fi
  rm -f "$PGDATA/standby.signal"
  # Point-in-time recovery: while recovery.signal is there, each line of the recovery options (restore_command,
  # recovery_target_*, recovery_target_action) becomes a -c option. They are never written into the data directory,
  # so replicas cloned later do not inherit them; once the server has promoted, the fetched WAL is removed.
  set --
  if [ -n "${SHOPDB_RECOVERY_OPTIONS:-}" ]; then
    if [ -f "$PGDATA/recovery.signal" ] && [ -f "$SHOPDB_RECOVERY_OPTIONS" ]; then
      echo "shopdb: point-in-time recovery with $(tr '\n' ' ' < "$SHOPDB_RECOVERY_OPTIONS")"
      while IFS= read -r line; do
        set -- "$@" -c "$line"
      done < "$SHOPDB_RECOVERY_OPTIONS"
    else
      rm -rf "$SHOPDB_WAL_RESTORE" "$SHOPDB_RECOVERY_OPTIONS"
    fi
  fi
  echo "shopdb: starting as the primary"
  # shellcheck disable=SC2086 # $tls is a list of options
  exec postgres -D "$PGDATA" -p "$PGPORT" -k "$SHOPDB_RUN_DIR" \
    -c config_file="$SHOPDB_CONFIG_DIR/postgresql.conf" -c hba_file="$SHOPDB_CONFIG_DIR/pg_hba.conf" \
    -c cluster_name="$POD_NAME" $tls "$@"
fi

# The last demotion of the cluster (ClusterObjects.REWIND_TOKEN_KEY): a data directory that has not been rewound since
# may hold WAL its new upstream never had (a replica of a cluster that went on alone while its region was cut off).
# No token (never demoted, or no longer a standby) asks for nothing.
token="$(cat "$SHOPDB_CONFIG_DIR/rewind-token" 2>/dev/null || true)"
rewound="$(cat "$PGDATA/shopdb-rewind-token" 2>/dev/null || true)"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  clone
elif [ ! -f "$PGDATA/standby.signal" ] || { [ -n "$token" ] && [ "$token" != "$rewound" ]; }; then
  # pg_rewind brings a target that stopped uncleanly to a clean state in single-user mode, which refuses standby.signal
  rm -f "$PGDATA/standby.signal"
  echo "shopdb: $PGDATA was a primary, or its cluster was demoted; rewinding it onto the timeline of $upstream_name"
  wait_for_primary
  rewind_from="$superuser"
  if standby && [ "$(declared)" != "$POD_NAME" ]; then
    # a demoted cluster's replica is rewound onto the source itself: the declared primary, a standby that has just
    # been rewound, may not have replayed a checkpoint of the source's new timeline yet, and from its control file
    # pg_rewind would judge diverged data to need no rewind
    rewind_from="$source_superuser"
    wait_for "$rewind_from" "$source_name"
  fi
  # PostgreSQL 15's pg_rewind reads the source's timeline from its last checkpoint: right after a promotion
  # that is still the old one ("no rewind required" on diverged data), so make the source checkpoint first.
  psql "$rewind_from" -XqAc 'CHECKPOINT'
  if ! pg_rewind -D "$PGDATA" --source-server="$rewind_from" --progress; then
    echo "shopdb: pg_rewind failed; cloning the primary anew"
    rm -rf "$PGDATA"
    clone
  fi
fi
touch "$PGDATA/standby.signal"
printf '%s' "$token" > "$PGDATA/shopdb-rewind-token"
# A standby's primary with the source's WAL archive (SHOPDB_WAL_FETCH, spec.standby.archive) also replays archived WAL:
# restore-wal.sh asks the wal-fetcher sidecar; PostgreSQL alternates between the archive and streaming.
set --
if standby && [ "$(declared)" = "$POD_NAME" ] && [ -n "${SHOPDB_WAL_FETCH:-}" ]; then
  mkdir -p "$SHOPDB_WAL_FETCH"
  # shellcheck disable=SC2016 # $SHOPDB_CONFIG_DIR is expanded by the shell that runs restore_command, as archive_command's
  set -- -c 'restore_command=sh "$SHOPDB_CONFIG_DIR/restore-wal.sh" "%f" "%p"'
  echo "shopdb: replaying the source's WAL archive too (wal-fetcher in $SHOPDB_WAL_FETCH)"
fi
echo "shopdb: starting as a replica of $upstream_name"
# shellcheck disable=SC2086 # $tls is a list of options
exec postgres -D "$PGDATA" -p "$PGPORT" -k "$SHOPDB_RUN_DIR" \
  -c config_file="$SHOPDB_CONFIG_DIR/postgresql.conf" -c hba_file="$SHOPDB_CONFIG_DIR/pg_hba.conf" \
  -c cluster_name="$POD_NAME" -c primary_conninfo="$primary" $tls "$@"

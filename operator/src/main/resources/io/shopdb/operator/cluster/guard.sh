# The primary guard: a sidecar of every instance of a cluster with replicas (POSIX sh in the instance image, as the
# postgres user, in the pod's shared process namespace; the sandbox runs this same script on the local machine).
# A primary that can no longer confirm it is still the one the operator means stops by itself, so a primary cut off
# from the operator (a partition, its kubelet unreachable too) cannot take writes beside the one the operator promotes.
#
# Four times a second:
#   - the age of the lease: the operator's probe rewrites the file shopdb-lease in the data directory (COPY ... TO,
#     twice a second) while it reaches the primary; its modification time is this machine's clock;
#   - its own server, over the local socket, within a second: a replica (in recovery) has nothing to guard; a
#     primary is also confirmed while a replica streams from it and replied within SHOPDB_REPLY_MS (while a replica
#     follows it, the operator promotes nobody: it waits until no replica receives WAL from the lost primary).
# A primary whose lease is older than SHOPDB_LEASE_MS and that no replica confirms is fenced. A server that does not
# answer (a hung postmaster) confirms nothing. A replica just promoted gets SHOPDB_LEASE_MS of grace: the operator
# renews the lease of the instance it promotes. Without a lease file the guard is not armed: the operator writes the
# first one when it first reaches a new cluster's primary, before it counts the cluster as initialized.
# Fencing: the marker shopdb-fenced goes into the data directory first (bootstrap.sh does not start a fenced primary
# as a primary again: it waits until the operator declares another primary, then rewinds and follows it), then the
# postmaster gets SIGKILL (it may be frozen; its backends end when they next wait, as on any postmaster death).
# The operator promotes another instance only after the lease it last renewed, and the last reply of a replica it
# saw streaming, have run out by more than this script needs to act (HighAvailability, docs/reliability.md).
#
# Environment: PGDATA, PGPORT, SHOPDB_RUN_DIR (the server's socket directory), SHOPDB_CONFIG_DIR (the lease in ms,
# file guard-lease-ms: 0 turns the guard off, as for a single instance), POSTGRES_PASSWORD; SHOPDB_REPLY_MS (2000).
set -u
reply_ms="${SHOPDB_REPLY_MS:-2000}"
export PGPASSWORD="$POSTGRES_PASSWORD"
export PGCONNECT_TIMEOUT=1
export PGOPTIONS="-c statement_timeout=1000"
conn="host=$SHOPDB_RUN_DIR port=$PGPORT user=postgres dbname=postgres application_name=shopdb-guard"
# Only the cluster's own instances confirm it (application_name <cluster>-<ordinal>; cluster_name is this pod's name): a
# standby cluster streaming from this primary (spec.standby of another cluster) is no replica the operator could promote.
query="SELECT pg_is_in_recovery(), (SELECT count(*) FROM pg_stat_replication
  WHERE state = 'streaming' AND reply_time > now() - make_interval(secs => $reply_ms / 1000.0)
    AND starts_with(application_name, regexp_replace(current_setting('cluster_name'), '-[0-9]+\$', '') || '-')
    AND substr(application_name, length(regexp_replace(current_setting('cluster_name'), '-[0-9]+\$', '')) + 2) ~ '^[0-9]+\$')"

now_ms() { date +%s%3N; }
# The lease's age in ms; 0 while there is no lease file: the operator has not reached this data directory yet (a new
# cluster's first primary, before it is initialized; no failover happens before then, so nothing to guard against).
lease_age_ms() {
  renewed=$(stat -c %.3Y "$PGDATA/shopdb-lease" 2>/dev/null | tr -d .)
  if [ -n "$renewed" ]; then echo $(( $(now_ms) - renewed )); else echo 0; fi
}
postmaster_running() {
  pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

fence() {
  pid=$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null || true)
  echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) shopdb-guard: FENCING the primary (postmaster $pid): lease not renewed by the operator for $(lease_age_ms) ms and no replica confirms it"
  date -u +%Y-%m-%dT%H:%M:%SZ > "$PGDATA/shopdb-fenced"
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

primary=false
grace_until=0
replicas_until=0
while sleep 0.25; do
  lease_ms=$(cat "$SHOPDB_CONFIG_DIR/guard-lease-ms" 2>/dev/null || echo 0)
  case "$lease_ms" in
    ''|*[!0-9]*|0) primary=false; sleep 2; continue ;;
  esac
  answer=$(timeout 1 psql "$conn" -XtAc "$query" 2>/dev/null || true)
  now=$(now_ms)
  case "$answer" in
    t\|*)
      primary=false; sleep 0.75 ;; # a replica: looked at once a second (a promotion is seen within it)
    f\|*)
      if [ "$primary" = false ]; then
        primary=true; grace_until=$(( now + lease_ms ))
      fi
      if [ "${answer#f|}" != 0 ]; then
        replicas_until=$now # confirmed by a replica at this tick only: the query already allows reply_ms
      fi ;;
    *)
      # no answer: a server not running (starting, stopped) is left alone; a running primary keeps its role
      if ! postmaster_running; then
        primary=false
      fi ;;
  esac
  if [ "$primary" = true ] && [ "$now" -gt "$grace_until" ] && [ "$replicas_until" != "$now" ] \
      && [ "$(lease_age_ms)" -gt "$lease_ms" ]; then
    fence
    primary=false
  fi
done

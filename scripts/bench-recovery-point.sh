#!/bin/sh
# Measured recovery point of WAL archiving: how long after a commit its WAL is in the archive (so a point-in-time
# recovery can reach it), on an idle and on a busy database. A throwaway PostgreSQL 15 archives through the
# cluster's archive-wal.sh to a running `agent wal-archiver` (gzip, directory target), as an instance pod does.
#   scripts/bench-recovery-point.sh [ARCHIVE_TIMEOUT_SECONDS=60] [IDLE_SAMPLES=3] [BUSY_SECONDS=60]
# Needs `mvn -DskipTests package` and /usr/lib/postgresql/15/bin; as root it runs the server as postgres.
set -eu
timeout_s=${1:-60}; idle_samples=${2:-3}; busy_s=${3:-60}
repo=$(cd "$(dirname "$0")/.." && pwd)
app="$repo/operator/target/quarkus-app"
jar="$app/quarkus-run.jar"
bin=/usr/lib/postgresql/15/bin
work=$(mktemp -d); chmod 755 "$work"
cp "$jar" "$work/agent.jar" 2>/dev/null || true; cp -r "$app/lib" "$app/app" "$app/quarkus" "$work/" 2>/dev/null || true
jar="$work/agent.jar"   # a copy: a rebuild while this runs does not pull the jar from under the JVM
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
port=$((20000 + $$ % 20000))
cleanup() { as_pg "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; kill "$sidecar" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/handoff" "$work/archive"
cp "$repo/operator/src/main/resources/io/shopdb/operator/cluster/archive-wal.sh" "$work/"
[ "$(id -u)" = 0 ] && chown postgres "$work" "$work/handoff"
as_pg "$bin/initdb" -D "$work/data" -A trust --no-sync >/dev/null
cat >> "$work/data/postgresql.auto.conf" <<CONF
archive_mode = on
archive_command = 'SHOPDB_WAL_HANDOFF=$work/handoff sh $work/archive-wal.sh %p %f'
archive_timeout = ${timeout_s}s
CONF
as_pg "$bin/pg_ctl" -D "$work/data" -o "-p $port -k $work" -l "$work/log" -w start >/dev/null
java -jar "$jar" agent wal-archiver --dir "$work/archive" --archive-prefix wal/bench --pgdata "$work/data" \
  --handoff-dir "$work/handoff" > "$work/sidecar.log" 2>&1 &
sidecar=$!
psql() { as_pg "$bin/psql" -h "$work" -p "$port" -XtAq -d postgres "$@"; }
psql -c "CREATE TABLE orders (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), payload text)"
as_pg "$bin/pgbench" -h "$work" -p "$port" -i -s 5 postgres >/dev/null 2>&1

# seconds from a commit until pg_stat_archiver reports its segment archived
sample() {
  seg=$(psql -c "INSERT INTO orders (payload) VALUES ('x') RETURNING pg_walfile_name(pg_current_wal_insert_lsn())")
  t0=$(date +%s.%N)
  until [ "$(psql -c "SELECT coalesce(last_archived_wal, '') >= '$seg' FROM pg_stat_archiver")" = t ]; do sleep 0.2; done
  echo "$(date +%s.%N) $t0" | awk '{ printf "%.1f", $1 - $2 }'
}
stats() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { printf "median %s s, max %s s (%d samples)", a[int((NR + 1) / 2)], a[NR], NR }'; }

sleep "$timeout_s"   # let the initial load's WAL be archived
idle=""
i=0
while [ "$i" -lt "$idle_samples" ]; do idle="$idle $(sample)"; i=$((i + 1)); done
echo "idle (archive_timeout ${timeout_s}s): $(echo $idle | stats):$idle"

# the load outlasts the sampling by archive_timeout, so every sample's WAL is closed by traffic, not by the timeout
as_pg "$bin/pgbench" -h "$work" -p "$port" -c 4 -T "$((busy_s + timeout_s))" postgres > "$work/pgbench.log" 2>&1 &
load=$!
busy=""
end=$(( $(date +%s) + busy_s ))
while [ "$(date +%s)" -lt "$end" ]; do busy="$busy $(sample)"; sleep 1; done
wait "$load" || true
tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench.log" | head -1)
echo "busy (pgbench -c 4, $tps; $(psql -c "SELECT archived_count || ' files archived, ' || failed_count || ' failures' FROM pg_stat_archiver")): $(echo $busy | stats)"

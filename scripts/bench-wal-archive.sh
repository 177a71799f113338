#!/bin/sh
# WAL archiving throughput: archive_command run once per segment, one after the other, as PostgreSQL runs it.
#   scripts/bench-wal-archive.sh SEGMENTS_DIR [RUNS]
# SEGMENTS_DIR holds real 16 MiB WAL segments (e.g. copied from pg_wal after pgbench). Methods:
#   cp            cp %p archive/%f                              (no compression, no checksum)
#   gzip-1        gzip -1 -c %p > archive/%f.gz                 (what the agent's default compression costs)
#   sha+gzip-1    sha256sum %p; gzip -1 -c %p > archive/%f.gz   (the same work as the agent, in C tools)
#   agent-jvm     java -jar quarkus-run.jar agent archive-wal   (a JVM start per segment)
#   sidecar       archive-wal.sh handing off to a running `agent wal-archiver` (the cluster's way), each segment
#                 marked ready just before PostgreSQL asks for it (a server that fills one segment at a time)
#   sidecar-burst the same with every segment ready at once (a backlog: the sidecar ships 4 in parallel, ahead)
# Prints segments per second, the median of RUNS runs (default 3). Needs `mvn -DskipTests package` first.
set -eu
segs=$(cd "$1" && pwd)
runs=${2:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
jar="$repo/operator/target/quarkus-app/quarkus-run.jar"
script="$repo/operator/src/main/resources/io/shopdb/operator/cluster/archive-wal.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=$(ls "$segs" | wc -l)

now() { date +%s.%N; }
rate() { echo "$n $1 $2" | awk '{ printf "%.1f", $1 / ($3 - $2) }'; }
median() { tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

run_method() {
  method=$1
  run="$work/run-$method-$(date +%s%N)"
  out="$run/archive"
  mkdir -p "$out"
  if [ "$method" = sidecar ] || [ "$method" = sidecar-burst ]; then
    mkdir -p "$run/pgdata/pg_wal/archive_status" "$run/handoff"
    for f in $(ls "$segs"); do cp "$segs/$f" "$run/pgdata/pg_wal/$f"; done
    java -jar "$jar" agent wal-archiver --dir "$out" --archive-prefix wal/bench --pgdata "$run/pgdata" \
      --handoff-dir "$run/handoff" > "$work/sidecar.log" 2>&1 &
    sidecar=$!
    until [ -d "$run/handoff/ok" ]; do sleep 0.1; done   # the sidecar runs before PostgreSQL asks (a pod's steady state)
  fi
  start=$(now)
  if [ "$method" = sidecar-burst ]; then
    for f in $(ls "$segs"); do : > "$run/pgdata/pg_wal/archive_status/$f.ready"; done
  fi
  for f in $(ls "$segs"); do
    p="$segs/$f"
    case "$method" in
      cp) cp "$p" "$out/$f" ;;
      gzip-1) gzip -1 -c "$p" > "$out/$f.gz" ;;
      sha+gzip-1) sha256sum "$p" > /dev/null; gzip -1 -c "$p" > "$out/$f.gz" ;;
      agent-jvm) java -jar "$jar" agent archive-wal --dir "$out" --archive-prefix wal/bench --wal-path "$p" --wal-file "$f" > /dev/null ;;
      sidecar|sidecar-burst)
        [ -f "$run/pgdata/pg_wal/archive_status/$f.ready" ] || : > "$run/pgdata/pg_wal/archive_status/$f.ready"   # ready...
        SHOPDB_WAL_HANDOFF="$run/handoff" sh "$script" "$run/pgdata/pg_wal/$f" "$f"   # ...then runs archive_command
        mv "$run/pgdata/pg_wal/archive_status/$f.ready" "$run/pgdata/pg_wal/archive_status/$f.done" ;;
    esac
  done
  end=$(now)
  if [ "$method" = sidecar ] || [ "$method" = sidecar-burst ]; then kill "$sidecar"; wait "$sidecar" 2>/dev/null || true; fi
  rm -rf "$run"
  rate "$start" "$end"
}

echo "segments: $n x 16 MiB from $segs; sequential archive_command; median of $runs runs"
for method in ${METHODS:-cp gzip-1 sha+gzip-1 agent-jvm sidecar sidecar-burst}; do
  results=""
  i=0
  while [ "$i" -lt "$runs" ]; do
    results="$results $(run_method "$method")"
    i=$((i + 1))
  done
  printf '%-11s %6s segments/s   (runs:%s)\n' "$method" "$(echo $results | median)" "$results"
done

# archive_command of an instance whose cluster has spec.walArchive: archive-wal.sh %p %f (POSIX sh, postgres user).
# The instance image has no agent; the wal-archiver sidecar (agent wal-archiver) ships every file PostgreSQL marks
# ready in pg_wal/archive_status and answers in $SHOPDB_WAL_HANDOFF/ok/<f> (in the archive, with its SHA-256) or
# $SHOPDB_WAL_HANDOFF/error/<f> (why not). This script only waits for that answer, so it succeeds only once the
# file is archived and PostgreSQL never recycles a segment that is not; a JVM start per segment is avoided.
set -u
f="$2"
h="$SHOPDB_WAL_HANDOFF"
mkdir -p "$h/request" 2>/dev/null
: > "$h/request/$f"
i=0
while [ "$i" -lt 1200 ]; do
  if [ -f "$h/ok/$f" ]; then
    rm -f "$h/ok/$f" "$h/request/$f"
    exit 0
  fi
  if [ -f "$h/error/$f" ]; then
    cat "$h/error/$f" >&2
    rm -f "$h/error/$f" "$h/request/$f"
    exit 1
  fi
  sleep 0.05
  i=$((i + 1))
done
rm -f "$h/request/$f"
echo "shopdb: the wal-archiver sidecar did not archive $f within 60 s" >&2
exit 1

# restore_command of a standby cluster's primary with spec.standby.archive: restore-wal.sh %f %p (POSIX sh, postgres
# user). The instance image has no agent; the wal-fetcher sidecar (agent wal-fetcher) reads the source's WAL archive:
# this script asks for %f by creating $SHOPDB_WAL_FETCH/fetch/<f> and waits for the answer, fetched/<f> (checked
# against its SHA-256) or missing/<f>. Missing is a normal answer (not archived yet): PostgreSQL then streams from the
# source if it can, and asks again a few seconds later.
set -u
f="$1"
p="$2"
h="$SHOPDB_WAL_FETCH"
[ -d "$h/fetch" ] || exit 1
rm -f "$h/missing/$f" # an answer left by an earlier request must not answer this one
: > "$h/fetch/$f" || exit 1
i=0
while [ "$i" -lt 600 ]; do
  if [ -f "$h/fetched/$f" ]; then
    rm -f "$h/fetch/$f"
    mv "$h/fetched/$f" "$p"
    exit $?
  fi
  if [ -f "$h/missing/$f" ]; then
    rm -f "$h/fetch/$f" # the request first: the sidecar must not see it unanswered and answer again
    rm -f "$h/missing/$f"
    exit 1
  fi
  sleep 0.05
  i=$((i + 1))
done
rm -f "$h/fetch/$f"
echo "shopdb: the wal-fetcher sidecar did not answer for $f within 30 s" >&2
exit 1

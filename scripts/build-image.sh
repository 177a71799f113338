#!/usr/bin/env bash
# Builds the operator image without a Docker daemon, from Debian's own archive:
#   mmdebstrap assembles a Debian bookworm root filesystem (JRE + PostgreSQL client tools, user 185),
#   the Quarkus application goes to /deployments (the layout of operator/src/main/docker/Dockerfile.jvm),
#   buildah commits it as an OCI image (an archive under target/image, and a local image for podman/skopeo).
# Debian's archive carries PostgreSQL 15 only; the release image (Dockerfile.jvm) adds 16-18 from the
# PostgreSQL project's repository. Needs root and the Debian packages mmdebstrap and buildah.
#
#   mvn -DskipTests package && scripts/build-image.sh [TAG]      then: scripts/check-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' helm/shopdb-operator/Chart.yaml)
tag=${1:-shopdb-operator:$version}
out=target/image
app=operator/target/quarkus-app   # the operator module: no sandbox library in the image
[ -f "$app/quarkus-run.jar" ] || { echo "build first: mvn -DskipTests package" >&2; exit 1; }
for tool in mmdebstrap buildah; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y mmdebstrap buildah" >&2; exit 1; }
done
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$out"

echo "image: root filesystem (mmdebstrap, bookworm)"
mmdebstrap --variant=minbase --quiet \
  --include=ca-certificates,openjdk-17-jre-headless,postgresql-client-15,pgbouncer \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook='chroot "$1" groupadd --system --gid 185 shopdb' \
  --customize-hook='chroot "$1" useradd --system --uid 185 --gid 185 --home-dir /deployments --shell /usr/sbin/nologin shopdb' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$out/rootfs.tar" "deb $mirror bookworm main" "deb $mirror bookworm-updates main"

echo "image: OCI image (buildah)"
export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
ctr=$(buildah from scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah add --quiet "$ctr" "$out/rootfs.tar" /
for part in lib app quarkus; do
  buildah copy --quiet --chown 185:185 "$ctr" "$app/$part" "/deployments/$part"
done
buildah copy --quiet --chown 185:185 "$ctr" "$app/quarkus-run.jar" /deployments/quarkus-run.jar
buildah config \
  --user 185 --workingdir /deployments --port 8080 \
  --env LANG=C.UTF-8 --env 'JAVA_OPTS_APPEND=-XX:MaxRAMPercentage=70 -Djava.io.tmpdir=/tmp' \
  --entrypoint '["sh", "-c", "exec java $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar \"$@\"", "--"]' \
  --label org.opencontainers.image.title=shopdb-operator \
  --label "org.opencontainers.image.version=$version" \
  "$ctr"
rm -f "$out/shopdb-operator.oci.tar"
buildah commit --quiet "$ctr" "oci-archive:$out/shopdb-operator.oci.tar:$tag" >/dev/null
buildah commit --quiet "$ctr" "$tag" >/dev/null
rm -f "$out/rootfs.tar"
echo "image: $tag -> $out/shopdb-operator.oci.tar ($(du -m "$out/shopdb-operator.oci.tar" | cut -f1) MiB archive)"

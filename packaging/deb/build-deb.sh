#!/usr/bin/env bash
# Builds agentim_<version>_amd64.deb from the published binary with dpkg-deb (no debhelper needed).
#   packaging/deb/build-deb.sh <version> <path to agentim binary> <output folder>
set -euo pipefail

version=$1
binary=$2
out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

install -d -m 0755 "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" \
    "$stage/usr/share/doc/agentim" "$stage/usr/share/agentim" "$stage/usr/share/man/man1" "$stage/usr/share/lintian/overrides"
install -m 0755 "$binary" "$stage/usr/bin/agentim"
install -m 0644 "$root/packaging/systemd/agentim.service" "$stage/lib/systemd/system/agentim.service"
install -m 0644 "$here/agentim.env.template" "$stage/usr/share/agentim/agentim.env.template"
install -m 0644 "$root/packaging/nginx/agentim.conf" "$stage/usr/share/doc/agentim/nginx-agentim.conf"
install -m 0644 "$here/copyright" "$stage/usr/share/doc/agentim/copyright"
gzip -9n < "$here/agentim.1" > "$stage/usr/share/man/man1/agentim.1.gz"
chmod 0644 "$stage/usr/share/man/man1/agentim.1.gz"
install -m 0644 "$here/agentim.lintian-overrides" "$stage/usr/share/lintian/overrides/agentim"
gzip -9n < "$root/README.md" > "$stage/usr/share/doc/agentim/README.md.gz"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")/" "$here/changelog.in" \
    | gzip -9n > "$stage/usr/share/doc/agentim/changelog.gz"

for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed "s/@VERSION@/$version/; s/@SIZE@/$size/" "$here/control.in" > "$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/agentim_${version}_amd64.deb" >/dev/null
echo "$out/agentim_${version}_amd64.deb"

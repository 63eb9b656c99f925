#!/usr/bin/env bash
# Re-fetch the map's browser assets from the npm registry at their pinned versions (see README.md here).
# Run by hand when a version changes; nothing runs it at install or test time.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

unpack() {  # unpack NAME@VERSION into $tmp/NAME
  local spec="$1" name="${1%@*}"
  mkdir -p "$tmp/$name"
  (cd "$tmp/$name" && npm pack "$spec" --silent >/dev/null && tar xzf ./*.tgz)
}

unpack leaflet@1.9.3
rm -rf "$here/leaflet" && mkdir -p "$here/leaflet/images"
cp "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" "$here/leaflet/"
cp "$tmp/leaflet/package/dist/images/"*.png "$here/leaflet/images/"
cp "$tmp/leaflet/package/LICENSE" "$here/leaflet/LICENSE"

unpack leaflet.markercluster@1.1.0
rm -rf "$here/leaflet.markercluster" && mkdir -p "$here/leaflet.markercluster"
cp "$tmp/leaflet.markercluster/package/dist/leaflet.markercluster.js" \
  "$tmp/leaflet.markercluster/package/dist/MarkerCluster.css" \
  "$tmp/leaflet.markercluster/package/dist/MarkerCluster.Default.css" \
  "$tmp/leaflet.markercluster/package/MIT-LICENCE.txt" "$here/leaflet.markercluster/"

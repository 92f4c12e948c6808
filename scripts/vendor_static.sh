#!/usr/bin/env bash
# Copies the browser libraries installed by `npm ci` into gis_portal/static/vendor/, so the portal
# serves every script and stylesheet itself (no CDN; the map must work offline).
# Only the dist files the map page loads are copied; versions are pinned by package-lock.json.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/node_modules"
DEST="$ROOT/gis_portal/static/vendor"

if [ ! -d "$SRC/leaflet" ]; then
  echo "node_modules is missing: run 'npm ci' in $ROOT first" >&2
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$DEST/leaflet" "$DEST/leaflet.vectorgrid"

# Leaflet: the minified build, its stylesheet and the marker/layer images the stylesheet uses.
cp "$SRC/leaflet/dist/leaflet.js" "$SRC/leaflet/dist/leaflet.js.map" "$SRC/leaflet/dist/leaflet.css" \
   "$SRC/leaflet/LICENSE" "$DEST/leaflet/"
cp -r "$SRC/leaflet/dist/images" "$DEST/leaflet/images"

# VectorGrid: the "bundled" build, which includes its pbf and vector-tile decoders. The package
# ships no licence file (package.json says Beerware): its README carries the notice.
cp "$SRC/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js" \
   "$SRC/leaflet.vectorgrid/README.md" "$DEST/leaflet.vectorgrid/"

echo "vendored: $(cd "$DEST" && find . -type f | sort | tr '\n' ' ')"

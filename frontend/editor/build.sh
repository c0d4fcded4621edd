#!/bin/sh
# Rebuild the vendored editor (static/vendor/editor/) from the locked npm packages:
#   cd frontend/editor && ./build.sh
# CodeMirror 5 rather than 6: its core, SPARQL mode and hints minify to ~190 KB where the
# CodeMirror 6 equivalent is ~330 KB, and the whole query page must stay under 300 KB.
set -eu
cd "$(dirname "$0")"
OUT=../../src/kg/web/static/vendor/editor
npm ci --no-audit --no-fund
mkdir -p "$OUT"
npx esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
  --outfile="$OUT/codemirror.min.js"
cat node_modules/codemirror/lib/codemirror.css node_modules/codemirror/addon/hint/show-hint.css \
  > node_modules/.editor.css
npx esbuild node_modules/.editor.css --minify --outfile="$OUT/codemirror.min.css"
cp node_modules/codemirror/LICENSE "$OUT/LICENSE-codemirror"
version=$(node -p 'require("codemirror/package.json").version')
printf 'CodeMirror %s (MIT, LICENSE-codemirror): lib, mode/sparql, addon/hint/show-hint,\nbundled and minified by frontend/editor/build.sh with esbuild.\n' "$version" > "$OUT/README"
ls -l "$OUT"

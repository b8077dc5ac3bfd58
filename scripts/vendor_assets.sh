#!/usr/bin/env bash
# Refresh the vendored front-end assets under daodi/web/static/vendor/.
#
# The platform serves its CSS/JS itself (no CDN at run time, no Node build): this script
# fetches the released packages from the npm registry with `npm pack`, copies the minified
# files out with the version in their names, and removes the previous versions. Commit the
# result. Change a version here, run `make vendor`, and update the templates that name it.
set -euo pipefail

BOOTSTRAP_VERSION=5.3.8
HTMX_VERSION=2.0.11
ECHARTS_VERSION=5.6.0
# The camera QR reader: the BarcodeDetector API (native where the browser has it, else
# zxing-cpp compiled to WebAssembly); zxing-wasm is the version barcode-detector depends on.
BARCODE_DETECTOR_VERSION=3.2.2
ZXING_WASM_VERSION=3.1.3

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/daodi/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Download and unpack one package; prints the directory holding its files.
fetch() {
  local spec="$1" dir="$WORK/$2"
  mkdir -p "$dir"
  (cd "$WORK" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$WORK"/"$2"-*.tgz -C "$dir" --strip-components=1
  echo "$dir"
}

mkdir -p "$DEST"
rm -f "$DEST"/bootstrap-*.min.* "$DEST"/htmx-*.min.js "$DEST"/echarts-*.min.js \
  "$DEST"/barcode-detector-*.js "$DEST"/zxing_reader-*.wasm

bs="$(fetch "bootstrap@$BOOTSTRAP_VERSION" bootstrap)"
cp "$bs/dist/css/bootstrap.min.css" "$DEST/bootstrap-$BOOTSTRAP_VERSION.min.css"
cp "$bs/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap-$BOOTSTRAP_VERSION.bundle.min.js"
# The minified files end with a source-map comment; the maps are not vendored, so drop it
# (browsers would otherwise request a file that does not exist).
sed -i '/^\/\*# sourceMappingURL=.*\*\/$/d; /^\/\/# sourceMappingURL=/d' \
  "$DEST/bootstrap-$BOOTSTRAP_VERSION.min.css" "$DEST/bootstrap-$BOOTSTRAP_VERSION.bundle.min.js"

hx="$(fetch "htmx.org@$HTMX_VERSION" htmx.org)"
cp "$hx/dist/htmx.min.js" "$DEST/htmx-$HTMX_VERSION.min.js"

ec="$(fetch "echarts@$ECHARTS_VERSION" echarts)"
cp "$ec/dist/echarts.min.js" "$DEST/echarts-$ECHARTS_VERSION.min.js"

bd="$(fetch "barcode-detector@$BARCODE_DETECTOR_VERSION" barcode-detector)"
cp "$bd/dist/iife/ponyfill.js" "$DEST/barcode-detector-$BARCODE_DETECTOR_VERSION.ponyfill.min.js"
zx="$(fetch "zxing-wasm@$ZXING_WASM_VERSION" zxing-wasm)"
cp "$zx/dist/reader/zxing_reader.wasm" "$DEST/zxing_reader-$ZXING_WASM_VERSION.wasm"

# Licences travel with the files.
cp "$bs/LICENSE" "$DEST/LICENSE-bootstrap.txt"
cp "$hx/LICENSE" "$DEST/LICENSE-htmx.txt"
cp "$ec/LICENSE" "$DEST/LICENSE-echarts.txt"
cp "$bd/LICENSE" "$DEST/LICENSE-barcode-detector.txt"
cp "$zx/LICENSE" "$DEST/LICENSE-zxing-wasm.txt"

ls -l "$DEST"

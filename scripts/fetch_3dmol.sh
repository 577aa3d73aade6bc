#!/usr/bin/env bash
# Fetch 3Dmol.js for the structure viewer from the npm registry and put it where Streamlit serves it.
#   - version and tarball integrity are pinned in assets/package.json + assets/package-lock.json
#     (`npm ci` refuses a tarball whose sha512 differs from the lockfile);
#   - the built file is checked once more against the sha256 below before it is used;
#   - static/vendor/ and assets/node_modules/ are git-ignored; run again any time (no network is
#     needed when the file is already in place, or when npm's cache holds the tarball).
# The dashboard then loads it from /app/static/vendor/3Dmol-min.js (no CDN at run time).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="2.5.5"
SHA256="f7cc78921ae72e7623e89cdd111434f58c2efddd2ffda1cd212644b406fb8016"
TARGET="static/vendor/3Dmol-min.js"
BUILT="assets/node_modules/3dmol/build/3Dmol-min.js"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$TARGET" ] && [ "$(sha_of "$TARGET")" = "$SHA256" ]; then
  echo "3Dmol.js $VERSION already in $TARGET (sha256 verified)"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "!! npm is not installed: install Node.js/npm (e.g. 'apt-get install -y npm'), then run: bash scripts/fetch_3dmol.sh" >&2
  exit 1
fi

npm ci --prefix assets --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error

if [ ! -f "$BUILT" ]; then
  echo "!! npm ci did not produce $BUILT" >&2
  exit 1
fi
got="$(sha_of "$BUILT")"
if [ "$got" != "$SHA256" ]; then
  echo "!! $BUILT has sha256 $got, expected $SHA256 (3dmol@$VERSION): refusing to use it" >&2
  exit 1
fi
mkdir -p "$(dirname "$TARGET")"
cp "$BUILT" "$TARGET.tmp"
cp "assets/node_modules/3dmol/build/3Dmol-min.js.LICENSE.txt" "static/vendor/3Dmol-min.js.LICENSE.txt" 2>/dev/null || true
mv "$TARGET.tmp" "$TARGET"
echo "3Dmol.js $VERSION installed in $TARGET (sha256 verified)"

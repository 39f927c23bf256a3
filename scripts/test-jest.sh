#!/usr/bin/env bash
# `npm run test:jest`: the relay suite under Jest at its `ci` profile, then the end-to-end tests that
# run Jest on fixture projects with each transform. Both use the built package, linked as the
# suites' node_modules/loadspec (the worker bundles resolve `loadspec/jest` from there, as installed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
npm run build >/dev/null
for dir in perf/jest test/fixtures/jest; do
  mkdir -p "$dir/node_modules"
  [ -e "$dir/node_modules/loadspec" ] || ln -s "$root" "$dir/node_modules/loadspec"
done
echo "relay suite under jest $(node -p "require('jest/package.json').version")"
node node_modules/jest/bin/jest.js --config perf/jest/jest.config.cjs --ci --detectOpenHandles
vitest run --config vitest.jest.config.ts "$@"

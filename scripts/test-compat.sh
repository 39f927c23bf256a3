#!/usr/bin/env bash
# Runs the test suite on Vitest 4 (the suite itself runs on Vitest 5): a copy of the project with
# vitest@4 installed in place of 5, so nothing in this checkout changes. Then the Jest suites
# (`npm run test:jest`: the relay suite and the Jest end-to-end tests) on Jest 29, from a fixture
# project with Jest 29 and its transforms installed, on the Node the scripts run on, and on Node 22.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.git --exclude='*/node_modules' -cf - . | tar -C "$dir" -xf -
cd "$dir"
npm ci --no-audit --no-fund --prefer-offline >/dev/null
npm install --no-save --no-audit --no-fund --prefer-offline vitest@4 >/dev/null
echo "running on vitest $(node -p "require('./node_modules/vitest/package.json').version")"
# Our sources are type-checked on Vitest 5 by npm test; here the packed package's Vitest 4 matcher
# types are checked by test/e2e/pack.test.ts in a fresh Vitest 4 project.
# LOADSPEC_COMPAT_JEST_ONLY=1 skips this part (to check the Jest part alone).
if [ "${LOADSPEC_COMPAT_JEST_ONLY:-}" != 1 ]; then LOADSPEC_COMPAT_VITEST=4 npx vitest run "$@"; fi

# Jest 29: its own project (the fixtures and the packages that must match its major).
npm run build >/dev/null
jest29="$dir/jest29"
mkdir -p "$jest29"
cp -R test/fixtures/jest/. "$jest29/"
echo '{ "name": "jest29-fixtures", "private": true, "type": "module" }' > "$jest29/package.json"
(cd "$jest29" && npm install --no-audit --no-fund --prefer-offline jest@29 @jest/globals@29 babel-jest@29 ts-jest@29 @swc/jest @swc/core \
  @babel/core@7 @babel/preset-typescript@7 @babel/plugin-transform-modules-commonjs@7 node@22 >/dev/null)
for d in "$jest29" perf/jest; do mkdir -p "$d/node_modules"; [ -e "$d/node_modules/loadspec" ] || ln -s "$dir" "$d/node_modules/loadspec"; done
# A fresh project with Jest 29 and the packed package: the matcher types both ways, a suite through the require entries.
LOADSPEC_COMPAT_JEST=29 npx vitest run --config vitest.jest.config.ts test/e2e/jest-pack.test.ts
for node in "$(command -v node)" "$jest29/node_modules/.bin/node"; do
  echo "relay suite and Jest end-to-end tests on jest $(node -p "require('$jest29/node_modules/jest/package.json').version"), node $("$node" --version)"
  LOADSPEC_JEST_PROJECT="$jest29" "$node" "$jest29/node_modules/jest/bin/jest.js" --config perf/jest/jest.config.cjs --ci --detectOpenHandles
  # The end-to-end test starts Jest with the Node that runs it.
  LOADSPEC_JEST_PROJECT="$jest29" "$node" node_modules/vitest/vitest.mjs run --config vitest.jest.config.ts test/e2e/jest-plugin.test.ts
done

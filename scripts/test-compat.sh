#!/usr/bin/env bash
# Runs the test suite on Vitest 4 (the suite itself runs on Vitest 5): a copy of the project with
# vitest@4 installed in place of 5, so nothing in this checkout changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.git -cf - . | tar -C "$dir" -xf -
cd "$dir"
npm ci --no-audit --no-fund --prefer-offline >/dev/null
npm install --no-save --no-audit --no-fund --prefer-offline vitest@4 >/dev/null
echo "running on vitest $(node -p "require('./node_modules/vitest/package.json').version")"
# Our sources are type-checked on Vitest 5 by npm test; here the packed package's Vitest 4 matcher
# types are checked by test/e2e/pack.test.ts in a fresh Vitest 4 project.
LOADSPEC_COMPAT_VITEST=4 npx vitest run "$@"

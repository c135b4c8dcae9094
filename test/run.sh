#!/usr/bin/env bash
# The whole test suite, as `npm test` and CI run it: install what is missing, type-check, build the shipped
# JavaScript (dist/), every test on the machine's Node, then the unit suite again on Node.js 24, the deploy runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
bash emulators/install.sh
npx tsc -p tsconfig.json
npx tsc -p tsconfig.build.json
node --import tsx --test --test-concurrency=1 $(find test -name "*.test.ts" -not -path "*/fixtures/*" | sort)
echo "unit suite on $(.cache/node24/bin/node --version), the nodejs24 runtime:"
.cache/node24/bin/node --import tsx --test --test-reporter=tap $(find test/unit -name "*.test.ts" | sort)

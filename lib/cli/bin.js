#!/usr/bin/env node
// `landfall` from the TypeScript sources, for development and the tests: tsx compiles on the fly. The shipped command
// is the compiled dist/lib/cli/landfall.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);

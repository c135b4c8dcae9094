#!/usr/bin/env node
// The shipped `landfall` command (package.json bin: dist/lib/cli/landfall.js): compiled JavaScript, no transpiler.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), process.env);

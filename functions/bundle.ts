// Build step (`gcp-build`, after tsc): the deployed functions as one esbuild bundle, split per function, in
// dist/bundle/ (package.json `main`). A cold start then reads a few large files instead of resolving, reading and
// wrapping some 550–1,050 modules, and holds less: the matcher's first ack took 20 MiB less (bench:cold-start).
// node_modules still ships beside it: functions-framework (which must be the instance that serves the function),
// the native bindings (DuckDB's, snappy's for Avro), and the files some client libraries read at run time, which stay
// where they were.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE_DIR = join(ROOT, 'dist', 'bundle');

/** Loaded as packages at run time, not bundled (see the heading). */
const EXTERNAL = ['@google-cloud/functions-framework', '@duckdb/*', 'snappy', '@napi-rs/*'];

/**
 * Every chunk is an ES module that may hold CommonJS code: `require` for what that code loads from Node itself,
 * and `__landfallDir`, which gives a bundled module its own folder back (below).
 */
const BANNER = [
  "import { createRequire as __landfallRequire } from 'node:module';",
  "import { fileURLToPath as __landfallPath } from 'node:url';",
  'const require = __landfallRequire(import.meta.url);',
  'const __landfallDir = (fromBundle) => __landfallPath(new URL(fromBundle, import.meta.url));',
].join(' ');

/**
 * A CommonJS module that names `__dirname` or `__filename` (google-gax and gRPC find their .proto files that way)
 * gets its own values, pointing into node_modules where the files are, not at dist/bundle.
 */
const ownDirname: Plugin = {
  name: 'own-dirname',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(contents)) return undefined;
      const fromBundle = relative(BUNDLE_DIR, path);
      const prelude = `var __filename = __landfallDir(${JSON.stringify(fromBundle)}), __dirname = __landfallDir(${JSON.stringify(dirname(fromBundle))});`;
      return { contents: `${prelude}\n${contents}`, loader: 'js', resolveDir: dirname(path) };
    });
  },
};

const result = await build({
  // The warm-up is an entry too, so that what it imports is the bundle's own chunks.
  entryPoints: ['index', 'warm-compile-cache'].map((name) => join(ROOT, 'dist', 'functions', `${name}.js`)),
  outdir: BUNDLE_DIR,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  external: EXTERNAL,
  banner: { js: BANNER },
  plugins: [ownDirname],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const chunks = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const mib = chunks.reduce((sum, [, { bytes }]) => sum + bytes, 0) / 1024 / 1024;
process.stdout.write(`bundle: ${chunks.length} files, ${mib.toFixed(1)} MiB in ${relative(ROOT, BUNDLE_DIR)}\n`);

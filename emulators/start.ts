// The main command (`npm start`): the local stack up, each sample file's fate as it happens, then every file dropped into ./landing/.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadTableMappings, type TableMapping } from '../lib/config/index.js';
import { ConfigError } from '../lib/errors.js';
import { loadBatchDefinitions, type BatchDefinition } from '../lib/transform/index.js';
import { bigqueryLookLines, dbtSkippedLine, installBigQueryEmulator } from './bigquery-mode.js';
import { OptionsError, parseStartOptions, USAGE, type StartOptions } from './start-options.js';
import { openSession, summarizeOnce, type Session } from './start-session.js';
import { StackError, startStack, stopOnSignals, type Stack } from './stack.js';
import { uploadSamples, uploadTogether } from './uploads.js';
import { watchLanding } from './watch-landing.js';

type Env = Readonly<Record<string, string | undefined>>;

const REPO_ROOT = resolve(import.meta.dirname, '..');

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const shown = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || rel === '' ? path : `./${rel}`;
};

/** Config problems are reported before anything starts, with file and line. */
async function readConfig(env: Env): Promise<{ mappings: TableMapping[]; batches: BatchDefinition[]; tables: string; batchDir: string }> {
  // Read as given (problems name the paths the person typed); the functions get absolute ones.
  const tables = env.TABLE_CONFIG_PATH || 'config/tables';
  const batchDir = env.BATCH_CONFIG_PATH || 'config/batches';
  const mappings = await loadTableMappings(tables);
  const batches = existsSync(batchDir) ? await loadBatchDefinitions(batchDir, mappings.map((m) => m.table)) : [];
  return { mappings, batches, tables: resolve(tables), batchDir: resolve(batchDir) };
}

/** Waits until every uploaded data file has a fate and the dbt runs they start have ended, or the time is up. */
async function settle(session: Session, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (session.board.outstanding().length === 0 && session.pendingRuns().length === 0) return true;
    await sleep(100);
  }
  return false;
}

function sayTimeout(session: Session, stack: Stack, timeoutMs: number): void {
  const waiting = [...session.board.outstanding(), ...session.pendingRuns().map((r) => `dbt ${r.batch} ${r.batchKey}`)];
  say(`… still waiting after ${timeoutMs / 1000} s for: ${waiting.join(', ')} (function logs: ${shown(stack.workDir)}/logs/)`);
}

/** The stack's env as a file to source, so `landfall status`, `put` and `replay` in another terminal reach the emulators. */
async function writeEnvFile(stack: Stack): Promise<string> {
  const path = join(stack.workDir, 'env.sh');
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  const lines = Object.entries(stack.env).map(([name, value]) => `export ${name}=${quote(value)}`);
  await writeFile(path, `# Written by emulators/start.ts: source it to talk to the running local stack.\n${lines.join('\n')}\n`);
  return path;
}

async function sayHowToLook(stack: Stack, options: StartOptions, table: string): Promise<void> {
  const source = `. ${shown(await writeEnvFile(stack))}`;
  say('');
  say(`every file's state:  ${source} && node lib/cli/bin.js status`);
  say(`upload by hand:      ${source} && node lib/cli/bin.js put FILE...`);
  if (stack.backend === 'bigquery') {
    bigqueryLookLines(stack, table).forEach(say);
    say(`function logs:       ${shown(stack.workDir)}/logs/`);
    return;
  }
  const python = resolve(REPO_ROOT, '.cache/venv/bin/python');
  const db = shown(options.duckdbPath);
  if (existsSync(python)) {
    // The loader closes the DuckDB file between loads, so a read-only look from another process works then.
    const query = `import duckdb; duckdb.connect('${db}', read_only=True).sql('select * from ${table} limit 5').show()`;
    say(`the rows:            ${shown(python)} -c "${query}"`);
  } else {
    say(`the rows:            in ${db} (DuckDB)`);
  }
  say(`function logs:       ${shown(stack.workDir)}/logs/`);
}

async function watch(session: Session, options: StartOptions): Promise<void> {
  const watcher = await watchLanding({
    dir: options.landingDir,
    stableMs: options.stableMs,
    upload: async (file) => {
      const lines = await uploadTogether(session.landing, [{ localPath: file.path, relativeName: file.relativePath }], session.mappings, session.board);
      lines.forEach(say);
    },
    onError: (file, error) => {
      if (!session.stopping) say(session.board.line(file.relativePath, `✗ upload failed: ${(error as Error).message} (touch the file to retry)`));
    },
  });
  const landing = shown(options.landingDir);
  if (watcher.existing.length > 0) {
    say(`${landing}/ already holds ${watcher.existing.length} file(s); they are not uploaded again unless they change`);
  }
  say(`watching ${landing}/ — drop a file there: CSV, JSON lines, Parquet or Avro (Ctrl-C to stop)`);
  process.once('SIGINT', () => void watcher.close());
  process.once('SIGTERM', () => void watcher.close());
}

/**
 * Ctrl-C: the listeners go quiet first (they lose their emulators while the stack stops), then the stack's own
 * handler stops every process and exits 130. Returns the orderly stop for the paths that end without a signal.
 */
function onSignals(stack: Stack, session: Session): () => Promise<void> {
  const quiet = () => {
    session.stopping = true;
    say('stopping …');
    void session.close();
  };
  process.once('SIGINT', quiet);
  process.once('SIGTERM', quiet);
  const removeStackHandlers = stopOnSignals(stack);
  return async () => {
    removeStackHandlers();
    process.off('SIGINT', quiet);
    process.off('SIGTERM', quiet);
    session.stopping = true;
    await session.close();
    await stack.stop();
  };
}

async function run(options: StartOptions, env: Env): Promise<number> {
  const config = await readConfig(env);
  // Set before the stack's bootstrap makes the first Google client here: no probing for a GCE metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  if (options.bigquery) installBigQueryEmulator();
  say(`landfall: starting the local stack${options.bigquery ? ' on BigQuery (the emulator behind the quota gate)' : ''} …`);
  const stack = await startStack({
    freePorts: options.freePorts,
    ...(options.bigquery ? { bigquery: {} } : {}),
    ...(options.workDir ? { workDir: options.workDir } : {}),
    functionEnv: { DUCKDB_PATH: options.duckdbPath, TABLE_CONFIG_PATH: config.tables, BATCH_CONFIG_PATH: config.batchDir },
    log: say,
  });
  // The Google clients of this process (Firestore, Pub/Sub) find the emulators through these variables.
  Object.assign(process.env, stack.env);
  const session = openSession(stack, {
    mappings: config.mappings,
    batches: config.batches,
    say,
    ...(env.LANDFALL_COLLECTION_PREFIX ? { collectionPrefix: env.LANDFALL_COLLECTION_PREFIX } : {}),
  });
  const stopAll = onSignals(stack, session);
  try {
    if (stack.backend === 'bigquery') say(dbtSkippedLine(session.board));
    if (options.samplesDir) {
      say(`uploading the samples in ${shown(options.samplesDir)} to gs://${session.landing.bucket}/${session.landing.prefix}`);
      (await uploadSamples(session.landing, options.samplesDir, session.mappings, session.board)).forEach(say);
    }
    const settled = await settle(session, options.timeoutMs);
    if (!settled) sayTimeout(session, stack, options.timeoutMs);
    if (options.once) {
      await stopAll();
      const { line, exitCode } = summarizeOnce(session);
      say(line);
      return exitCode;
    }
    await sayHowToLook(stack, options, session.board.fates()[0]?.table ?? config.mappings[0]!.table);
    await watch(session, options);
  } catch (error) {
    await stopAll();
    throw error;
  }
  // Runs until Ctrl-C: the stack's signal handler stops everything and exits.
  return new Promise<number>(() => undefined);
}

async function main(argv: string[], env: Env): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartOptions(argv, env, process.cwd());
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 1;
  }
  if (options.help) {
    say(USAGE);
    return 0;
  }
  try {
    return await run(options, env);
  } catch (error) {
    // Known failures say what is wrong in words; anything else keeps its stack for the bug report.
    const known = error instanceof StackError || error instanceof ConfigError;
    process.stderr.write(`${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2), process.env);

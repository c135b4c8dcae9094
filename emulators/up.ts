// `node --import tsx emulators/up.ts`: the local stack on firebase.json's ports, up until Ctrl-C.
import { pathToFileURL } from 'node:url';
import { startStack, stopOnSignals, type Stack, type StackOptions } from './stack.js';

/** What a person needs to point a client or a shell at the stack. */
export function describeStack(stack: Stack): string[] {
  const { buckets, topics } = stack.topology;
  const lines = [
    `project       ${stack.project}`,
    `pubsub        ${stack.env.PUBSUB_EMULATOR_HOST}`,
    `firestore     ${stack.env.FIRESTORE_EMULATOR_HOST}`,
    `storage       ${stack.env.STORAGE_API_ENDPOINT}  (gs://${buckets.landing.name}/${buckets.landing.prefix} is watched)`,
    ...(stack.backend === 'bigquery'
      ? [`bigquery      http://127.0.0.1:${stack.ports.bigquery}  (the loader reaches it through the quota gate ${stack.env.BIGQUERY_EMULATOR_HOST})`]
      : []),
    ...stack.functions.map((fn) => `${fn.padEnd(13)} http://127.0.0.1:${stack.ports[fn]}  (pushed from ${topics[stack.topology.functions[fn].trigger]})`),
    `logs          ${stack.workDir}/logs/`,
    '',
    'for a shell:',
    ...Object.entries(stack.env).map(([key, value]) => `  export ${key}=${value}`),
  ];
  if (stack.functions.length === 0) lines.splice(4, 0, 'functions     none (functions/index.ts registers none yet)');
  return lines;
}

/**
 * Starts the stack, prints where everything listens, and makes Ctrl-C stop it all. The caller adds its own
 * steps on the returned stack (the main command uploads samples and watches ./landing/) and keeps running.
 */
export async function up(options: StackOptions = {}, print: (line: string) => void = console.log): Promise<Stack> {
  const stack = await startStack({ log: print, ...options });
  stopOnSignals(stack);
  for (const line of describeStack(stack)) print(line);
  return stack;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await up();
    console.log('\nup; Ctrl-C stops everything');
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}

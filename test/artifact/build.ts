// The deploy artifact as Cloud Functions makes it: the files `gcloud functions deploy --source=.` uploads, installed and
// built the way the Node.js runtime does (clean install, `gcp-build` or `build`, dev dependencies pruned), on its Node.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { cp, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runtimeNode } from '../../emulators/parts.js';

const run = promisify(execFile);
export const REPO = join(import.meta.dirname, '..', '..');
/** The nodejs24 runtime's Node, installed by emulators/install.sh. */
export const NODE24 = runtimeNode('nodejs24');

export interface Artifact {
  dir: string;
  /** What gcloud uploads, relative to the source folder. */
  uploaded: string[];
  uploadedBytes: number;
}

/** gcloud's own list of what it uploads (it reads .gcloudignore exactly as a deploy does), offline. */
export async function uploadedFiles(source: string): Promise<string[]> {
  const { stdout } = await run('gcloud', ['meta', 'list-files-for-upload', source, '--quiet'], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean).sort();
}

/** The machine's npm (its npm-cli.js), to be run by the runtime's Node as the buildpack runs its npm on its Node. */
function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm?.endsWith('.js')) return fromNpm;
  const onPath = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'npm')).find((path) => existsSync(path));
  if (!onPath) throw new Error('npm is not on PATH');
  return realpathSync(onPath);
}

function npm(node: string, args: string[], cwd: string): Promise<unknown> {
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` };
  return run(node, [npmCli(), ...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
}

export async function buildArtifact(into: string, node = NODE24): Promise<Artifact> {
  const uploaded = await uploadedFiles(REPO);
  let uploadedBytes = 0;
  for (const file of uploaded) {
    await mkdir(dirname(join(into, file)), { recursive: true });
    await cp(join(REPO, file), join(into, file));
    uploadedBytes += (await stat(join(into, file))).size;
  }
  const scripts = (JSON.parse(await readFile(join(into, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  await npm(node, ['ci'], into);
  await npm(node, ['run', scripts['gcp-build'] ? 'gcp-build' : 'build'], into);
  await npm(node, ['prune', '--omit=dev'], into);
  return { dir: into, uploaded, uploadedBytes };
}

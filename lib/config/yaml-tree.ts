// Finding config files: every *.yaml / *.yml under a folder, nested folders included, in a stable order.
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';

const YAML_FILE = /\.ya?ml$/;

/** A config file as read: its path (as built from the root given) and its text. */
export interface ConfigFile {
  path: string;
  text: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

/**
 * Paths of every YAML file under `dir`, sorted by name at each level. Hidden entries (`.x`) are skipped: editors
 * leave them behind, and a Kubernetes ConfigMap mount keeps a second copy of every file under `..data/`.
 * Symlinks are followed, since that same mount links each file.
 */
async function walk(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  const found: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (await isDirectory(path)) found.push(...(await walk(path)));
    else if (YAML_FILE.test(name)) found.push(path);
  }
  return found;
}

/**
 * Reads every YAML file under `root` (or `root` itself when it is a file). A missing root, or one holding no
 * YAML, is a ConfigError naming it (line 0: the problem is the folder, not a line in a file).
 */
export async function readYamlTree(root: string, what: string): Promise<ConfigFile[]> {
  let paths: string[];
  try {
    paths = (await isDirectory(root)) ? await walk(root) : [root];
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : String(error);
    throw new ConfigError([{ file: root, line: 0, message: `${what} folder ${reason}` }]);
  }
  if (paths.length === 0) {
    throw new ConfigError([{ file: root, line: 0, message: `no ${what} found: expected *.yaml files under this folder` }]);
  }
  return Promise.all(paths.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
}

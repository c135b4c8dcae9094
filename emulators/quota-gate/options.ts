// The gate process's options from its environment: LANDFALL_QUOTA_GATE (JSON), then single variables over it.
import { ConfigError } from '../../lib/errors.js';
import type { ConfigProblem } from '../../lib/errors.js';
import { resolveLimits } from './limits.js';
import type { QuotaGateOptions } from './server.js';

type Env = Record<string, string | undefined>;

/** The gate's options as a JSON file gives them: any of them, none required. */
type FileOptions = Partial<Omit<QuotaGateOptions, 'beforeForward'>>;

const problem = (message: string): ConfigProblem => ({ file: 'env', line: 0, message });

function json(env: Env, problems: ConfigProblem[]): FileOptions {
  const text = env.LANDFALL_QUOTA_GATE;
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as FileOptions;
  } catch (error) {
    problems.push(problem(`LANDFALL_QUOTA_GATE is not JSON: ${(error as Error).message}`));
    return {};
  }
  problems.push(problem('LANDFALL_QUOTA_GATE must be a JSON object'));
  return {};
}

function number(name: string, text: string | undefined, fallback: number | undefined, problems: ConfigProblem[]): number | undefined {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (Number.isFinite(value)) return value;
  problems.push(problem(`${name} must be a number, not ${JSON.stringify(text)}`));
  return fallback;
}

/**
 * `LANDFALL_QUOTA_GATE='{"upstream":"http://127.0.0.1:9050","port":9060,"scale":100,"limits":{…}}'`, with
 * QUOTA_GATE_UPSTREAM, QUOTA_GATE_PORT and QUOTA_GATE_SCALE taking precedence. Every problem is reported at once.
 */
export function parseGateOptions(env: Env): QuotaGateOptions {
  const problems: ConfigProblem[] = [];
  const file = json(env, problems);
  const upstream = env.QUOTA_GATE_UPSTREAM || file.upstream;
  if (!upstream) problems.push(problem('the quota gate needs its emulator: QUOTA_GATE_UPSTREAM or LANDFALL_QUOTA_GATE.upstream (http://127.0.0.1:PORT)'));
  else if (!/^http:\/\/[^/]+\/?$/.test(upstream)) problems.push(problem(`the quota gate's upstream must be http://host:port, not ${upstream}`));
  const port = number('QUOTA_GATE_PORT', env.QUOTA_GATE_PORT, file.port, problems);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) problems.push(problem(`the quota gate's port must be 0–65535, not ${port}`));
  const scale = number('QUOTA_GATE_SCALE', env.QUOTA_GATE_SCALE, file.scale, problems);
  const block = file.clusterBlockBytes;
  if (block !== undefined && !(Number.isInteger(block) && block > 0)) problems.push(problem(`clusterBlockBytes must be a whole number of bytes above 0, not ${JSON.stringify(block)}`));
  try {
    resolveLimits(scale, file.limits);
  } catch (error) {
    problems.push(problem((error as Error).message));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    upstream: upstream!.replace(/\/$/, ''),
    ...(port !== undefined ? { port } : {}),
    ...(file.host ? { host: file.host } : {}),
    ...(scale !== undefined ? { scale } : {}),
    ...(file.limits ? { limits: file.limits } : {}),
    ...(file.project ? { project: file.project } : {}),
    ...(file.location ? { location: file.location } : {}),
    ...(file.measureBytes !== undefined ? { measureBytes: file.measureBytes } : {}),
    ...(file.clusterBlockBytes !== undefined ? { clusterBlockBytes: file.clusterBlockBytes } : {}),
  };
}

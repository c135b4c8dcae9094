// The quota gate as its own process, for the local stack and benches: options from the environment, one JSON line when listening.
import { ConfigError } from '../../lib/errors.js';
import { parseGateOptions } from './options.js';
import { startQuotaGate } from './server.js';

const write = (line: object): void => void process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);

let options;
try {
  options = parseGateOptions(process.env);
} catch (error) {
  // A bad option is the operator's to fix: its message, no stack, exit 1 (as functions-framework does).
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}

const gate = await startQuotaGate(options);
write({ event: 'quota_gate_listening', url: gate.url, upstream: options.upstream, limits: gate.limits });

const stop = async (): Promise<void> => {
  await gate.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

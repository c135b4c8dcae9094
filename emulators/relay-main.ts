// The local stack's delivery process: the push relay for every running function, and the sweep's clock (Cloud
// Scheduler's stand-in). The stack starts it after the Pub/Sub bootstrap and supervises it like any other part.
import { createServer } from 'node:http';
import { loadTopology } from '../lib/config/topology.js';
import { pubsubClient } from './bootstrap.js';
import { HOST } from './ports.js';
import { relayTargets, startRelay, type RelayLine, type RelayProcessConfig } from './relay.js';

const config = JSON.parse(process.env.LANDFALL_RELAY ?? '{}') as RelayProcessConfig;
const topology = await loadTopology(process.env.TOPOLOGY_PATH ?? 'config/topology.yaml');
const pubsubPort = Number((process.env.PUBSUB_EMULATOR_HOST ?? '').split(':').pop());
const debug = process.env.LANDFALL_LOG_LEVEL?.toUpperCase() === 'DEBUG';
const write = (line: object): void => void process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);

const pubsub = pubsubClient(topology.project, pubsubPort);
const relay = await startRelay({
  pubsub,
  targets: relayTargets(topology, config.functions),
  log: (line: RelayLine) => (line.event !== 'push_acked' || debug ? write(line) : undefined),
});

// Cloud Scheduler publishes the sweep's tick on its cron in production; here one comes every localIntervalSeconds.
let ticker: NodeJS.Timeout | undefined;
if (config.functions.sweep !== undefined) {
  const topic = pubsub.topic(topology.topics.sweepTicks);
  ticker = setInterval(() => {
    topic.publishMessage({ json: { v: 1, source: 'local-relay' } }).catch((error: Error) => write({ event: 'tick_failed', error: error.message }));
  }, topology.sweep.localIntervalSeconds * 1000);
}

// GET / answers once every loop runs (the stack's health check); GET /settings is what each subscription holds.
const server = createServer((request, response) => {
  const body = request.url === '/settings' ? JSON.stringify(Object.fromEntries(relay.settings)) : 'ok';
  response.writeHead(200, { 'content-type': request.url === '/settings' ? 'application/json' : 'text/plain' }).end(body);
});
server.listen(config.healthPort, HOST, () => write({ event: 'relay_started', functions: [...relay.settings.keys()] }));

const stop = async (): Promise<void> => {
  clearInterval(ticker);
  server.close();
  await relay.stop();
  await pubsub.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

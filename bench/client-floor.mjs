// The floor under a function's cold start (bench/cold-start.ts): a bare process that loads only the Google clients a
// first ack needs and makes its calls on the emulators, with no functions-framework and no landfall code. Prints its
// peak RSS: `node bench/client-floor.mjs firestore|firestore+pubsub` with the stack's environment.
import { readFileSync } from 'node:fs';

const withPubSub = process.argv[2] === 'firestore+pubsub';
const projectId = process.env.GCP_PROJECT;
const { Firestore } = await import('@google-cloud/firestore');
await new Firestore({ projectId }).collection('client-floor').doc(String(process.pid)).set({ at: new Date() });
if (withPubSub) {
  const { PubSub } = await import('@google-cloud/pubsub');
  await new PubSub({ projectId }).topic(process.env.FLOOR_TOPIC).publishMessage({ data: Buffer.from('floor') });
}
const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
process.stdout.write(`${JSON.stringify({ peakRssMiB: peakKiB / 1024 })}\n`);
process.exit(0);

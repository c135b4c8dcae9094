// The floor under a function's cold start (bench/cold-start.ts): a bare process that loads only the Google clients a
// first ack needs and makes its calls on the emulators, with no functions-framework and no landfall code. Says
// `done` when they have answered, and exits when its stdin closes, so that its caller reads its peak RSS as a
// function's: `node bench/client-floor.mjs firestore|firestore+pubsub` with the stack's environment.
const withPubSub = process.argv[2] === 'firestore+pubsub';
const projectId = process.env.GCP_PROJECT;
const { Firestore } = await import('@google-cloud/firestore');
await new Firestore({ projectId }).collection('client-floor').doc(String(process.pid)).set({ at: new Date() });
if (withPubSub) {
  const { PubSub } = await import('@google-cloud/pubsub');
  await new PubSub({ projectId }).topic(process.env.FLOOR_TOPIC).publishMessage({ data: Buffer.from('floor') });
}
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.stdout.write('done\n');

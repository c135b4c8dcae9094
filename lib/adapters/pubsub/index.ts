// Pub/Sub as the pipeline's bus.
export { PubSubBus, openPubSubBus } from './bus.js';

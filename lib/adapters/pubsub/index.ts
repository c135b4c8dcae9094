// Pub/Sub as the pipeline's bus.
export { PubSubBus } from './bus.js';

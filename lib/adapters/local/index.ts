// Local files as load sources (the CLI's `landfall load FILE…`), and where they go after the load.
export { openLocalFile } from './file-source.js';
export { moveInto, writeErrorSidecar } from './lifecycle.js';
export type { ErrorSidecar } from './lifecycle.js';

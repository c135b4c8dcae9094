// Local files as load sources (the CLI's `landfall load FILE…`), and where they go after the load.
export { identityPath, openLocalFile } from './file-source.js';
export { moveInto, writeErrorSidecar } from './lifecycle.js';

// Google Cloud Storage (or fake-gcs-server) as the pipeline's object store.
export { GcsObjectStore, httpStatus, infoOf } from './object-store.js';
export { openObjectSource } from './file-source.js';

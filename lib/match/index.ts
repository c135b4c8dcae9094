// Matching: which mapping claims a file name, in which role, and the batch key that pairs data with go files.
export { FILE_ROLES, classify, companionGoName, dataNameOf, dataPatterns } from './classify.js';
export type { Classification, FileRole } from './classify.js';
export { baseNameOf, batchKeyOf, expandPattern, overlapWitness, splitPattern } from './pattern.js';
export type { SplitPattern } from './pattern.js';

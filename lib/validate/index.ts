// Validation of a file against its mapping: go-file and trailer counts, and the row-count check.
export { parseGoFile } from './go-file.js';
export type { DataFileName, ExpectedCount } from './go-file.js';
export { parseTrailer } from './trailer.js';
export { checkRowCount } from './row-count.js';
export { countProblem } from './count.js';

// Configuration: table mappings, the deployed topology and runtime settings, each parsed once at start-up.
export { loadTableMappings, loadTableNames, parseTableMappings } from './tables.js';
export { RESERVED_TABLES, TABLE_NAME, tableNameProblem } from './rules.js';
export { durationValue, formatDuration, parseDuration } from './duration.js';
export { readYamlTree } from './yaml-tree.js';
export type { ConfigFile } from './yaml-tree.js';
export { Problems, entriesOf, describe, integerValue, mapValue, readYamlFile, textValue } from './yaml-file.js';
export type { Entry, YamlFile } from './yaml-file.js';
export * from './mapping.js';
export * from './file-format.js';
export * from './topology.js';
export * from './settings.js';

// Promotion: moving a drifted field out of `_extra` into a column of its own (`landfall promote`), behind one port.
export { ACCEPTED_TYPES, COLUMN_KINDS, parseColumnType } from './column-type.js';
export type { ColumnKind, ColumnType } from './column-type.js';
export { castFailure, checkField, checkPromotable, keysOf, noSuchField, promotionOf, spelledTwice } from './promotion.js';
export type { Promote, PromoteRequest, PromoteResult } from './promotion.js';

// The file state machine: every legal (state, event) → state transition, written as data, and nothing else.

export const FILE_STATES = ['waiting', 'ready', 'loading', 'loaded', 'failed', 'superseded'] as const;
export type FileState = (typeof FILE_STATES)[number];

export const FILE_EVENTS = [
  /** A part (data or go file) arrived and the round still lacks the other one. */
  'arrive_partial',
  /** A part arrived and the round now has everything its mapping needs. */
  'arrive_complete',
  /** A new identity arrived while a load runs: kept as the next round, the running load goes on. */
  'queue',
  /** The loader takes the round, with a lease (or retakes a crashed claim). */
  'claim',
  /** The loader gives the claim back after a transient error, so a retry can take it. */
  'release',
  /** The warehouse committed the file (or already held it) and the file moved to the archive. */
  'finish_loaded',
  /** The file failed validation and moved to the failed bucket. */
  'finish_failed',
  /** The claimed generation was replaced (or deleted) in landing before its load: nothing of it is loaded or moved. */
  'finish_superseded',
] as const;
export type FileEvent = (typeof FILE_EVENTS)[number];

export const TERMINAL_STATES = ['loaded', 'failed', 'superseded'] as const satisfies readonly FileState[];
/** A round that has not ended: the sweep re-drives or reports these. */
export const ACTIVE_STATES = ['waiting', 'ready', 'loading'] as const satisfies readonly FileState[];

/** Every legal transition; anything not listed is illegal. */
export const TRANSITIONS: readonly (readonly [FileState, FileEvent, FileState])[] = [
  ['waiting', 'arrive_partial', 'waiting'],
  ['waiting', 'arrive_complete', 'ready'],
  // A newer generation of a part replaces the unclaimed one; the other part is still in landing.
  ['ready', 'arrive_complete', 'ready'],
  ['ready', 'claim', 'loading'],
  ['loading', 'queue', 'loading'],
  ['loading', 'claim', 'loading'],
  ['loading', 'release', 'ready'],
  ['loading', 'finish_loaded', 'loaded'],
  ['loading', 'finish_failed', 'failed'],
  ['loading', 'finish_superseded', 'superseded'],
  // A new generation (a correction) or a replay after the end starts a new round; the old parts have moved away.
  ['loaded', 'arrive_partial', 'waiting'],
  ['loaded', 'arrive_complete', 'ready'],
  ['failed', 'arrive_partial', 'waiting'],
  ['failed', 'arrive_complete', 'ready'],
  ['superseded', 'arrive_partial', 'waiting'],
  ['superseded', 'arrive_complete', 'ready'],
];

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: FileState,
    readonly event: FileEvent,
  ) {
    super(`illegal transition: "${event}" in state "${from}"`);
    this.name = 'IllegalTransitionError';
  }
}

const TABLE = new Map(TRANSITIONS.map(([from, event, to]) => [`${from}:${event}`, to]));

/** The state after `event` in state `from`; throws IllegalTransitionError when the table has no such row. */
export function transition(from: FileState, event: FileEvent): FileState {
  const to = TABLE.get(`${from}:${event}`);
  if (to === undefined) throw new IllegalTransitionError(from, event);
  return to;
}

export function isTerminal(state: FileState): state is (typeof TERMINAL_STATES)[number] {
  return (TERMINAL_STATES as readonly FileState[]).includes(state);
}

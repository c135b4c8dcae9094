// Errors named for what failed: terminal ones are recorded and acked, transient ones are thrown so Pub/Sub retries.

/** What an error was about; every field optional so each layer adds what it knows. */
export interface ErrorContext {
  object?: string;
  generation?: string;
  table?: string;
  loadId?: string;
  file?: string;
  line?: number;
}

export class LandfallError extends Error {
  readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, options: { retryable: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable;
    this.context = options.context ?? {};
  }
}

/** The input is wrong (a bad file, a count that disagrees): retrying cannot help. */
export class TerminalError extends LandfallError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { retryable: false, context, cause });
  }
}

/** Something around us failed (a lock, a network call): the same work may succeed later. */
export class TransientError extends LandfallError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { retryable: true, context, cause });
  }
}

/** One problem in a configuration file (or the environment), with where it is: line 0 when no line applies. */
export interface ConfigProblem {
  file: string;
  line: number;
  message: string;
}

/**
 * Every problem found in the configuration, reported at once. Table mappings, batch definitions, the topology and
 * the environment's settings all fail this way, so every command reports a bad configuration alike: the message,
 * exit 1, no stack trace.
 */
export class ConfigError extends LandfallError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `${problems.length} configuration problem(s):\n` +
        problems.map((p) => `  ${p.line > 0 ? `${p.file}:${p.line}` : p.file}: ${p.message}`).join('\n'),
      { retryable: false },
    );
    this.problems = problems;
  }
}

/** One problem, in a file (or the environment, `env`) with no line to name. */
export function configProblem(file: string, message: string): ConfigError {
  return new ConfigError([{ file, line: 0, message }]);
}

/** Node system errors that mean a network or the machine was briefly unable, not that the work is wrong. */
const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOSPC', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'ENOMEM', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);
/** HTTP statuses a Google API answers when a later try may pass (404: an object read between a look and a move). */
const TRANSIENT_HTTP = new Set([404, 408, 429, 500, 502, 503, 504]);
/** gRPC: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE, and UNKNOWN (a dropped stream). */
const TRANSIENT_GRPC = new Set([2, 4, 8, 10, 13, 14]);

/**
 * Whether another attempt may succeed. landfall's own errors say so themselves; of the rest, only what a network, an
 * API's load or the machine's resources explain is transient. Anything unexpected (a RangeError, a TypeError, an
 * unknown code) is terminal: retrying the same work would fail the same way, and a file must reach a final status.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof LandfallError) return error.retryable;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return TRANSIENT_SYSTEM_CODES.has(code);
  if (typeof code !== 'number') return false;
  return code < 100 ? TRANSIENT_GRPC.has(code) : TRANSIENT_HTTP.has(code);
}

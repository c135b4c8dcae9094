// One JSON line per event, the shape Cloud Logging reads (`severity`, `message`), also readable in a terminal.

export const SEVERITIES = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Logger = (severity: Severity, event: string, fields?: Record<string, unknown>) => void;

export interface LoggerOptions {
  component: string;
  write?: (line: string) => void;
  /** DEBUG lines are dropped unless set. */
  debug?: boolean;
}

export function jsonLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (severity, event, fields = {}) => {
    if (severity === 'DEBUG' && !options.debug) return;
    const message = `${options.component}: ${event}`;
    // `time` is read by Cloud Logging as the entry's timestamp, and locally it is what latency is traced with.
    // The shape's own keys come last: a field named `event` or `severity` cannot hide the line from an alert.
    write(JSON.stringify({ ...fields, severity, time: new Date().toISOString(), message, component: options.component, event }));
  };
}

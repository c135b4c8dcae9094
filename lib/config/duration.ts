// Durations as written in config: a whole number and a unit, `45s`, `30m`, `6h`, `2d`.
import { describe, textValue, type Entry } from './yaml-file.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^([1-9][0-9]{0,8})\s*([smhd])$/;

/** Seconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS] : undefined;
}

/** A duration entry's seconds, or a problem naming the key and what it was given. */
export function durationValue(entry: Entry, key: string): number | { problem: string } {
  const text = textValue(entry);
  const seconds = text === undefined ? undefined : parseDuration(text);
  return seconds ?? { problem: `${key} must be a duration such as 45s, 30m, 6h or 2d, got ${describe(entry)}` };
}

/** `2d`, `6h`, `30m`, `45s`: the largest unit that divides it. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of Object.entries(UNIT_SECONDS).reverse()) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

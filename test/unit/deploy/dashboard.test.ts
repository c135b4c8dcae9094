// The dashboard reads only metrics terraform defines, and every metric filters on events and fields the code writes.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTopology } from '../../../lib/config/index.js';
import { ARRIVAL_OUTCOMES, RESULT_STATUSES } from '../../../lib/pipeline/index.js';

const tf = async (name: string) => readFile(join('terraform', name), 'utf8');

/** Every `log('SEVERITY', 'event', { … })` call in lib/: the event (templates expanded) and the fields its object names. */
async function loggedEvents(): Promise<Map<string, Set<string>>> {
  const events = new Map<string, Set<string>>();
  const { alerts } = await loadTopology('config/topology.yaml');
  const templates: Record<string, readonly string[]> = {
    'load_${result.status}': RESULT_STATUSES,
    'arrival_${decision.outcome}': ARRIVAL_OUTCOMES,
    'alerts.overdueFileLogEvent': [alerts.overdueFileLogEvent],
    'alerts.overdueBatchLogEvent': [alerts.overdueBatchLogEvent],
  };
  const files = (await readdir('lib', { recursive: true })).filter((f) => f.endsWith('.ts')).map((f) => join('lib', f));
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    const call = /log\(\s*[^,]+,\s*(['`]?)([a-zA-Z_${}.]+)\1,\s*\{/g;
    for (let m = call.exec(text); m !== null; m = call.exec(text)) {
      const fields = objectKeys(text, m.index + m[0].length - 1);
      const expanded = templates[m[2]!]?.map((v) => (m![1] === '' ? v : m![2]!.replace(/\$\{[^}]+\}/, v)));
      for (const name of expanded ?? [m[2]!]) {
        events.set(name, new Set([...(events.get(name) ?? []), ...fields]));
      }
    }
  }
  return events;
}

/** The keys of the object literal opening at `at` (`{`), with a `...spread` resolved where the same file defines it. */
function objectKeys(text: string, at: number): string[] {
  let depth = 0;
  let end = at;
  for (; end < text.length; end++) {
    if (text[end] === '{') depth++;
    if (text[end] === '}' && --depth === 0) break;
  }
  const body = text.slice(at + 1, end);
  const keys = [...body.matchAll(/(?:^|[,{\s])([A-Za-z_]\w*)\s*(?=[:,}]|$)/gm)].map((k) => k[1]!);
  for (const [, spread] of body.matchAll(/\.\.\.([A-Za-z_]\w*)/g)) {
    const definition = new RegExp(`const ${spread} = \\{`).exec(text);
    if (definition) keys.push(...objectKeys(text, definition.index + definition[0].length - 1));
  }
  return keys;
}

test('every chart reads a metric that terraform defines', async () => {
  const dashboard = await tf('dashboard.tf');
  const all = (await Promise.all((await readdir('terraform')).filter((f) => f.endsWith('.tf')).map(tf))).join('\n');
  const counters = [...dashboard.slice(dashboard.indexOf('table_counters = {'), dashboard.indexOf('\n  }\n}')).matchAll(/^\s{4}(\w+)\s+= \{ fn/gm)].map((m) => m[1]);
  const charted = [...dashboard.slice(dashboard.indexOf('per_table = {')).matchAll(/" += "(\w+)"$/gm)].map((m) => m[1]);
  assert.ok(charted.length >= 8, `charts found: ${charted.join(', ')}`);
  for (const key of charted) assert.ok(counters.includes(key), `the chart of ${key} reads landfall/${key}, which table_counters defines`);
  for (const [, resource] of dashboard.matchAll(/google_logging_metric\.(\w+)/g)) {
    assert.match(all, new RegExp(`resource "google_logging_metric" "${resource}"`), `google_logging_metric.${resource} is defined`);
  }
});

test('every metric counts events the code logs, with the fields it extracts', async () => {
  const events = await loggedEvents();
  const dashboard = await tf('dashboard.tf');
  const counters = [...dashboard.matchAll(/^\s{4}(\w+)\s+= \{ fn = "(\w+)", events = "([^"]+)"/gm)];
  assert.ok(counters.length >= 8);
  for (const [, name, , pattern] of counters) {
    const regex = new RegExp(pattern!.replace('${local.topology.alerts.overdue_file_log_event}', (await loadTopology('config/topology.yaml')).alerts.overdueFileLogEvent));
    const matching = [...events.keys()].filter((e) => regex.test(e));
    assert.ok(matching.length > 0, `landfall/${name}: no logged event matches ${pattern}`);
    for (const event of matching) assert.ok(events.get(event)!.has('table'), `landfall/${name}: ${event} is logged without a table field`);
  }
  assert.ok(events.get('load_loaded')?.has('latencyMs'), 'arrival_to_commit extracts latencyMs from load_loaded');
  assert.ok(events.has('load_failed') && events.has('file_overdue') && events.has('batch_overdue'), 'the alert metrics’ events are logged');
});

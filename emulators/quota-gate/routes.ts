// Which BigQuery REST method a request calls, read from its path with or without the /bigquery/v2 prefix.

export interface Route {
  /** BigQuery's method name (`jobs.insert`, `tables.get` …), `other` for a path the gate does not know. */
  method: string;
  project?: string;
  dataset?: string;
  table?: string;
  jobId?: string;
  /** `location` from the query string, when given. */
  location?: string;
}

interface Pattern {
  verb: string;
  path: RegExp;
  method: string;
  /** Names of the path's groups, in order. */
  names: (keyof Route)[];
}

const P = '([^/]+)';
const PATTERNS: Pattern[] = [
  { verb: 'POST', path: new RegExp(`^/projects/${P}/jobs$`), method: 'jobs.insert', names: ['project'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/jobs$`), method: 'jobs.list', names: ['project'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/jobs/${P}$`), method: 'jobs.get', names: ['project', 'jobId'] },
  { verb: 'POST', path: new RegExp(`^/projects/${P}/jobs/${P}/cancel$`), method: 'jobs.cancel', names: ['project', 'jobId'] },
  { verb: 'DELETE', path: new RegExp(`^/projects/${P}/jobs/${P}/delete$`), method: 'jobs.delete', names: ['project', 'jobId'] },
  { verb: 'POST', path: new RegExp(`^/projects/${P}/queries$`), method: 'jobs.query', names: ['project'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/queries/${P}$`), method: 'jobs.getQueryResults', names: ['project', 'jobId'] },
  { verb: 'GET', path: /^\/projects$/, method: 'projects.list', names: [] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/datasets$`), method: 'datasets.list', names: ['project'] },
  { verb: 'POST', path: new RegExp(`^/projects/${P}/datasets$`), method: 'datasets.insert', names: ['project'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/datasets/${P}$`), method: 'datasets.get', names: ['project', 'dataset'] },
  { verb: 'PATCH', path: new RegExp(`^/projects/${P}/datasets/${P}$`), method: 'datasets.patch', names: ['project', 'dataset'] },
  { verb: 'PUT', path: new RegExp(`^/projects/${P}/datasets/${P}$`), method: 'datasets.update', names: ['project', 'dataset'] },
  { verb: 'DELETE', path: new RegExp(`^/projects/${P}/datasets/${P}$`), method: 'datasets.delete', names: ['project', 'dataset'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/datasets/${P}/tables$`), method: 'tables.list', names: ['project', 'dataset'] },
  { verb: 'POST', path: new RegExp(`^/projects/${P}/datasets/${P}/tables$`), method: 'tables.insert', names: ['project', 'dataset'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/datasets/${P}/tables/${P}$`), method: 'tables.get', names: ['project', 'dataset', 'table'] },
  { verb: 'PATCH', path: new RegExp(`^/projects/${P}/datasets/${P}/tables/${P}$`), method: 'tables.patch', names: ['project', 'dataset', 'table'] },
  { verb: 'PUT', path: new RegExp(`^/projects/${P}/datasets/${P}/tables/${P}$`), method: 'tables.update', names: ['project', 'dataset', 'table'] },
  { verb: 'DELETE', path: new RegExp(`^/projects/${P}/datasets/${P}/tables/${P}$`), method: 'tables.delete', names: ['project', 'dataset', 'table'] },
  { verb: 'GET', path: new RegExp(`^/projects/${P}/datasets/${P}/tables/${P}/data$`), method: 'tabledata.list', names: ['project', 'dataset', 'table'] },
  { verb: 'POST', path: new RegExp(`^/projects/${P}/datasets/${P}/tables/${P}/insertAll$`), method: 'tabledata.insertAll', names: ['project', 'dataset', 'table'] },
];

/** Media uploads (jobs.insert with a body): POST or PUT, always under /upload/bigquery/v2. */
const UPLOAD = new RegExp(`^/upload/bigquery/v2/projects/${P}/jobs$`);

/**
 * The route of `verb url`. The Node client sends `/bigquery/v2/…` with `apiEndpoint` and drops the prefix with
 * BIGQUERY_EMULATOR_HOST; the emulator serves both, so the gate reads both. POST with X-HTTP-Method-Override is
 * the overriding verb, as the emulator honours it.
 */
export function routeOf(verb: string, url: string, methodOverride?: string): Route {
  const parsed = new URL(url, 'http://gate');
  const location = parsed.searchParams.get('location') ?? undefined;
  const withLocation = (route: Route): Route => (location ? { ...route, location } : route);
  const upload = UPLOAD.exec(parsed.pathname);
  if (upload) return withLocation({ method: 'jobs.upload', project: decodeURIComponent(upload[1]!) });
  const path = parsed.pathname.replace(/^\/bigquery\/v2(?=\/)/, '');
  const effective = verb === 'POST' && methodOverride ? methodOverride.toUpperCase() : verb;
  for (const pattern of PATTERNS) {
    if (pattern.verb !== effective) continue;
    const match = pattern.path.exec(path);
    if (!match) continue;
    const route: Route = { method: pattern.method };
    pattern.names.forEach((name, i) => Object.assign(route, { [name]: decodeURIComponent(match[i + 1]!) }));
    return withLocation(route);
  }
  return { method: 'other' };
}

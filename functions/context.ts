// Cold start: configuration parsed once (a bad config stops the process at start), clients built on first use.
import { connectClients, loadPipelineConfig, loaderDeps, matcherDeps, type Clients } from '../lib/pipeline/index.js';
import type { LoaderDeps, MatcherDeps } from '../lib/pipeline/index.js';

const config = await loadPipelineConfig(process.env);
let clients: Clients | undefined;
let matcher: MatcherDeps | undefined;
let loader: LoaderDeps | undefined;

function connected(): Clients {
  return (clients ??= connectClients(process.env, config.topology));
}

export function matcherContext(): MatcherDeps {
  return (matcher ??= matcherDeps(config, connected()));
}

export function loaderContext(): LoaderDeps {
  return (loader ??= loaderDeps(config, connected()));
}

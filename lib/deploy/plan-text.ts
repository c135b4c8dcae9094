// Renders the orchestration plan for a person: one section per concern, one line per thing.
type Json = Record<string, any>;

function section(title: string, rows: string[]): string[] {
  return [title, ...(rows.length > 0 ? rows.map((r) => `  ${r}`) : ['  (none)']), ''];
}

function tableRows(plan: Json): string[] {
  return (plan.tables as Json[]).map((t) => {
    const rule = t.goFile
      ? `go file ${t.goFile.pattern} (${t.goFile.format})`
      : t.trailer
        ? `trailer, count in column ${t.trailer.rowCountColumn}`
        : 'no count check';
    return `${t.pattern} → ${t.table}  [${rule}; reupload ${t.reupload}]  ${t.definedAt}`;
  });
}

export function renderPlanText(plan: Json): string {
  const lines = [`landfall plan v${plan.v} — project ${plan.project}, region ${plan.region}`, ''];
  lines.push(
    ...section('Buckets', Object.entries(plan.buckets as Json).map(([role, b]) => `${role}: gs://${b.name}/${b.prefix}`)),
    ...section('Table mappings', tableRows(plan)),
    ...section('Batches (dbt)', (plan.batches as Json[]).map((b) => `${b.name}: ${b.tables.join(', ')} → dbt build --select ${b.dbtSelect}`)),
    ...section('Topics', Object.entries(plan.topics as Json).map(([role, t]) => `${role}: ${t}`)),
    ...section(
      'Subscriptions',
      (plan.subscriptions as Json[]).map((s) =>
        s.deadLetter
          ? `${s.name} (${s.topic}, ${s.delivers}): retry ${s.retry.minimumBackoffSeconds}-${s.retry.maximumBackoffSeconds}s, ` +
            `dead-letter to ${s.deadLetter.topic} after ${s.deadLetter.maxDeliveryAttempts} attempts`
          : `${s.name} (${s.topic}, ${s.delivers})`,
      ),
    ),
    ...section(
      'Functions (gen2)',
      (plan.functions as Json[]).map(
        (f) => `${f.name}: ${f.trigger.topic} → ${f.entryPoint}, ${f.runtime}, ${f.memory}, ${f.timeoutSeconds}s, ≤${f.maxInstances} instances, sa ${f.serviceAccount}, retry ${f.trigger.retry ? 'on' : 'off'}`,
      ),
    ),
    ...section('dbt job', [`${plan.dbt.job}: ${plan.dbt.memory}, ${plan.dbt.cpu} cpu, ${plan.dbt.timeoutSeconds}s, profile from secret ${plan.dbt.profile.secret}`]),
    ...section('Schedules', (plan.schedules as Json[]).map((s) => `${s.name}: "${s.cron}" ${s.timeZone} → ${s.command.join(' ')} on ${s.runs}`)),
    ...section('Alerts', (plan.alerts as Json[]).map((a) => `${a.name}: ${a.condition} → ${a.targets.join(', ')}`)),
    ...section('Deploy (landfall deploy --dry-run)', plan.deployCommands as string[]),
  );
  return lines.join('\n');
}

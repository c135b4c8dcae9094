# A bad day at a glance: one Cloud Monitoring dashboard on log-based metrics of the lines the functions already write
# (one JSON line per event: jsonPayload.event and its fields). Per table: arrivals, loads and failures, arrival → commit
# latency (p50/p95), retries, dead letters and re-drives, and files and batch keys overdue. A test
# (test/unit/deploy/dashboard.test.ts) checks that every metric the dashboard reads is defined here and that every
# event and field a metric filters on is written by the code.

locals {
  service_filter = { for fn, def in local.topology.functions : fn => "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${def.name}\"" }

  # Counters with a `table` label, each on the lines of one function.
  table_counters = {
    arrivals           = { fn = "matcher", events = "^arrival_(waiting|ready|queued)$", what = "files and go files that arrived (a new part of a round)" }
    loads              = { fn = "loader", events = "^load_loaded$", what = "files committed" }
    failures           = { fn = "loader", events = "^load_failed$", what = "files that failed and moved to failed/" }
    retries            = { fn = "loader", events = "^load_retry(_in_process)?$", what = "loads that failed transiently and were tried again (by Pub/Sub, or inside the loader)" }
    redrives           = { fn = "sweep", events = "^sweep_redrive$", what = "rounds the sweep re-drove (ready and never claimed, or a lapsed claim)" }
    dead_letters       = { fn = "sweep", events = "^sweep_dead_letter_(redriven|left)$", what = "messages Pub/Sub dead-lettered, as the sweep found them" }
    dead_letters_left  = { fn = "sweep", events = "^sweep_dead_letter_left$", what = "dead letters left for a person (malformed, or re-driven too often)" }
    overdue_files_seen = { fn = "sweep", events = "^${local.topology.alerts.overdue_file_log_event}$", what = "files waiting past max_wait" }
  }
}

resource "google_logging_metric" "table_counter" {
  for_each = local.table_counters
  name     = "landfall/${each.key}"
  filter   = "${local.service_filter[each.value.fn]} AND jsonPayload.event=~\"${each.value.events}\""
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "landfall ${replace(each.key, "_", " ")}: ${each.value.what}"
    labels {
      key         = "table"
      value_type  = "STRING"
      description = "the table the file is for"
    }
  }
  label_extractors = { table = "EXTRACT(jsonPayload.table)" }
}

# From the landing bucket's notice to the commit: the loader's `load_loaded` line carries it as latencyMs.
resource "google_logging_metric" "arrival_to_commit" {
  name   = "landfall/arrival_to_commit"
  filter = "${local.service_filter["loader"]} AND jsonPayload.event=\"load_loaded\" AND jsonPayload.latencyMs>=0"
  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "ms"
    display_name = "landfall arrival to commit"
    labels {
      key         = "table"
      value_type  = "STRING"
      description = "the table the file is for"
    }
  }
  value_extractor  = "EXTRACT(jsonPayload.latencyMs)"
  label_extractors = { table = "EXTRACT(jsonPayload.table)" }
  # 10 ms to about 3 hours.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 20
      growth_factor      = 2
      scale              = 10
    }
  }
}

locals {
  metric_type = { for key, m in google_logging_metric.table_counter : key => "logging.googleapis.com/user/${m.name}" }
  # One chart: a metric summed per table in 5-minute steps.
  per_table = {
    for title, key in {
      "Arrivals per table"                  = "arrivals"
      "Loads per table"                     = "loads"
      "Failures per table"                  = "failures"
      "Retries per table (transient)"       = "retries"
      "Dead letters per table"              = "dead_letters"
      "Dead letters left for a person"      = "dead_letters_left"
      "Re-drives by the sweep, per table"   = "redrives"
      "Files overdue (max_wait), per table" = "overdue_files_seen"
    } : title => local.metric_type[key]
  }
  counter_tiles = [for i, title in keys(local.per_table) : {
    xPos = (i % 2) * 6, yPos = 4 + floor(i / 2) * 4, width = 6, height = 4
    widget = { title = title, xyChart = { dataSets = [{
      plotType = "STACKED_BAR"
      timeSeriesQuery = { timeSeriesFilter = {
        filter      = "metric.type=\"${local.per_table[title]}\" resource.type=\"cloud_run_revision\""
        aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_DELTA", crossSeriesReducer = "REDUCE_SUM", groupByFields = ["metric.label.table"] }
      } }
    }] } }
  }]
  latency_tiles = [for i, p in ["50", "95"] : {
    xPos = i * 6, yPos = 0, width = 6, height = 4
    widget = { title = "Arrival → commit p${p} (ms), per table", xyChart = { dataSets = [{
      plotType = "LINE"
      timeSeriesQuery = { timeSeriesFilter = {
        filter      = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.arrival_to_commit.name}\" resource.type=\"cloud_run_revision\""
        aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_DELTA", crossSeriesReducer = "REDUCE_PERCENTILE_${p}", groupByFields = ["metric.label.table"] }
      } }
    }] } }
  }]
  alert_tiles = [for i, m in [
    { title = "Batch keys overdue (expected_by)", type = "logging.googleapis.com/user/${google_logging_metric.overdue["batch"].name}" },
    ] : {
    xPos = i * 6, yPos = 24, width = 12, height = 4
    widget = { title = m.title, xyChart = { dataSets = [{
      plotType = "STACKED_BAR"
      timeSeriesQuery = { timeSeriesFilter = {
        filter      = "metric.type=\"${m.type}\" resource.type=\"cloud_run_revision\""
        aggregation = { alignmentPeriod = "300s", perSeriesAligner = "ALIGN_DELTA", crossSeriesReducer = "REDUCE_SUM" }
      } }
    }] } }
  }]
}

resource "google_monitoring_dashboard" "landfall" {
  dashboard_json = jsonencode({
    displayName  = "landfall: files, loads and bad days"
    mosaicLayout = { columns = 12, tiles = concat(local.latency_tiles, local.counter_tiles, local.alert_tiles) }
  })
}

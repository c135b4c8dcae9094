# The sweep's clock: Cloud Scheduler publishes a tick to its topic on the topology's schedule, and the sweep
# function (functions.tf, triggered by that topic) re-drives stuck files and logs overdue ones. Cloud Scheduler
# publishes with its own service agent, which holds the Pub/Sub publisher role by default.

resource "google_cloud_scheduler_job" "sweep" {
  name        = "${local.topology.functions["sweep"].name}-tick"
  description = "Ticks landfall's sweep: re-drive stuck files, report overdue files and batches"
  schedule    = local.topology.sweep.schedule
  time_zone   = local.topology.sweep.time_zone
  region      = local.region

  # A missed tick is made up by the next one: no retries.
  retry_config {
    retry_count = 0
  }

  pubsub_target {
    topic_name = google_pubsub_topic.sweep_ticks.id
    data       = base64encode(jsonencode({ v = 1, source = "cloud-scheduler" }))
  }

  depends_on = [google_project_service.apis]
}

# Alerts: messages piling up in the dead-letter hold subscription, loads that failed (a log-based metric on the
# loader's `{"event":"load_failed"}` log line), and files and batches the sweep found overdue (its
# `{"event":"file_overdue"}` and `{"event":"batch_overdue"}` lines, one per file or batch key). Notified by email when the topology lists addresses.

resource "google_monitoring_notification_channel" "email" {
  for_each     = toset(local.topology.alerts.emails)
  display_name = "landfall alerts: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

locals {
  notification_channels = [for c in google_monitoring_notification_channel.email : c.id]
}

resource "google_logging_metric" "failed_loads" {
  name   = "landfall/failed_loads"
  filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.topology.functions["loader"].name}\" AND jsonPayload.event=\"${local.topology.alerts.failed_load_log_event}\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  display_name          = "landfall: dead-letter backlog"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "undelivered messages in ${local.topology.dead_letter_subscription}"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.dead_letter_hold.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = local.topology.alerts.dead_letter_backlog_threshold
      duration        = "${local.topology.alerts.dead_letter_backlog_seconds}s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    content   = "Messages exhausted their retries and wait in ${local.topology.dead_letter_subscription}. Inspect them, fix the cause, then replay (`landfall replay`)."
    mime_type = "text/markdown"
  }
}

resource "google_monitoring_alert_policy" "failed_loads" {
  display_name          = "landfall: failed loads"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = "loads that moved a file to failed/"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.failed_loads.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = local.topology.alerts.failed_load_threshold
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  documentation {
    content   = "A file failed to load and was moved to gs://${local.topology.buckets["failed"].name}/ with a <name>.error.json sidecar that says why."
    mime_type = "text/markdown"
  }
}

locals {
  overdue = {
    file  = { event = local.topology.alerts.overdue_file_log_event, what = "files waiting past their mapping's max_wait" }
    batch = { event = local.topology.alerts.overdue_batch_log_event, what = "batch keys not complete by their batch's expected_by" }
  }
}

resource "google_logging_metric" "overdue" {
  for_each = local.overdue
  name     = "landfall/overdue_${each.key}s"
  filter   = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${local.topology.functions["sweep"].name}\" AND jsonPayload.event=\"${each.value.event}\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_monitoring_alert_policy" "overdue" {
  for_each              = local.overdue
  display_name          = "landfall: overdue ${each.key}s"
  combiner              = "OR"
  notification_channels = local.notification_channels

  conditions {
    display_name = each.value.what
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.overdue[each.key].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }

  documentation {
    content   = "The sweep found ${each.value.what}. `landfall status` lists them (OVERDUE column); the log line names the file or batch key and what it still waits for."
    mime_type = "text/markdown"
  }
}

# Who read or wrote which object: data-access audit logs for Cloud Storage (the buckets' access log).
resource "google_project_iam_audit_config" "storage" {
  count   = var.storage_data_access_logs ? 1 : 0
  project = var.project
  service = "storage.googleapis.com"
  audit_log_config {
    log_type = "DATA_READ"
  }
  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

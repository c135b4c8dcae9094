# Buckets (landing, archive, failed) with lifecycle rules, and the landing bucket's notification to Pub/Sub.

resource "google_storage_bucket" "bucket" {
  # checkov:skip=CKV_GCP_62:Access is logged by Cloud Audit Logs data-access logs for storage.googleapis.com (google_project_iam_audit_config.storage, monitoring.tf); GCS usage logs would need a bucket of their own
  for_each = local.topology.buckets

  name                        = each.value.name
  location                    = local.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy_buckets

  # An overwritten or deleted object is kept as a noncurrent version for noncurrent_version_days. landfall's
  # identity is (path, generation): restoring a version copies it back as a NEW generation, which the pipeline
  # treats as a correction of that path under the mapping's reupload policy (replace by default), never as the
  # old load. The loader deletes the exact generation it moved, which removes that version for good.
  versioning {
    enabled = true
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.lifecycle.nearline_after_days == null ? [] : [each.value.lifecycle.nearline_after_days]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type          = "SetStorageClass"
        storage_class = "NEARLINE"
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.lifecycle.delete_after_days == null ? [] : [each.value.lifecycle.delete_after_days]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.lifecycle.abort_incomplete_upload_after_days == null ? [] : [each.value.lifecycle.abort_incomplete_upload_after_days]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "AbortIncompleteMultipartUpload"
      }
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_days
    }
    action {
      type = "Delete"
    }
  }

  # The BigQuery loader writes NDJSON copies of files its CSV reader cannot take under this prefix and
  # deletes them after the load; a crash may leave one behind.
  lifecycle_rule {
    condition {
      age            = 1
      matches_prefix = ["_landfall_staging/"]
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

data "google_storage_project_service_account" "gcs" {}

# The GCS service agent publishes the notifications: it may publish to the arrivals topic, nowhere else.
resource "google_pubsub_topic_iam_member" "gcs_publishes_arrivals" {
  topic  = google_pubsub_topic.arrivals.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${local.gcs_service_agent}"
}

resource "google_storage_notification" "landing" {
  bucket             = google_storage_bucket.bucket["landing"].name
  topic              = google_pubsub_topic.arrivals.id
  payload_format     = "JSON_API_V1"
  event_types        = ["OBJECT_FINALIZE"]
  object_name_prefix = local.topology.buckets["landing"].prefix == "" ? null : local.topology.buckets["landing"].prefix

  depends_on = [google_pubsub_topic_iam_member.gcs_publishes_arrivals]
}

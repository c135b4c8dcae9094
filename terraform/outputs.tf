# What a person or a pipeline needs after apply.

output "landing_bucket" {
  description = "Drop files here (under the landing prefix) to load them."
  value       = "gs://${google_storage_bucket.bucket["landing"].name}/${local.topology.buckets["landing"].prefix}"
}

output "buckets" {
  description = "Bucket name by role (landing, archive, failed)."
  value       = { for role, b in google_storage_bucket.bucket : role => b.name }
}

output "topics" {
  description = "Pub/Sub topic ids by role."
  value       = local.topic_ids
}

output "dead_letter_subscription" {
  description = "Where dead letters wait for inspection and replay."
  value       = google_pubsub_subscription.dead_letter_hold.id
}

output "functions" {
  description = "Deployed function name and URL by key."
  value       = { for key, f in google_cloudfunctions2_function.fn : key => { name = f.name, url = f.url, trigger = f.event_trigger[0].trigger } }
}

output "service_accounts" {
  description = "Service account email by role."
  value       = { for key, sa in google_service_account.sa : key => sa.email }
}

output "bigquery_dataset" {
  description = "Dataset holding the loaded tables and load_metadata."
  value       = google_bigquery_dataset.warehouse.id
}

output "dbt_job" {
  description = "The dbt Cloud Run job."
  value       = google_cloud_run_v2_job.dbt.id
}

output "dbt_profile_secret" {
  description = "Secret Manager secret to add profiles.yml to (gcloud secrets versions add …); its value is never managed here."
  value       = google_secret_manager_secret.dbt_profile.id
}

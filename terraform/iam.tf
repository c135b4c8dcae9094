# One service account per function (and for the dbt job and the scheduler), each granted only what it uses,
# on the narrowest resource that can carry the grant. No project-wide editor anywhere.

locals {
  accounts = merge(
    { for key, fn in local.topology.functions : key => fn.service_account },
    { dbt = local.topology.dbt.service_account, scheduler = "landfall-scheduler" },
  )
  # Firestore and BigQuery jobs have no finer IAM resource than the project; a condition narrows Firestore
  # to landfall's database.
  firestore_condition = "resource.name.startsWith(\"projects/${var.project}/databases/${local.topology.firestore.database}\")"
}

resource "google_service_account" "sa" {
  for_each     = local.accounts
  account_id   = each.value
  display_name = "landfall ${each.key}"
}

# matcher: reads go files in landing, keeps state in Firestore, publishes load requests.
resource "google_storage_bucket_iam_member" "matcher_reads_landing" {
  bucket = google_storage_bucket.bucket["landing"].name
  role   = "roles/storage.objectViewer"
  member = google_service_account.sa["matcher"].member
}

resource "google_pubsub_topic_iam_member" "matcher_publishes_load_requests" {
  topic  = google_pubsub_topic.load_requests.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.sa["matcher"].member
}

# loader: reads and removes landed files, writes archive/ and failed/, loads BigQuery, publishes load events.
resource "google_storage_bucket_iam_member" "loader_objects" {
  for_each = toset(["landing", "archive", "failed"])
  bucket   = google_storage_bucket.bucket[each.key].name
  role     = "roles/storage.objectUser"
  member   = google_service_account.sa["loader"].member
}

resource "google_bigquery_dataset_iam_member" "loader_edits_dataset" {
  dataset_id = google_bigquery_dataset.warehouse.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.sa["loader"].member
}

resource "google_pubsub_topic_iam_member" "loader_publishes_load_events" {
  topic  = google_pubsub_topic.load_events.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.sa["loader"].member
}

# Load and query jobs are created in the project: jobUser is the narrowest grant that allows them.
resource "google_project_iam_member" "bigquery_jobs" {
  for_each = toset(["loader", "dbt"])
  project  = var.project
  role     = "roles/bigquery.jobUser"
  member   = google_service_account.sa[each.key].member
}

resource "google_project_iam_member" "firestore_users" {
  for_each = toset(["matcher", "loader", "dbtTrigger", "sweep"])
  project  = var.project
  role     = "roles/datastore.user"
  member   = google_service_account.sa[each.key].member

  condition {
    title      = "landfall-firestore-only"
    expression = local.firestore_condition
  }
}

# sweep: lists landing (files no arrival reached), reads state, re-publishes arrivals and load requests, and takes dead
# letters from its own subscription back to their topics (load events included).
resource "google_storage_bucket_iam_member" "sweep_reads_landing" {
  bucket = google_storage_bucket.bucket["landing"].name
  role   = "roles/storage.objectViewer"
  member = google_service_account.sa["sweep"].member
}

resource "google_pubsub_topic_iam_member" "sweep_publishes" {
  for_each = toset(["arrivals", "load_requests", "load_events"])
  topic    = local.topic_ids[each.key]
  role     = "roles/pubsub.publisher"
  member   = google_service_account.sa["sweep"].member
}

resource "google_pubsub_subscription_iam_member" "sweep_pulls_dead_letters" {
  subscription = google_pubsub_subscription.dead_letter_sweep.name
  role         = "roles/pubsub.subscriber"
  member       = google_service_account.sa["sweep"].member
}

# Every function may send a malformed message to the dead-letter topic itself.
resource "google_pubsub_topic_iam_member" "functions_publish_dead_letters" {
  for_each = local.topology.functions
  topic    = google_pubsub_topic.dead_letter.id
  role     = "roles/pubsub.publisher"
  member   = google_service_account.sa[each.key].member
}

# dbt-trigger: runs the dbt job with a per-batch selection (an override of the job's args).
resource "google_cloud_run_v2_job_iam_member" "trigger_runs_dbt" {
  name     = google_cloud_run_v2_job.dbt.name
  location = local.region
  role     = "roles/run.jobsExecutorWithOverrides"
  member   = google_service_account.sa["dbtTrigger"].member
}

# dbt: reads the loaded tables and writes its models in the dataset; reads its profile secret.
resource "google_bigquery_dataset_iam_member" "dbt_edits_dataset" {
  dataset_id = google_bigquery_dataset.warehouse.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.sa["dbt"].member
}

resource "google_secret_manager_secret_iam_member" "dbt_reads_profile" {
  secret_id = google_secret_manager_secret.dbt_profile.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.sa["dbt"].member
}

# scheduler: starts the dbt job on its schedule (with the schedule's args).
resource "google_cloud_run_v2_job_iam_member" "scheduler_runs_dbt" {
  name     = google_cloud_run_v2_job.dbt.name
  location = local.region
  role     = "roles/run.jobsExecutorWithOverrides"
  member   = google_service_account.sa["scheduler"].member
}

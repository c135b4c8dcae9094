# Shared names derived from the inputs, and the Google APIs the stack uses.

data "google_project" "this" {}

locals {
  topology = var.topology
  delivery = var.topology.delivery
  region   = var.topology.region

  # Google-managed service agents that act on our behalf.
  gcs_service_agent    = data.google_storage_project_service_account.gcs.email_address
  pubsub_service_agent = "service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  topic_ids = {
    arrivals      = google_pubsub_topic.arrivals.id
    load_requests = google_pubsub_topic.load_requests.id
    load_events   = google_pubsub_topic.load_events.id
    dead_letter   = google_pubsub_topic.dead_letter.id
    sweep_ticks   = google_pubsub_topic.sweep_ticks.id
  }

  apis = [
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]
}

resource "google_project_service" "apis" {
  for_each           = toset(local.apis)
  service            = each.value
  disable_on_destroy = false
}

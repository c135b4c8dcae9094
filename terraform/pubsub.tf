# Topics, the dead-letter topic and the subscription that holds dead letters. The functions' own push
# subscriptions are created by their Eventarc triggers (functions.tf), which also sets their dead-letter policy.

resource "google_pubsub_topic" "arrivals" {
  # checkov:skip=CKV_GCP_83:Google-managed encryption at rest; a customer-managed key needs a KMS key ring, rotation and service-agent grants that this module leaves to the operator
  name                       = local.topology.topics.arrivals
  message_retention_duration = "${local.delivery.message_retention_seconds}s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_topic" "load_requests" {
  # checkov:skip=CKV_GCP_83:Google-managed encryption at rest; a customer-managed key needs a KMS key ring, rotation and service-agent grants that this module leaves to the operator
  name                       = local.topology.topics.load_requests
  message_retention_duration = "${local.delivery.message_retention_seconds}s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_topic" "load_events" {
  # checkov:skip=CKV_GCP_83:Google-managed encryption at rest; a customer-managed key needs a KMS key ring, rotation and service-agent grants that this module leaves to the operator
  name                       = local.topology.topics.load_events
  message_retention_duration = "${local.delivery.message_retention_seconds}s"
  depends_on                 = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  # checkov:skip=CKV_GCP_83:Google-managed encryption at rest; a customer-managed key needs a KMS key ring, rotation and service-agent grants that this module leaves to the operator
  name                       = local.topology.topics.dead_letter
  message_retention_duration = "${local.delivery.message_retention_seconds}s"
  depends_on                 = [google_project_service.apis]
}

# Cloud Scheduler publishes the sweep's ticks here (sweep.tf); a tick older than a minute is worth nothing.
resource "google_pubsub_topic" "sweep_ticks" {
  # checkov:skip=CKV_GCP_83:Google-managed encryption at rest; a customer-managed key needs a KMS key ring, rotation and service-agent grants that this module leaves to the operator
  name                       = local.topology.topics.sweep_ticks
  message_retention_duration = "600s"
  depends_on                 = [google_project_service.apis]
}

# Dead letters wait here for a person (and the backlog alert) — a topic without a subscription drops them.
resource "google_pubsub_subscription" "dead_letter_hold" {
  name                       = local.topology.dead_letter_subscription
  topic                      = google_pubsub_topic.dead_letter.id
  ack_deadline_seconds       = 60
  retain_acked_messages      = local.delivery.retain_acked_messages
  message_retention_duration = "${local.delivery.message_retention_seconds}s"

  expiration_policy {
    ttl = ""
  }
}

# The sweep pulls dead letters from here and re-drives each to its topic the minute it sees it (sweep.tf, docs/delivery.md);
# the hold subscription above keeps every one of them for a person either way.
resource "google_pubsub_subscription" "dead_letter_sweep" {
  name                       = local.topology.dead_letter_sweep_subscription
  topic                      = google_pubsub_topic.dead_letter.id
  ack_deadline_seconds       = 60
  message_retention_duration = "${local.delivery.message_retention_seconds}s"

  expiration_policy {
    ttl = ""
  }
}

# The Pub/Sub service agent forwards undeliverable messages: publish on the dead-letter topic only.
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  topic  = google_pubsub_topic.dead_letter.id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${local.pubsub_service_agent}"
}

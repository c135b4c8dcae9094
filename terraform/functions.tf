# The Cloud Functions (gen2), each triggered by its topic through Eventarc, retrying on failure, running
# as its own service account. Values come from the topology (topology.auto.tfvars.json) and match
# `landfall deploy --dry-run` flag for flag (test/unit/deploy checks it).

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.topology.functions

  name     = each.value.name
  location = local.region

  build_config {
    runtime     = local.topology.runtime
    entry_point = each.value.entry_point
    source {
      storage_source {
        bucket = var.source_archive_bucket
        object = var.source_archive_object
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    timeout_seconds                  = each.value.timeout_seconds
    max_instance_count               = each.value.max_instances
    available_cpu                    = each.value.cpu
    max_instance_request_concurrency = each.value.concurrency
    service_account_email            = google_service_account.sa[each.key].email
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    environment_variables            = merge(each.value.environment, { GCP_PROJECT = var.project })
  }

  event_trigger {
    trigger_region        = local.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = local.topic_ids[local.trigger_roles[each.key]]
    retry_policy          = each.value.retry ? "RETRY_POLICY_RETRY" : "RETRY_POLICY_DO_NOT_RETRY"
    service_account_email = google_service_account.sa[each.key].email
  }

  depends_on = [google_project_service.apis]
}

locals {
  # Which topic role triggers each function (the tfvars carry the topic name; this maps it to the resource).
  trigger_roles = {
    for key, fn in local.topology.functions : key => one([for role, name in local.topology.topics : role if name == fn.trigger_topic])
  }
}

# The trigger's service account (the function's own) may invoke the function's Cloud Run service.
resource "google_cloud_run_v2_service_iam_member" "trigger_invokes" {
  for_each = local.topology.functions
  name     = google_cloudfunctions2_function.fn[each.key].name
  location = local.region
  role     = "roles/run.invoker"
  member   = google_service_account.sa[each.key].member
}

# Dead-lettering for gen2. The Eventarc trigger creates the push subscription itself, and neither the
# cloudfunctions2 nor the eventarc resource can set its dead-letter policy (provider issue #25069), so it
# is applied to that subscription after each (re)creation of the trigger, with the same commands that
# `landfall deploy` runs. Needs gcloud where terraform runs. See docs/production.md.
resource "terraform_data" "dead_letter_policy" {
  for_each = local.topology.functions

  triggers_replace = [
    google_cloudfunctions2_function.fn[each.key].event_trigger[0].trigger,
    local.delivery,
  ]

  provisioner "local-exec" {
    interpreter = ["bash", "-euo", "pipefail", "-c"]
    command     = <<-EOT
      SUBSCRIPTION=$(gcloud eventarc triggers describe "$TRIGGER" --project="$PROJECT" --format='value(transport.pubsub.subscription)')
      gcloud pubsub subscriptions update "$SUBSCRIPTION" --project="$PROJECT" \
        --dead-letter-topic="$DEAD_LETTER_TOPIC" --max-delivery-attempts="$MAX_ATTEMPTS" --ack-deadline="$ACK_DEADLINE" \
        --min-retry-delay="$${MIN_BACKOFF}s" --max-retry-delay="$${MAX_BACKOFF}s"
      gcloud pubsub subscriptions add-iam-policy-binding "$SUBSCRIPTION" --project="$PROJECT" \
        --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.subscriber
    EOT
    environment = {
      PROJECT           = var.project
      TRIGGER           = google_cloudfunctions2_function.fn[each.key].event_trigger[0].trigger
      DEAD_LETTER_TOPIC = google_pubsub_topic.dead_letter.id
      MAX_ATTEMPTS      = local.delivery.max_delivery_attempts
      ACK_DEADLINE      = local.delivery.ack_deadline_seconds
      MIN_BACKOFF       = local.delivery.minimum_backoff_seconds
      MAX_BACKOFF       = local.delivery.maximum_backoff_seconds
      PUBSUB_AGENT      = local.pubsub_service_agent
    }
  }

  depends_on = [google_pubsub_topic_iam_member.pubsub_agent_publishes_dead_letters]
}

# The dbt Cloud Run job (image from dbt/Dockerfile), its profile in Secret Manager, and the schedules that run it.

resource "google_secret_manager_secret" "dbt_profile" {
  secret_id = local.topology.dbt.profile_secret_id
  replication {
    auto {}
  }
  depends_on = [google_project_service.apis]
}
# The secret's VALUE (profiles.yml) is added out of band — `gcloud secrets versions add` — so it never sits
# in terraform state or in this repository.

resource "google_cloud_run_v2_job" "dbt" {
  name                = local.topology.dbt.job
  location            = local.region
  deletion_protection = var.deletion_protection

  template {
    task_count = 1
    template {
      service_account = google_service_account.sa["dbt"].email
      timeout         = "${local.topology.dbt.timeout_seconds}s"
      max_retries     = local.topology.dbt.max_retries

      containers {
        image = var.dbt_image
        resources {
          limits = {
            cpu    = local.topology.dbt.cpu
            memory = local.topology.dbt.memory
          }
        }
        env {
          name  = "DBT_PROFILES_DIR"
          value = "/secrets/dbt"
        }
        env {
          name  = "GCP_PROJECT"
          value = var.project
        }
        env {
          name  = "BQ_DATASET"
          value = local.topology.warehouse.dataset
        }
        volume_mounts {
          name       = "dbt-profile"
          mount_path = "/secrets/dbt"
        }
      }

      volumes {
        name = "dbt-profile"
        secret {
          secret = google_secret_manager_secret.dbt_profile.secret_id
          items {
            version = "latest"
            path    = "profiles.yml"
          }
        }
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.dbt_reads_profile]
}

# Cloud Scheduler runs the job through the Cloud Run Admin API (jobs:run), with the schedule's args.
resource "google_cloud_scheduler_job" "schedule" {
  for_each = { for s in local.topology.schedules : s.name => s }

  name             = each.value.name
  description      = each.value.description
  schedule         = each.value.cron
  time_zone        = each.value.time_zone
  region           = local.region
  attempt_deadline = "320s"

  retry_config {
    retry_count = 1
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project}/locations/${local.region}/jobs/${google_cloud_run_v2_job.dbt.name}:run"
    body = base64encode(jsonencode({
      overrides = { containerOverrides = [{ args = each.value.args }] }
    }))
    headers = { "Content-Type" = "application/json" }

    oauth_token {
      service_account_email = google_service_account.sa["scheduler"].email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.scheduler_runs_dbt]
}

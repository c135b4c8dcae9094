# Inputs. `topology` comes from topology.auto.tfvars.json, generated from config/topology.yaml by
# `landfall plan --tfvars --write`: never edit it by hand. The rest is per deployment (terraform.tfvars).

variable "project" {
  description = "GCP project id to deploy landfall into."
  type        = string
}

variable "source_archive_bucket" {
  description = "Bucket holding the functions' source zip (package the repo with `npm pack` or zip it; terraform does not build it)."
  type        = string
}

variable "source_archive_object" {
  description = "Object name of the functions' source zip in source_archive_bucket, e.g. `landfall-0.1.0.zip`. A new name redeploys."
  type        = string
}

variable "dbt_image" {
  description = "Container image of the dbt Cloud Run job, built from dbt/Dockerfile and pushed to Artifact Registry."
  type        = string
}

variable "force_destroy_buckets" {
  description = "Let `terraform destroy` delete non-empty buckets. Keep false in production."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the Firestore database, BigQuery dataset tables and the dbt job from `terraform destroy`."
  type        = bool
  default     = true
}

variable "topology" {
  description = "The deployed topology, generated from config/topology.yaml (topology.auto.tfvars.json)."
  type = object({
    region  = string
    runtime = string
    buckets = map(object({
      name   = string
      prefix = string
      lifecycle = object({
        nearline_after_days                = optional(number)
        delete_after_days                  = optional(number)
        abort_incomplete_upload_after_days = optional(number)
      })
    }))
    topics = object({
      arrivals      = string
      load_requests = string
      load_events   = string
      dead_letter   = string
      sweep_ticks   = string
    })
    dead_letter_subscription       = string
    dead_letter_sweep_subscription = string
    delivery = object({
      ack_deadline_seconds      = number
      minimum_backoff_seconds   = number
      maximum_backoff_seconds   = number
      max_delivery_attempts     = number
      retain_acked_messages     = bool
      message_retention_seconds = number
    })
    functions = map(object({
      name            = string
      entry_point     = string
      trigger_topic   = string
      service_account = string
      memory          = string
      timeout_seconds = number
      max_instances   = number
      concurrency     = number
      cpu             = optional(string)
      retry           = bool
      environment     = map(string)
    }))
    warehouse = object({
      dataset  = string
      location = string
    })
    firestore = object({
      database = string
      location = string
    })
    dbt = object({
      job               = string
      service_account   = string
      memory            = string
      cpu               = string
      timeout_seconds   = number
      max_retries       = number
      profile_secret_id = string
    })
    schedules = list(object({
      name        = string
      description = string
      cron        = string
      time_zone   = string
      target      = string
      args        = list(string)
    }))
    sweep = object({
      schedule  = string
      time_zone = string
    })
    alerts = object({
      emails                        = list(string)
      dead_letter_backlog_threshold = number
      dead_letter_backlog_seconds   = number
      failed_load_log_event         = string
      failed_load_threshold         = number
      overdue_file_log_event        = string
      overdue_batch_log_event       = string
    })
  })

  validation {
    condition     = alltrue([for role in ["landing", "archive", "failed"] : contains(keys(var.topology.buckets), role)])
    error_message = "topology.buckets needs landing, archive and failed."
  }
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept in the landfall buckets (versioning) before it is deleted."
  type        = number
  default     = 30
}

variable "storage_data_access_logs" {
  description = "Turn on Cloud Storage data-access audit logs for the project (the buckets' access log). Off if the organisation manages audit configs itself."
  type        = bool
  default     = true
}

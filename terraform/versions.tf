# Terraform and provider versions. terraform/validate.sh checks this configuration against the real google
# provider built from source into a filesystem mirror (see docs/production.md).
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0, < 9.0.0"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.topology.region
}

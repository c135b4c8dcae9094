# The warehouse: one BigQuery dataset for the loaded tables, and load_metadata (the same columns as DuckDB's).

resource "google_bigquery_dataset" "warehouse" {
  # checkov:skip=CKV_GCP_81:Google-managed encryption at rest; a customer-managed key needs a KMS key ring, rotation and service-agent grants that this module leaves to the operator
  dataset_id                 = local.topology.warehouse.dataset
  location                   = local.topology.warehouse.location
  description                = "landfall: tables loaded from landed files, and load_metadata."
  delete_contents_on_destroy = !var.deletion_protection
  depends_on                 = [google_project_service.apis]
}

resource "google_bigquery_table" "load_metadata" {
  # checkov:skip=CKV_GCP_80:Encrypted as its dataset is (Google-managed keys; see the dataset)
  dataset_id          = google_bigquery_dataset.warehouse.dataset_id
  table_id            = "load_metadata"
  description         = "One row per load attempt: the seed's columns first, then what operators need."
  deletion_protection = var.deletion_protection
  # Schema and clustering: local.load_metadata, generated from lib/adapters/bigquery/metadata-schema.ts
  # (load_metadata.tf.json), the definition the loader creates and migrates to. Changing clustering is an in-place
  # update; the loader then rewrites the older rows under it once, and labels the table (labels here are not exclusive).
  clustering = local.load_metadata.clustering
  schema     = jsonencode(local.load_metadata.schema)
}

resource "google_firestore_database" "state" {
  name            = local.topology.firestore.database
  location_id     = local.topology.firestore.location
  type            = "FIRESTORE_NATIVE"
  deletion_policy = var.deletion_protection ? "ABANDON" : "DELETE"
  depends_on      = [google_project_service.apis]
}

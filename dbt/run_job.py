"""Entry point of the production dbt image: runs dbt with the job's arguments, then uploads target/run_results.json
to DBT_RESULTS_URI (gs://…) when set, so the dbt trigger can record which models were built or failed.
Exits with dbt's exit code."""
import os
import subprocess
import sys


def upload(uri: str, path: str) -> None:
    # google-cloud-storage comes with dbt-bigquery; imported here so a local `python run_job.py` needs it only when used.
    from google.cloud import storage

    bucket, _, name = uri.removeprefix("gs://").partition("/")
    storage.Client().bucket(bucket).blob(name).upload_from_filename(path, content_type="application/json")


def main() -> int:
    code = subprocess.call(["dbt", *sys.argv[1:]])
    uri = os.environ.get("DBT_RESULTS_URI")
    results = os.path.join(os.environ.get("DBT_PROJECT_DIR", "."), "target", "run_results.json")
    if uri and os.path.exists(results):
        try:
            upload(uri, results)
        except Exception as error:  # the run's own outcome matters more than its report
            print(f"could not upload run_results.json to {uri}: {error}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())

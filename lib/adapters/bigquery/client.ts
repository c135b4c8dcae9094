// BigQuery and Storage clients: Application Default Credentials in production, a static token against emulators.
import { BigQuery } from '@google-cloud/bigquery';
import { Storage } from '@google-cloud/storage';
import { OAuth2Client } from 'google-auth-library';

export interface ClientOptions {
  projectId: string;
  /** `http://127.0.0.1:9050` for the emulator; absent for BigQuery itself. */
  bigqueryEndpoint?: string;
  /** `http://127.0.0.1:4443` for fake-gcs-server; absent for GCS itself. */
  storageEndpoint?: string;
}

/**
 * A client that sends a fixed bearer token and never looks for credentials: emulators accept any token, and
 * without it the auth library would probe the metadata server and the user's ADC files.
 */
export function staticTokenAuth(token = 'landfall-emulator'): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: token, expiry_date: Date.now() + 365 * 24 * 60 * 60 * 1000 });
  return auth;
}

export function bigqueryClient(options: ClientOptions): BigQuery {
  if (!options.bigqueryEndpoint) return new BigQuery({ projectId: options.projectId });
  return new BigQuery({ projectId: options.projectId, apiEndpoint: options.bigqueryEndpoint, authClient: staticTokenAuth() });
}

export function storageClient(options: ClientOptions): Storage {
  // With a custom endpoint the Storage client sends no credentials at all (fake-gcs-server wants none).
  return new Storage({ projectId: options.projectId, ...(options.storageEndpoint ? { apiEndpoint: options.storageEndpoint } : {}) });
}

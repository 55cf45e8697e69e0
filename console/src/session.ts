/**
 * @module The signed-in user's access key (sessionStorage: gone when the tab closes) and the AWS SDK
 * clients that sign every request with it in the browser (SigV4; the secret never leaves the page).
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const KEY = 'ingot-console-session';

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.accessKeyId === 'string' && typeof s.secretAccessKey === 'string' && typeof s.region === 'string') {
      return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region };
    }
  } catch {
    // a damaged entry is the same as none
  }
  return undefined;
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** The API is the server that served the console. */
const endpoint = (): string => window.location.origin;

export interface Clients {
  ib: ImagebuilderClient;
  /** Loaded on first use (only the build page tails a log). */
  logs: () => Promise<CloudWatchLogsClient>;
  region: string;
  accessKeyId: string;
}

export function clientsFor(s: Session): Clients {
  const credentials = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
  let logs: CloudWatchLogsClient | undefined;
  return {
    ib: new ImagebuilderClient({ endpoint: endpoint(), region: s.region, credentials, maxAttempts: 2 }),
    logs: async () => {
      const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
      logs ??= new CloudWatchLogsClient({ endpoint: endpoint(), region: s.region, credentials, maxAttempts: 2 });
      return logs;
    },
    region: s.region,
    accessKeyId: s.accessKeyId,
  };
}

/**
 * @module Serves the web console's built files (console/dist, made by console/build.mjs at
 * `npm ci`) under `/console/`: static files only, with a strict Content-Security-Policy; every
 * API call the console makes is a signed request to the public API beside it.
 */
import { readFile, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PATH = '/console';

const DEFAULT_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** True for requests the console answers: GET/HEAD of `/console` and below. */
export function isConsoleRequest(method: string, pathname: string): boolean {
  return (
    (method === 'GET' || method === 'HEAD') && (pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`))
  );
}

/** Serves one console request from `dir` (default: the repository's console/dist). */
export async function serveConsole(req: Request, dir = DEFAULT_DIR): Promise<Response> {
  const { pathname } = new URL(req.url);
  if (pathname === CONSOLE_PATH) {
    return new Response(null, { status: 308, headers: { location: `${CONSOLE_PATH}/` } });
  }
  if (!pathname.startsWith(`${CONSOLE_PATH}/`)) return text(404, 'Not found');
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(CONSOLE_PATH.length + 1));
  } catch {
    return text(400, 'Bad path');
  }
  if (rel === '' || !extname(rel)) rel = 'index.html';
  if (rel.split('/').some((p) => p === '..' || p === '.' || p === '') || rel.includes('\\') || rel.includes('\0')) {
    return text(404, 'Not found');
  }
  const root = await realpath(dir).catch(() => undefined);
  if (!root) {
    return text(503, 'The console is not built: run `npm run build:console` (npm ci does it) and reload.');
  }
  const file = await realpath(join(root, rel)).catch(() => undefined);
  if (!file?.startsWith(root + sep)) return text(404, 'Not found');
  const body = await readFile(file).catch(() => undefined);
  if (!body) return text(404, 'Not found');
  const hashed = /-[A-Z0-9]{8}\.[a-z0-9]+$/.test(rel);
  return new Response(req.method === 'HEAD' ? null : body, {
    status: 200,
    headers: {
      'content-type': TYPES[extname(rel)] ?? 'application/octet-stream',
      'content-length': String(body.length),
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    },
  });
}

function text(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS },
  });
}

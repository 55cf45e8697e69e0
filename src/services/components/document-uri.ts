/**
 * @module A component's document from its `uri` (CreateComponent, ImportComponent), read once when
 * the component is created, as Image Builder does: `s3://BUCKET/KEY` with the server's S3 endpoint
 * and credentials (the `s3Endpoint` setting), `https://` trusting the host's CAs and the CA bundle
 * setting. `http://` and other schemes are refused (a document fetched in clear could be altered).
 */
import { readFile } from 'node:fs/promises';
import { get } from 'node:https';
import { rootCertificates } from 'node:tls';
import { IngotError } from '../../errors/ingot-error.ts';
import { readObject, S3Bucket, type S3Endpoint } from '../../s3/index.ts';

/** Where documents named by a `uri` can come from (the server's settings). */
export interface DocumentSources {
  /** The S3-compatible service `s3://` URIs are read from; without it they are refused. */
  s3?: S3Endpoint | undefined;
  /** A PEM file of extra certificates https:// servers may be signed by (the CA bundle setting). */
  caFile?: string | undefined;
}

/** Larger documents than this are refused (AWS's inline `data` takes 16,000 characters). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
const TIMEOUT_MS = 30_000;

const bad = (uri: string, why: string) =>
  new IngotError('InvalidParameterValueException', `The value supplied for parameter 'uri' is not valid. ${why}`, {
    data: { uri },
  });

export async function readDocumentUri(uri: string, sources: DocumentSources): Promise<string> {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3) return readS3(uri, s3[1]!, s3[2]!, sources.s3);
  if (/^https:\/\//i.test(uri)) return readHttps(uri, await caPem(uri, sources.caFile));
  if (/^http:\/\//i.test(uri))
    throw bad(uri, `'${uri}' is plain http; Ingot reads component documents only over https:// or from s3://.`);
  throw bad(uri, `'${uri}' is not an S3 URI (s3://BUCKET/KEY) or an https:// URL.`);
}

async function readS3(uri: string, name: string, key: string, endpoint: S3Endpoint | undefined): Promise<string> {
  if (!endpoint)
    throw bad(uri, 'this Ingot server has no S3 endpoint for component documents (the INGOT_S3_ENDPOINT setting).');
  const bucket = new S3Bucket(endpoint, name);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of readObject(bucket, key, { signal: AbortSignal.timeout(TIMEOUT_MS) })) {
      size += chunk.byteLength;
      if (size > MAX_DOCUMENT_BYTES) throw bad(uri, `the document is larger than ${MAX_DOCUMENT_BYTES} bytes.`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof IngotError && err.awsType === 'InvalidParameterValueException') throw err;
    throw bad(uri, `the document could not be read: ${(err as Error).message}`);
  } finally {
    bucket.close();
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function caPem(uri: string, file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  return readFile(file, 'utf8').catch((err: Error) => {
    throw bad(uri, `the CA bundle '${file}' (INGOT_INSTANCE_CA_BUNDLE) cannot be read: ${err.message}`);
  });
}

function readHttps(uri: string, caPem: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(
      uri,
      { ca: caPem ? [...rootCertificates, caPem] : [...rootCertificates], timeout: TIMEOUT_MS },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(bad(uri, `the server answered HTTP ${res.statusCode ?? '?'} (200 expected).`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.byteLength;
          if (size > MAX_DOCUMENT_BYTES) {
            req.destroy();
            reject(bad(uri, `the document is larger than ${MAX_DOCUMENT_BYTES} bytes.`));
          } else chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', (err) => reject(bad(uri, `the download broke: ${err.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => reject(bad(uri, `the document could not be read: ${err.message}`)));
  });
}

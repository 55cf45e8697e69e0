/**
 * @module Why an image failed, as a structured value stored with it (`failure` on the image record):
 * the kind of failure, the stage it happened in, and the component or distribution target at fault.
 * The human reason the API shows (`state.reason`) is derived from it; retries read the kind.
 */
import type { Image, ImageStatus } from '../model/generated/shapes.ts';

export type FailureKind =
  /** A build stage or a component's build/validate phase failed. */
  | 'build'
  /** A component's test phase failed. */
  | 'test'
  /** The build ran past its time limit. */
  | 'timeout'
  /** The build's work directory passed its disk quota (`target`: the directory holding the most). */
  | 'disk-quota'
  /** ImportDiskImage could not read the disk (`target`). */
  | 'import'
  /** Copying the outputs to a region or registry (`target`) failed; RetryImage redoes only the distribution. */
  | 'distribution'
  /** The user cancelled the image. */
  | 'cancelled'
  /** The worker or Ingot stopped during the job. */
  | 'interrupted'
  /** Anything else (the error's own message). */
  | 'error';

export interface ImageFailure {
  kind: FailureKind;
  /** The stage the image was in: build, test, distribute, import, queue, or a build stage's name. */
  stage: string;
  component?: string;
  target?: string;
  /** The failing part's own words (for cancelled, interrupted and error: the whole reason). */
  detail: string;
}

/** An image record as stored: the API's Image plus its structured failure. */
export type StoredImage = Image & { failure?: ImageFailure };

/** The longest reason kept in `state.reason`. */
const MAX_REASON = 1000;

/** The human reason of a failure (the API's `state.reason`). */
export function failureReason(f: ImageFailure): string {
  const text = (() => {
    switch (f.kind) {
      case 'build':
      case 'test':
      case 'timeout':
      case 'disk-quota':
        return f.component
          ? `${f.stage} failed in component '${f.component}': ${f.detail}`
          : `${f.stage} failed: ${f.detail}`;
      case 'import':
        return `Import of ${f.target} failed: ${f.detail}`;
      case 'distribution':
        return `Distribution to ${f.target} failed: ${f.detail}`;
      default:
        return f.detail;
    }
  })();
  return text.slice(0, MAX_REASON);
}

/** The stage an image in `status` is in, for a failure that names no stage of its own. */
export function stageOf(status: ImageStatus | undefined): string {
  switch (status) {
    case 'BUILDING':
      return 'build';
    case 'TESTING':
      return 'test';
    case 'DISTRIBUTING':
      return 'distribute';
    default:
      return 'queue';
  }
}

/**
 * The image's failure: the stored one, or for records written before failures were stored, what its
 * reason says (only a distribution failure matters there: RetryImage redoes just the distribution).
 */
export function failureOf(image: StoredImage): ImageFailure | undefined {
  if (image.failure) return image.failure;
  if (image.state?.status !== 'FAILED' && image.state?.status !== 'CANCELLED') return undefined;
  const reason = image.state.reason ?? '';
  const dist = /^Distribution to (.+?) failed: ([\s\S]*)$/.exec(reason);
  if (dist) return { kind: 'distribution', stage: 'distribute', target: dist[1]!, detail: dist[2]! };
  if (image.state.status === 'CANCELLED') return { kind: 'cancelled', stage: 'queue', detail: reason };
  return { kind: 'error', stage: 'build', detail: reason };
}

/** The image as the API shows it: the stored failure stays inside (its reason is in `state.reason`). */
export function publicImage(image: StoredImage): Image {
  const { failure: _failure, ...doc } = image;
  return doc;
}

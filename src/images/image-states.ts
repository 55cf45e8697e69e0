/**
 * @module The image state machine: every ImageStatus, the transitions allowed between them, and the
 * classes of states (in progress, usable by lifecycle actions, listed by default) derived from that
 * one table. Services, worker, scheduler and lifecycle ask it; an illegal transition is an IngotError.
 */
import { IngotError } from '../errors/ingot-error.ts';
import type { ImageStatus } from '../model/generated/shapes.ts';

/** States of a build on its way (a worker or the queue has it). */
const IN_PROGRESS = ['PENDING', 'CREATING', 'BUILDING', 'TESTING', 'DISTRIBUTING', 'INTEGRATING'] as const;
/** The state a running job may be put back to (its worker stopped) or re-enter (another worker took it over). */
const REQUEUED: readonly ImageStatus[] = ['PENDING', 'BUILDING', 'FAILED', 'CANCELLED'];

/**
 * From each state, the states it may move to. A state listed under itself may be set again (with a new
 * reason, or by the worker that takes a job over).
 */
export const IMAGE_TRANSITIONS: Readonly<Record<ImageStatus, readonly ImageStatus[]>> = {
  // Queued: a worker starts the build (or the distribution of DistributeImage / RetryImage), or it ends early.
  PENDING: ['PENDING', 'BUILDING', 'DISTRIBUTING', 'FAILED', 'CANCELLED'],
  CREATING: ['PENDING', 'BUILDING', 'DISTRIBUTING', 'FAILED', 'CANCELLED'],
  BUILDING: [...REQUEUED, 'TESTING', 'DISTRIBUTING'],
  TESTING: [...REQUEUED, 'TESTING', 'DISTRIBUTING'],
  DISTRIBUTING: [...REQUEUED, 'DISTRIBUTING', 'AVAILABLE'],
  INTEGRATING: ['AVAILABLE', 'FAILED', 'CANCELLED'],
  // DistributeImage copies an available image; lifecycle actions and StartResourceStateUpdate change the rest.
  AVAILABLE: ['AVAILABLE', 'DISTRIBUTING', 'DEPRECATED', 'DISABLED', 'DELETED'],
  DEPRECATED: ['DEPRECATED', 'AVAILABLE', 'DISABLED', 'DELETED'],
  DISABLED: ['DISABLED', 'AVAILABLE', 'DEPRECATED', 'DELETED'],
  // RetryImage queues it again; a lifecycle DELETE removes it.
  FAILED: ['PENDING', 'DELETED'],
  CANCELLED: ['PENDING', 'DELETED'],
  DELETED: [],
};

export const IMAGE_STATUSES = Object.keys(IMAGE_TRANSITIONS) as ImageStatus[];

export function canTransition(from: ImageStatus, to: ImageStatus): boolean {
  return IMAGE_TRANSITIONS[from].includes(to);
}

/** Throws when the image may not move from `from` to `to` (a state that was never set counts as PENDING). */
export function assertTransition(from: ImageStatus | undefined, to: ImageStatus, arn = 'the image'): void {
  const start = from ?? 'PENDING';
  if (!canTransition(start, to))
    throw new IngotError('ResourceInUseException', `The image '${arn}' is ${start} and cannot become ${to}.`, {
      data: { from: start, to },
    });
}

/** A build is on its way: it can be cancelled, and the image not deleted. */
export function isInProgress(status: ImageStatus | undefined): boolean {
  return status !== undefined && (IN_PROGRESS as readonly string[]).includes(status);
}

/** A run of the image ended (a pipeline records it): AVAILABLE, FAILED or CANCELLED. */
export function endsRun(status: ImageStatus): boolean {
  return status === 'AVAILABLE' || status === 'FAILED' || status === 'CANCELLED';
}

/**
 * Built and not deleted (AVAILABLE, DEPRECATED, DISABLED: those that can become DEPRECATED): the image has
 * outputs, and lifecycle actions may still change it.
 */
export const BUILT_STATES: readonly ImageStatus[] = IMAGE_STATUSES.filter((s) => canTransition(s, 'DEPRECATED'));

export function isBuilt(status: ImageStatus | undefined): boolean {
  return status !== undefined && BUILT_STATES.includes(status);
}

/** States ListImages shows without `includeDeprecated`. */
export const LISTED_BY_DEFAULT: readonly ImageStatus[] = IMAGE_STATUSES.filter(
  (s) => s !== 'DEPRECATED' && s !== 'DELETED',
);

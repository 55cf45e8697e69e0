/**
 * @module The kinds of queued jobs and the markers the worker dispatches on. Services enqueue these,
 * the worker claims them; both import from here, below them in the layers.
 */

/** The one job kind of every image build, import and distribution retry today. */
export const BUILD_JOB_KIND = 'build-image';

/** The `buildType` of images made by ImportDiskImage (the AWS value). */
export const IMPORT_BUILD_TYPE = 'IMPORT_ISO';

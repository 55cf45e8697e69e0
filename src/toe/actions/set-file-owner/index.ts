/** @module SetFileOwner: runs `chown` on a file inside the instance. */
import { defineOwnership } from '../ownership.ts';

export const setFileOwner = defineOwnership('SetFileOwner', 'file', 'chown');

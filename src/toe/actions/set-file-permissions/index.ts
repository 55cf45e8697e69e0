/** @module SetFilePermissions: runs `chmod` on a file inside the instance. */
import { defineOwnership } from '../ownership.ts';

export const setFilePermissions = defineOwnership('SetFilePermissions', 'file', 'chmod');

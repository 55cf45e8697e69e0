/** @module SetFolderPermissions: runs `chmod` on a folder inside the instance (recursive unless `recursive: false`). */
import { defineOwnership } from '../ownership.ts';

export const setFolderPermissions = defineOwnership('SetFolderPermissions', 'folder', 'chmod');

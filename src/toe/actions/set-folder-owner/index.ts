/** @module SetFolderOwner: runs `chown` on a folder inside the instance (recursive unless `recursive: false`). */
import { defineOwnership } from '../ownership.ts';

export const setFolderOwner = defineOwnership('SetFolderOwner', 'folder', 'chown');

/** @module MoveFolder: moves a folder (or every folder matching a `*` pattern) to a destination inside the instance. */
import { defineTransfer } from '../transfer.ts';

export const moveFolder = defineTransfer('MoveFolder', 'folder', 'move');

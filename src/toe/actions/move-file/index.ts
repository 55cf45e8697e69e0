/** @module MoveFile: moves a file (or every file matching a `*` pattern) to a destination inside the instance. */
import { defineTransfer } from '../transfer.ts';

export const moveFile = defineTransfer('MoveFile', 'file', 'move');

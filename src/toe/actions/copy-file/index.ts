/** @module CopyFile: copies a file (or every file matching a `*` pattern) to a destination inside the instance. */
import { defineTransfer } from '../transfer.ts';

export const copyFile = defineTransfer('CopyFile', 'file', 'copy');

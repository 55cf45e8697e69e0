/** @module CopyFolder: copies a folder (or every folder matching a `*` pattern) to a destination inside the instance. */
import { defineTransfer } from '../transfer.ts';

export const copyFolder = defineTransfer('CopyFolder', 'folder', 'copy');

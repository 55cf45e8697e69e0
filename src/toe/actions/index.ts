/** @module The action-module registry: one explicit, ordered list (the order `ingot toe` documents them in). */
import type { ActionDefinition } from './define.ts';
import { executeBash } from './execute-bash/index.ts';
import { executeBinary } from './execute-binary/index.ts';
import { executeDocument } from './execute-document/index.ts';
import { createFile } from './create-file/index.ts';
import { appendFile } from './append-file/index.ts';
import { readFile } from './read-file/index.ts';
import { deleteFile } from './delete-file/index.ts';
import { copyFile } from './copy-file/index.ts';
import { moveFile } from './move-file/index.ts';
import { createFolder } from './create-folder/index.ts';
import { deleteFolder } from './delete-folder/index.ts';
import { copyFolder } from './copy-folder/index.ts';
import { moveFolder } from './move-folder/index.ts';
import { listFiles } from './list-files/index.ts';
import { setFileEncoding } from './set-file-encoding/index.ts';
import { setFileOwner } from './set-file-owner/index.ts';
import { setFolderOwner } from './set-folder-owner/index.ts';
import { setFilePermissions } from './set-file-permissions/index.ts';
import { setFolderPermissions } from './set-folder-permissions/index.ts';
import { createSymlink } from './create-symlink/index.ts';
import { webDownload } from './web-download/index.ts';
import { s3Download } from './s3-download/index.ts';
import { s3Upload } from './s3-upload/index.ts';
import { updateOs } from './update-os/index.ts';
import { reboot } from './reboot/index.ts';
import { assert } from './assert/index.ts';
import { executePowerShell, installMsi, setRegistry, uninstallMsi } from './windows-only/index.ts';

export const ACTIONS: readonly ActionDefinition[] = [
  executeBash,
  executeBinary,
  executeDocument,
  createFile,
  appendFile,
  readFile,
  deleteFile,
  copyFile,
  moveFile,
  createFolder,
  deleteFolder,
  copyFolder,
  moveFolder,
  listFiles,
  setFileEncoding,
  setFileOwner,
  setFolderOwner,
  setFilePermissions,
  setFolderPermissions,
  createSymlink,
  webDownload,
  s3Download,
  s3Upload,
  updateOs,
  reboot,
  assert,
  executePowerShell,
  installMsi,
  uninstallMsi,
  setRegistry,
];

export const ACTION_NAMES: readonly string[] = ACTIONS.map((a) => a.name);

const BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

export function findAction(name: string): ActionDefinition | undefined {
  return BY_NAME.get(name);
}

export type { ActionContext, ActionDefinition, ActionOutcome, S3Options } from './define.ts';
export { ActionFailure, defineAction } from './define.ts';

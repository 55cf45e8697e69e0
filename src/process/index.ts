/** @module The one process runner: `runCommand` (to the end), `startCommand` (long-lived or streamed), the tool probe. */
export { CommandFailed, type CommandExit } from './command-failed.ts';
export { type Confinement, runCommand, type RunOptions } from './run.ts';
export { startCommand, type StartOptions, type StartedCommand } from './start.ts';
export { findTool, hasTool, missingTool } from './tools.ts';
export { processStart } from './process-start.ts';
export { ownerAlive, writeOwner } from './owner.ts';

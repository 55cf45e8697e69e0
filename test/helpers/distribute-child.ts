/**
 * @module Runs one `distribute()` in a process of its own, so that a test can measure that process's
 * memory: reads the DistributeInput as JSON from argv[2], prints `{ outputResources, ms, vmHwmKb }`
 * on stdout and the progress lines on stderr.
 */
import { readFileSync } from 'node:fs';
import { distribute, type DistributeInput } from '../../src/distribution/distribute.ts';

const input = JSON.parse(process.argv[2]!) as DistributeInput;
const started = Date.now();
const outputResources = await distribute({ ...input, log: (line) => process.stderr.write(`${line}\n`) });
const ms = Date.now() - started;
const vmHwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
process.stdout.write(`${JSON.stringify({ outputResources, ms, vmHwmKb })}\n`);

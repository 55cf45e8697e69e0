/** @module OCI image config: runtime settings, rootfs diff_ids and one history entry per layer. */
import type { Digest } from '../digest.ts';

/** The `config` object of an OCI image config (Docker-compatible field names). */
export interface ImageRuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface OciImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config: ImageRuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history: HistoryEntry[];
}

export interface NewLayer {
  diffId: Digest;
  /** What made the layer, e.g. `ingot component arn:...:component/nginx/1.0.0/1`. */
  createdBy: string;
  comment?: string;
}

export interface BuildImageConfigOptions {
  /** Config of the parent image: its layers, history and runtime settings are inherited. */
  parent?: OciImageConfig;
  layers: NewLayer[];
  /** Settings applied over the parent's (Env is merged by variable name, Labels/ExposedPorts by key). */
  runtime?: ImageRuntimeConfig;
  /** RFC 3339; defaults to now (pass a fixed value for reproducible configs). */
  created?: string;
  architecture?: string;
  os?: string;
  author?: string;
}

/** Merges `KEY=value` lists; later values win, order of first appearance kept. */
export function mergeEnv(base: readonly string[] = [], over: readonly string[] = []): string[] {
  const byName = new Map<string, string>();
  for (const entry of [...base, ...over]) byName.set(entry.split('=', 1)[0]!, entry);
  return [...byName.values()];
}

export function mergeRuntime(base: ImageRuntimeConfig = {}, over: ImageRuntimeConfig = {}): ImageRuntimeConfig {
  const merged: ImageRuntimeConfig = { ...base, ...over };
  if (base.Env || over.Env) merged.Env = mergeEnv(base.Env, over.Env);
  if (base.Labels || over.Labels) merged.Labels = { ...base.Labels, ...over.Labels };
  if (base.ExposedPorts || over.ExposedPorts) merged.ExposedPorts = { ...base.ExposedPorts, ...over.ExposedPorts };
  if (base.Volumes || over.Volumes) merged.Volumes = { ...base.Volumes, ...over.Volumes };
  // Like Docker: a new ENTRYPOINT resets an inherited CMD.
  if (over.Entrypoint !== undefined && over.Cmd === undefined) delete merged.Cmd;
  return merged;
}

export function buildImageConfig(opts: BuildImageConfigOptions): OciImageConfig {
  const created = opts.created ?? new Date().toISOString();
  const parent = opts.parent;
  const config: OciImageConfig = {
    created,
    architecture: opts.architecture ?? parent?.architecture ?? 'amd64',
    os: opts.os ?? parent?.os ?? 'linux',
    config: mergeRuntime(parent?.config, opts.runtime),
    rootfs: { type: 'layers', diff_ids: [...(parent?.rootfs.diff_ids ?? []), ...opts.layers.map((l) => l.diffId)] },
    history: [
      ...(parent?.history ?? []),
      ...opts.layers.map(
        (l): HistoryEntry => ({
          created,
          created_by: l.createdBy,
          ...(l.comment ? { comment: l.comment } : {}),
          ...(opts.author ? { author: opts.author } : {}),
        }),
      ),
    ],
  };
  if (opts.author) config.author = opts.author;
  return config;
}

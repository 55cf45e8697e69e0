/**
 * @module What build instances get from the host so HTTPS works where the host's does: a CA bundle
 * (copied to /tmp/ingot-host-ca/ca-bundle.pem inside, never part of a layer, and named by the
 * environment variables OpenSSL, curl, Python, Node, git, the AWS CLI and pip read) and the proxy
 * variables, from the settings (INGOT_INSTANCE_CA_BUNDLE, INGOT_INSTANCE_PROXY and the host's proxy
 * variables, resolved once at start-up).
 */
import type { BuildSettings } from '../config/settings.ts';
import type { ExecParams, ExecResult, Instance } from './types.ts';
import type { Confinement } from '../process/index.ts';

export interface InstancePassIn {
  /** Host path of a PEM CA bundle to hand to every step (INGOT_INSTANCE_CA_BUNDLE). */
  caBundle?: string;
  /** Proxy variables set in every step (the host's http_proxy, https_proxy, no_proxy, ... by default). */
  proxyEnv?: Readonly<Record<string, string>>;
}

export const INSTANCE_CA_PATH = '/tmp/ingot-host-ca/ca-bundle.pem';

const CA_VARIABLES = [
  'SSL_CERT_FILE',
  'CURL_CA_BUNDLE',
  'REQUESTS_CA_BUNDLE',
  'NODE_EXTRA_CA_CERTS',
  'GIT_SSL_CAINFO',
  'AWS_CA_BUNDLE',
  'PIP_CERT',
];

/** The host's CA bundle on Debian (what `INGOT_INSTANCE_CA_BUNDLE=host` means). */
export const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** What instances get, from the settings: INGOT_INSTANCE_CA_BUNDLE (a PEM path, or `host`) and the proxy variables. */
export function instancePassIn(
  s: Partial<Pick<BuildSettings, 'instanceCaBundle' | 'instanceProxy' | 'proxyEnv'>>,
): InstancePassIn {
  const out: InstancePassIn = {};
  const ca = s.instanceCaBundle?.trim();
  if (ca) out.caBundle = ca === 'host' ? HOST_CA_BUNDLE : ca;
  if (s.instanceProxy !== 'off' && s.proxyEnv && Object.keys(s.proxyEnv).length) out.proxyEnv = { ...s.proxyEnv };
  return out;
}

export const hasPassIn = (p: InstancePassIn | undefined): p is InstancePassIn =>
  p !== undefined && (p.caBundle !== undefined || Object.keys(p.proxyEnv ?? {}).length > 0);

/**
 * An instance whose every exec also gets the pass-in environment; the CA bundle is copied in
 * before the first exec and again after a reboot (a VM's /tmp may not survive one).
 */
export class PassInInstance implements Instance {
  readonly #inner: Instance;
  readonly #passIn: InstancePassIn;
  readonly #env: Record<string, string>;
  #copied: Promise<void> | undefined;

  constructor(inner: Instance, passIn: InstancePassIn) {
    this.#inner = inner;
    this.#passIn = passIn;
    this.#env = { ...passIn.proxyEnv };
    if (passIn.caBundle) for (const k of CA_VARIABLES) this.#env[k] = INSTANCE_CA_PATH;
  }
  get kind() {
    return this.#inner.kind;
  }
  get id() {
    return this.#inner.id;
  }
  /** The instance being wrapped (for callers that need its own methods). */
  get inner(): Instance {
    return this.#inner;
  }

  async exec(params: ExecParams): Promise<ExecResult> {
    await this.#copyCa();
    return this.#inner.exec({ ...params, env: { ...this.#env, ...params.env } });
  }
  #copyCa(): Promise<void> {
    const ca = this.#passIn.caBundle;
    if (!ca) return Promise.resolve();
    this.#copied ??= (async () => {
      const r = await this.#inner.exec({ argv: ['mkdir', '-p', '/tmp/ingot-host-ca'] });
      if (r.exitCode !== 0) throw new Error(`cannot pass the CA bundle in: ${r.stderr.trim()}`);
      await this.#inner.copyIn(ca, INSTANCE_CA_PATH);
    })().catch((err) => {
      this.#copied = undefined;
      throw err;
    });
    return this.#copied;
  }
  copyIn(from: string, to: string) {
    return this.#inner.copyIn(from, to);
  }
  copyOut(from: string, to: string, run?: Confinement) {
    return this.#inner.copyOut(from, to, run);
  }
  async reboot() {
    await this.#inner.reboot();
    this.#copied = undefined;
  }
  close() {
    return this.#inner.close();
  }
}

/** `instance` with the pass-in applied, or as it is when there is nothing to pass. */
export const withPassIn = (instance: Instance, passIn: InstancePassIn | undefined): Instance =>
  hasPassIn(passIn) ? new PassInInstance(instance, passIn) : instance;

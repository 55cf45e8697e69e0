/**
 * @module The error a build fails with: which stage and component, and the step's own reason.
 */
export class BuildFailure extends Error {
  readonly stage: string;
  readonly component: string | undefined;
  constructor(stage: string, message: string, component?: string, options?: { cause?: unknown }) {
    super(
      component ? `${stage} failed in component '${component}': ${message}` : `${stage} failed: ${message}`,
      options,
    );
    this.name = 'BuildFailure';
    this.stage = stage;
    this.component = component;
  }
}

export class BuildCancelled extends Error {
  constructor() {
    super('the build was cancelled');
    this.name = 'BuildCancelled';
  }
}

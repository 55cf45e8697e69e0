/**
 * @module The error a build fails with: which stage and component, and the step's own reason.
 */
export class BuildFailure extends Error {
  readonly stage: string;
  readonly component: string | undefined;
  /** The failing part's own words (the message without the stage and component). */
  readonly detail: string;
  constructor(stage: string, message: string, component?: string, options?: { cause?: unknown }) {
    super(
      component ? `${stage} failed in component '${component}': ${message}` : `${stage} failed: ${message}`,
      options,
    );
    this.name = 'BuildFailure';
    this.stage = stage;
    this.component = component;
    this.detail = message;
  }
}

/** The build ran past its time limit. */
export class BuildTimeout extends BuildFailure {
  constructor(timeoutMs: number) {
    super('build', `the build did not finish within its timeout of ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'BuildTimeout';
  }
}

export class BuildCancelled extends Error {
  constructor() {
    super('the build was cancelled');
    this.name = 'BuildCancelled';
  }
}

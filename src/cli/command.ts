/** @module The shape of one `ingot` verb (`src/cli/commands/<verb>.ts`), loaded by the dispatcher in main.ts. */

export interface CommandModule {
  /** One line for `ingot --help`. */
  summary: string;
  /** Full usage text for `ingot VERB --help`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** @module Side-effect style imports, which esbuild bundles into the CSS file. */
declare module '*.css';

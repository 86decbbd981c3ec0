/** The build's virtual module (tools/playground.ts): the curated files, by absolute path ("/scenarios/x.yaml"). */
export declare const BUNDLED_FILES: Record<string, string>;

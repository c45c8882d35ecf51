// Types for build-server.mjs, which the benchmark (TypeScript) imports.
export declare const repositoryRoot: string;
export declare const serverBundle: string;
export declare const serverNodeOptions: string[];
export declare function serverEnvironment(environment?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function bundleForNode(entryPoint: string, outfile: string): Promise<void>;

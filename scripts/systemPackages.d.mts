// Types of systemPackages.mjs for the TypeScript tests.
export declare function ensureDebianPackages(pkgs: string[], why: string, log?: (line: string) => void): void;

// Types of codeServer.mjs for the TypeScript tests that start a VS Code.
export declare const repoRoot: string;
export declare const CODE_SERVER_VERSION: string;
export declare const NODE24_VERSION: string;
export declare const installDir: string;

export interface CodeServerInstall {
  /** The Node 24 binary that runs code-server. */
  node: string;
  /** code-server's out/node/entry.js. */
  entry: string;
}
export declare function ensureCodeServer(options?: { log?: (line: string) => void }): Promise<CodeServerInstall>;

export declare function freePort(): Promise<number>;

export interface CodeServerOptions {
  /** The folder VS Code opens. */
  workspace: string;
  /** A .vsix to install first (with --force). */
  vsix?: string;
  /** Where HOME, XDG_*, TMPDIR, user data and extensions live; a temporary folder (removed on stop) if absent. */
  scratch?: string;
  /** User settings, merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Keep workspace trust on, so the folder opens in Restricted Mode (default: trust is off, everything trusted). */
  restricted?: boolean;
  /** A fixed port on 127.0.0.1; a free one if absent. */
  port?: number;
  log?: (line: string) => void;
}

export interface RunningCodeServer {
  /** http://127.0.0.1:PORT/?folder=… */
  url: string;
  port: number;
  scratch: string;
  logFile: string;
  /** Settles with the exit code when code-server ends, for whatever reason. */
  exited: Promise<number | null>;
  /** Ends code-server's whole process group. */
  stop(): Promise<void>;
}
export declare function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer>;

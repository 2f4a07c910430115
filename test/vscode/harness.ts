/**
 * A real VS Code for tests: code-server with the packaged extension installed, on a scratch
 * copy of a workspace, driven by Debian's chromium through playwright-core. Every panel test
 * reuses it: open, run commands from the palette, read notifications and webview frames,
 * take screenshots into test-artifacts/, close.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { startCodeServer, type RunningCodeServer } from '../../scripts/codeServer.mjs';
import { ensureDebianPackages } from '../../scripts/systemPackages.mjs';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const artifactsDir = path.join(repoRoot, 'test-artifacts');
export const defaultVsix = path.join(repoRoot, 'dist', 'neural-ode-studio.vsix');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenOptions {
  /** Names the screenshots' and logs' folder in test-artifacts/. */
  name: string;
  /** The folder to copy and open (default examples/); the copy is thrown away on close. */
  workspace?: string;
  /** User settings for this VS Code. */
  settings?: Record<string, unknown>;
  /** Open the workspace in Restricted Mode (untrusted); default trusted. */
  restricted?: boolean;
  /** The extension to install (default dist/neural-ode-studio.vsix, from `npm run package`). */
  vsix?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * examples/tsconfig.json maps 'neural-ode-studio' to ../engine/src, which a scratch copy lacks:
 * point it at this checkout's engine, so the editor resolves the import as it does in place.
 */
function pointTsconfigAtEngine(workspace: string): void {
  const file = path.join(workspace, 'tsconfig.json');
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace('"../engine/src/index.ts"', JSON.stringify(path.join(repoRoot, 'engine', 'src', 'index.ts'))));
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class VsCode {
  private constructor(
    readonly name: string,
    readonly page: Page,
    /** The workspace folder VS Code has open (a scratch copy). */
    readonly workspace: string,
    readonly url: string,
    private readonly browser: Browser,
    private readonly server: RunningCodeServer,
    private readonly scratch: string,
  ) {}

  static async open(options: OpenOptions): Promise<VsCode> {
    const vsix = options.vsix ?? defaultVsix;
    if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first (npm test does).`);
    ensureDebianPackages(['chromium'], 'the real-VS-Code tests');
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `neural-ode-vscode-${options.name}-`));
    const workspace = path.join(scratch, 'workspace');
    fs.cpSync(options.workspace ?? path.join(repoRoot, 'examples'), workspace, { recursive: true });
    pointTsconfigAtEngine(workspace);
    let server: RunningCodeServer | undefined;
    let browser: Browser | undefined;
    try {
      server = await startCodeServer({ workspace, vsix, scratch: path.join(scratch, 'code-server'), settings: options.settings, restricted: options.restricted });
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(server.url);
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
      return new VsCode(options.name, page, workspace, server.url, browser, server, scratch);
    } catch (err) {
      await browser?.close();
      const log = server ? fs.readFileSync(server.logFile, 'utf8').slice(-3000) : '';
      await server?.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
      throw new Error(`VS Code did not open: ${(err as Error).message}${log ? `\ncode-server log:\n${log}` : ''}`, { cause: err });
    }
  }

  /** Runs a command by its palette title ("Category: Title"), retrying until it is registered. */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const label = new RegExp(`^${escapeRegExp(title)}$`);
    for (;;) {
      await this.page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      try {
        await input.fill(`>${title}`, { timeout: 5_000 });
      } catch (err) {
        // Opened while a webview held the focus, the palette can stay inert: close it, give the
        // focus back to the workbench (its status bar) and open it again.
        if (Date.now() > deadline) throw err;
        await this.page.keyboard.press('Escape');
        await this.page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } });
        continue;
      }
      const row = this.page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ has: this.page.locator('.label-name', { hasText: label }) })
        .first();
      try {
        await row.waitFor({ state: 'visible', timeout: 2_000 });
        await row.click();
        await input.waitFor({ state: 'hidden', timeout: 5_000 });
        return;
      } catch {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) {
          await this.screenshot('palette-timeout');
          throw new Error(`The command "${title}" did not appear in the command palette within ${timeoutMs / 1000} s (see test-artifacts/${this.name}).`);
        }
        await sleep(1_000); // the extension may still be activating
      }
    }
  }

  /**
   * Waits for a notification toast whose text matches, and returns that text. A caller that
   * retries passes `screenshotOnTimeout: false` so that a passing test leaves no failure picture.
   */
  async waitForNotification(text: RegExp, options: { timeoutMs?: number; screenshotOnTimeout?: boolean } = {}): Promise<string> {
    const { timeoutMs = 30_000, screenshotOnTimeout = true } = options;
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = (await this.toastMessages.allTextContents()).map((t) => t.trim());
      const hit = seen.find((t) => text.test(t));
      if (hit !== undefined) return hit;
      await sleep(200);
    }
    if (screenshotOnTimeout) await this.screenshot('notification-timeout');
    throw new Error(`No notification matched ${text} within ${timeoutMs / 1000} s; visible: ${JSON.stringify(seen)}`);
  }

  /** Expands the toast whose text matches, so that a screenshot shows all of it. */
  async expandNotification(text: RegExp): Promise<void> {
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ has: this.page.locator('.notification-list-item-message', { hasText: text }) }).first();
    await toast.hover();
    const expand = toast.locator('.codicon-notifications-expand');
    if (await expand.isVisible()) await expand.click();
  }

  /** The extension's own log (its "Neural ODE" output channel) so far; '' before it activates. */
  extensionLog(): string {
    const logs = path.join(this.server.scratch, 'user-data', 'logs');
    if (!fs.existsSync(logs)) return '';
    return fs
      .readdirSync(logs, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith(path.join('neural-ode-studio.neural-ode-studio', 'Neural ODE.log')))
      .sort()
      .map((f) => fs.readFileSync(path.join(logs, f), 'utf8'))
      .join('');
  }

  /**
   * Runs a palette command and waits until the extension logs a line matching `logged`. The
   * palette, just after the window opened, now and then takes the pick without running it: when
   * nothing is logged within 20 s the command is run once more.
   */
  async runLoggedCommand(title: string, logged: RegExp): Promise<void> {
    const count = () => this.extensionLog().split('\n').filter((l) => logged.test(l)).length;
    const before = count();
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(title);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if (count() > before) return;
        await sleep(200);
      }
      if (attempt === 2) {
        await this.screenshot('command-not-run');
        throw new Error(`"${title}" logged no line matching ${logged} within 20 s, twice; the log ends:\n${this.extensionLog().split('\n').slice(-10).join('\n')}`);
      }
    }
  }

  /** Train Experiment from the palette, on the active editor's file, once the run has begun. */
  trainExperiment(): Promise<void> {
    return this.runLoggedCommand('Neural ODE: Train Experiment', /\] train: /);
  }

  /** Opens a workspace file in an editor through Quick Open (Ctrl+P). */
  async openFile(relativePath: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await this.page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(relativePath);
    const name = path.basename(relativePath);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ state: 'visible', timeout: 10_000 });
  }

  private get toastMessages() {
    return this.page.locator('.notifications-toasts .notification-toast .notification-list-item-message');
  }

  /** Writes the workspace's .vscode/settings.json; VS Code picks the change up without a reload. */
  setWorkspaceSettings(settings: Record<string, unknown>): void {
    const dir = path.join(this.workspace, '.vscode');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
  }

  /** Saves a screenshot of the whole window as test-artifacts/<test>/<name>.png. */
  async screenshot(name: string): Promise<string> {
    const file = path.join(artifactsDir, this.name, `${name}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Waits until `read` returns a value `ok` accepts and returns it; on timeout, a screenshot and the last value seen. */
  async until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    for (;;) {
      try {
        last = await read();
        if (ok(last)) return last;
      } catch {
        // a webview frame may be reloading
      }
      if (Date.now() > deadline) {
        await this.screenshot(`timeout-${what.replace(/\W+/g, '-')}`);
        throw new Error(`${what}: not reached within ${timeoutMs / 1000} s; last seen ${JSON.stringify(last)}`);
      }
      await sleep(150);
    }
  }

  /** Collects the page's Content-Security-Policy refusals from now on (panels must cause none). */
  watchCsp(): string[] {
    const violations: string[] = [];
    this.page.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|apply|execute)/i.test(m.text())) violations.push(m.text());
    });
    return violations;
  }

  /**
   * Runs a palette command that opens the panel with this tab title, and waits for its tab. The
   * palette, just after the window opened, now and then takes the pick without running it: the
   * command is then run once more.
   */
  async openPanel(command: string, panelTitle: string): Promise<void> {
    const tab = this.page.locator('.tabs-container .tab', { hasText: panelTitle }).first();
    for (let attempt = 1; ; attempt++) {
      await this.runCommand(command);
      try {
        await tab.waitFor({ state: 'attached', timeout: 15_000 });
        return;
      } catch (err) {
        if (attempt === 2) throw err;
      }
    }
  }

  /** The content frame of the webview panel whose editor tab has this title (the tab is activated). */
  async frameOf(panelTitle: string): Promise<FrameLocator> {
    const tab = this.page.locator('.tabs-container .tab', { hasText: panelTitle }).first();
    await tab.click();
    const outer = this.page.locator('iframe.webview.ready:visible').first();
    await outer.waitFor({ state: 'attached', timeout: 30_000 });
    return outer.contentFrame().frameLocator('iframe#active-frame');
  }

  /** <body>'s data attributes of the panel with this tab title (what a panel says it drew). */
  async dataset(panelTitle: string): Promise<Record<string, string>> {
    const frame = await this.frameOf(panelTitle);
    return frame.locator('body').evaluate((b) => ({ ...(b as unknown as { dataset: Record<string, string> }).dataset }));
  }

  /** Closes the browser and code-server; keeps VS Code's logs in test-artifacts/<test>/logs. */
  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    const keep = path.join(artifactsDir, this.name, 'logs');
    fs.rmSync(keep, { recursive: true, force: true });
    fs.mkdirSync(keep, { recursive: true });
    fs.copyFileSync(this.server.logFile, path.join(keep, 'code-server.log'));
    const vscodeLogs = path.join(this.server.scratch, 'user-data', 'logs');
    if (fs.existsSync(vscodeLogs)) fs.cpSync(vscodeLogs, keep, { recursive: true });
    fs.rmSync(this.scratch, { recursive: true, force: true });
  }
}

type Locator = ReturnType<FrameLocator['locator']>;

/** Whether a panel's vscode-checkbox is checked. */
export const isChecked = (box: Locator): Promise<boolean> => box.evaluate((el) => (el as unknown as { checked: boolean }).checked);

/** Checks or unchecks a panel's vscode-checkbox, clicking again if a click is lost (a busy machine can drop one). */
export async function setChecked(box: Locator, on: boolean, what: string): Promise<void> {
  await box.waitFor({ state: 'visible', timeout: 30_000 });
  for (let attempt = 0; attempt < 5 && (await isChecked(box)) !== on; attempt++) {
    await box.click();
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline && (await isChecked(box)) !== on) await sleep(100);
  }
  if ((await isChecked(box)) !== on) throw new Error(`${what}: the checkbox stayed ${on ? 'unchecked' : 'checked'} after five clicks`);
}

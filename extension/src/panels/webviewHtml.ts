/**
 * The HTML shell of a panel: a strict Content-Security-Policy (scripts only with this page's
 * nonce, styles and fonts only from the extension, images only from the extension or data:,
 * nothing remote), the shared and the panel's stylesheets from media/ and its bundle from dist/webview/.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** Where a panel may load files from: its bundles and its stylesheets, nothing else. */
export function panelResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: panelResourceRoots(extensionUri) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, opts: { bundle: string; stylesheet: string; title: string }): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${opts.bundle}.js`));
  const base = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', opts.stylesheet));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${base.toString()}">
<link rel="stylesheet" href="${style.toString()}">
<title>${escapeHtml(opts.title)}</title>
</head>
<body>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/**
 * How every panel is registered: the commands that open it, and the serializer that brings it
 * back after a window reload (from the state its webview saved).
 */
import * as vscode from 'vscode';

export function registerPanel(
  viewType: string,
  revive: (panel: vscode.WebviewPanel, state: unknown) => void,
  commands: Record<string, (...args: unknown[]) => unknown>,
): vscode.Disposable[] {
  return [
    ...Object.entries(commands).map(([command, run]) => vscode.commands.registerCommand(command, run)),
    vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => revive(panel, state),
    }),
  ];
}

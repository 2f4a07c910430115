/**
 * A one-per-window panel of an experiment: the command that opens it on the file or run it is
 * given, and the serializer that brings it back after a window reload.
 */
import * as vscode from 'vscode';
import type { FieldSource } from '../../../webview/src/protocol';

export function registerPanelCommand(
  command: string,
  viewType: string,
  sourceFromArgs: (args: readonly unknown[]) => FieldSource | undefined,
  open: (source: FieldSource) => void,
  revive: (panel: vscode.WebviewPanel, state: unknown) => void,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(command, (...args: unknown[]) => {
      const source = sourceFromArgs(args);
      if (source) open(source);
    }),
    vscode.window.registerWebviewPanelSerializer(viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) => revive(panel, state),
    }),
  ];
}

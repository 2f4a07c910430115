/** Typed access to the extension's settings; read on use, so changes apply without a reload. */
import * as vscode from 'vscode';
import type { BackendPreference } from '../../engine/src/protocol';

const backends: readonly BackendPreference[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

export function backendPreference(): BackendPreference {
  const value = vscode.workspace.getConfiguration('neuralOde').get<string>('engine.backend', 'auto');
  return (backends as readonly string[]).includes(value) ? (value as BackendPreference) : 'auto';
}

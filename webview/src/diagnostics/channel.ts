/** The diagnostics page's channel to the extension host: its own messages, the shared handle and state. */
import { hostChannel } from '../shared/host';
import { validateDiagnosticsHostMessage, type DiagnosticsHostMessage, type DiagnosticsWebviewToHost } from './protocol';

export const { post, onHostMessage } = hostChannel<DiagnosticsWebviewToHost, DiagnosticsHostMessage>(validateDiagnosticsHostMessage);
export { getState, setState } from '../shared/host';

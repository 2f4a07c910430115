/** The inspector page's channel to the extension host: its own messages, the shared handle and state. */
import { hostChannel } from '../shared/host';
import { validateInspectorHostMessage, type InspectorHostMessage, type InspectorWebviewToHost } from './protocol';

export const { post, onHostMessage } = hostChannel<InspectorWebviewToHost, InspectorHostMessage>(validateInspectorHostMessage);
export { getState, setState } from '../shared/host';

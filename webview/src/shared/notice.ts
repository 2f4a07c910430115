/** The one-line notice under a panel's toolbar (info, warning or error), and legend swatches. */

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface NoticeBar {
  readonly element: HTMLParagraphElement;
  /** Shows a message, or hides the bar with null. */
  show(level: NoticeLevel, text: string | null): void;
  /** Applies a host's busy/error status: an error shows; a new evaluation clears an old error. */
  status(s: { busy: boolean; error: string | null }): void;
}

export function noticeBar(): NoticeBar {
  const element = document.createElement('p');
  element.className = 'notice';
  element.hidden = true;
  const show = (level: NoticeLevel, text: string | null): void => {
    element.hidden = text === null;
    element.dataset.level = level;
    element.textContent = text ?? '';
  };
  return {
    element,
    show,
    status: ({ busy, error }) => {
      document.body.dataset.busy = String(busy);
      if (error !== null) show('error', error);
      else if (busy && element.dataset.level === 'error') show('info', null);
    },
  };
}

/** A legend entry: a coloured dot (data points) or line (a curve) and its label. */
export function swatch(color: string, text: string, line: boolean): HTMLElement {
  const item = document.createElement('span');
  const mark = document.createElement('span');
  mark.className = line ? 'mark line' : 'mark dot';
  mark.style.backgroundColor = color;
  item.append(mark, text);
  return item;
}

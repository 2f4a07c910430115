/**
 * The selected step's variables as a definition list (t, h, error ratio, accepted, NFE, the
 * proposed next h, the dominant h·λ and the state y), with buttons to walk the steps.
 */
import { formatNumber } from './format';
import type { InspectorStep } from './protocol';

const complex = (re: number, im: number): string => (im === 0 ? formatNumber(re) : `${formatNumber(re)} ${im < 0 ? '−' : '+'} ${formatNumber(Math.abs(im))}i`);

export interface DetailsView {
  readonly element: HTMLElement;
  /** Shows step `index` of `count` (null: nothing selected). */
  show(step: InspectorStep | null, index: number, count: number): void;
}

export function detailsView(onMove: (delta: number) => void): DetailsView {
  const element = document.createElement('aside');
  element.className = 'step-details';
  element.setAttribute('aria-live', 'polite');
  const header = document.createElement('div');
  header.className = 'details-header';
  const heading = document.createElement('h2');
  const prev = document.createElement('button');
  prev.textContent = '‹';
  prev.title = 'Previous step (←)';
  prev.setAttribute('aria-label', 'Previous step');
  prev.dataset.role = 'previous-step';
  const next = document.createElement('button');
  next.textContent = '›';
  next.title = 'Next step (→)';
  next.setAttribute('aria-label', 'Next step');
  next.dataset.role = 'next-step';
  prev.addEventListener('click', () => onMove(-1));
  next.addEventListener('click', () => onMove(1));
  header.append(heading, prev, next);
  const list = document.createElement('dl');
  element.append(header, list);

  const row = (name: string, value: string, key: string): HTMLElement[] => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset.var = key;
    return [dt, dd];
  };

  return {
    element,
    show(step, index, count) {
      prev.disabled = !step || index <= 0;
      next.disabled = !step || index >= count - 1;
      if (!step) {
        heading.textContent = count === 0 ? 'No steps yet' : 'Click a step';
        list.replaceChildren();
        element.dataset.step = '';
        return;
      }
      const n = step.n ?? index + 1;
      heading.textContent = `Step ${n} of ${count}`;
      element.dataset.step = String(n);
      const rows = [
        ...row('t', formatNumber(step.t), 't'),
        ...row('h', formatNumber(step.h), 'h'),
        ...row('errRatio', formatNumber(step.errRatio), 'errRatio'),
        ...row('accepted', step.accepted ? 'yes' : 'no (rejected)', 'accepted'),
        ...row('nfe', formatNumber(step.nfe), 'nfe'),
      ];
      if (step.hNext !== undefined) rows.push(...row('hNext', formatNumber(step.hNext), 'hNext'));
      if (step.lambda && step.lambda.re.length > 0) {
        rows.push(...row('h·λ (dominant)', complex(step.h * step.lambda.re[0], step.h * step.lambda.im[0]), 'hLambda'));
      }
      if (step.y) {
        step.y.forEach((v, k) => rows.push(...row(`y[${k}]`, formatNumber(v), `y${k}`)));
      } else {
        rows.push(...row('y', step.accepted ? '—' : 'not taken (the step was rejected)', 'y'));
      }
      list.replaceChildren(...rows);
    },
  };
}

/**
 * The weights picker in the header of every panel of an experiment: the latest run (the
 * default, followed as new runs come), its best checkpoint, the untrained model, or any run of
 * the experiment. The host sends the choices (`panel/weights`); a pick goes back as
 * `panel/pickWeights`, and the host evaluates the model again with those weights.
 */
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { WeightsChoice } from '../protocol';

export interface WeightsPicker {
  element: HTMLElement;
  show(choices: WeightsChoice[], selected: string): void;
}

export function weightsPicker(onPick: (value: string) => void): WeightsPicker {
  const select = document.createElement('vscode-single-select') as VscodeSingleSelect;
  select.dataset.role = 'weights';
  select.title = 'Which weights the panel shows';
  select.classList.add('weights-picker');
  select.hidden = true;
  let shown = '';
  // Set while the host's choice is applied, so that it is not sent back as the user's.
  let applying = false;
  select.addEventListener('change', () => {
    if (!applying && select.value) onPick(select.value);
  });
  return {
    element: select,
    show(choices, selected) {
      const key = JSON.stringify(choices);
      applying = true;
      if (key !== shown) {
        shown = key;
        select.replaceChildren(
          ...choices.map((c) => {
            const o = document.createElement('vscode-option');
            o.setAttribute('value', c.value);
            o.textContent = c.label;
            if (c.value === selected) o.setAttribute('selected', '');
            return o;
          }),
        );
      }
      select.value = selected;
      select.hidden = false;
      document.body.dataset.weights = selected;
      applying = false;
    },
  };
}

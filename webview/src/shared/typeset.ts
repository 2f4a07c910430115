/**
 * Maths typeset by KaTeX. Its stylesheet and fonts lie beside the panel's bundle, in
 * dist/webview/katex/ (scripts/build.mjs copies them): the panel's Content-Security-Policy takes
 * styles and fonts from the extension only. KaTeX builds its nodes with element.style, which the
 * policy allows (style="" markup it refuses), so formulas are rendered into elements, not HTML.
 */
import katex from 'katex';

/** The bundle's own address, known only while it first runs. */
const bundle = (document.currentScript as HTMLScriptElement | null)?.src ?? '';
let linked = false;

function linkStylesheet(): void {
  if (linked || !bundle) return;
  linked = true;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('katex/katex.min.css', bundle).href;
  document.head.append(link);
}

/**
 * Typesets `tex` in `element` for the eye (HTML only: the caller keeps the formula's text beside it
 * for assistive tools); a formula KaTeX cannot read shows as `fallback`, its plain text.
 */
export function typeset(element: HTMLElement, tex: string, fallback: string): void {
  linkStylesheet();
  try {
    katex.render(tex, element, { throwOnError: true, output: 'html' });
    element.dataset.typeset = 'katex';
  } catch {
    element.textContent = fallback;
    element.dataset.typeset = 'text';
  }
}

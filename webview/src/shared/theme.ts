/**
 * The VS Code theme as colours a canvas can use. VS Code puts the theme's colours on the
 * webview's <html> as CSS variables and its kind on <body> as a class; canvases cannot use
 * var(), so the variables are resolved to rgb() through a probe element, and re-read whenever
 * VS Code changes them.
 */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export interface Theme {
  kind: ThemeKind;
  foreground: string;
  /** Axis lines and grid: the foreground, faint. */
  grid: string;
  background: string;
  fontFamily: string;
  fontSize: number;
  /** One colour per run, from the theme's chart palette. */
  palette: string[];
}

const PALETTE_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-red', '--vscode-charts-yellow'];
/** When a theme defines no chart colours. */
const FALLBACK_PALETTE = ['#3794ff', '#d18616', '#388a34', '#b180d7', '#f14c4c', '#cca700'];

let probe: HTMLElement | undefined;

/** A CSS colour expression (var() allowed) as the rgb()/rgba() string the browser computes. */
function resolveColor(expr: string, fallback: string): string {
  if (!probe) {
    probe = document.createElement('span');
    probe.style.display = 'none';
    document.body.append(probe);
  }
  probe.style.color = fallback;
  probe.style.color = expr;
  return getComputedStyle(probe).color || fallback;
}

/** rgb(…)/rgba(…) with a new alpha. */
export function withAlpha(rgb: string, alpha: number): string {
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(rgb);
  return m ? `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${alpha})` : rgb;
}

function kindOf(body: HTMLElement): ThemeKind {
  if (body.classList.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (body.classList.contains('vscode-high-contrast')) return 'high-contrast';
  return body.classList.contains('vscode-light') ? 'light' : 'dark';
}

export function readTheme(): Theme {
  const kind = kindOf(document.body);
  const light = kind === 'light' || kind === 'high-contrast-light';
  const foreground = resolveColor('var(--vscode-foreground)', light ? '#3b3b3b' : '#cccccc');
  const highContrast = kind.startsWith('high-contrast');
  const grid = highContrast ? resolveColor('var(--vscode-contrastBorder)', foreground) : withAlpha(foreground, 0.14);
  const css = getComputedStyle(document.documentElement);
  const fontSize = Number.parseFloat(css.getPropertyValue('--vscode-font-size')) || 13;
  return {
    kind,
    foreground,
    grid,
    background: resolveColor('var(--vscode-editor-background)', light ? '#ffffff' : '#1f1f1f'),
    fontFamily: css.getPropertyValue('--vscode-font-family').trim() || 'sans-serif',
    fontSize,
    // Some chart colours default to translucent ones (charts.orange is the minimap's find
    // highlight): a curve needs them opaque to stand out on either background.
    palette: PALETTE_VARS.map((v, i) => withAlpha(resolveColor(`var(${v})`, FALLBACK_PALETTE[i]), 1)),
  };
}

/** Calls `onChange` after VS Code switches theme (it rewrites <html style> and <body class>). */
export function onThemeChange(onChange: () => void): void {
  let pending = false;
  const observer = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      onChange();
    });
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

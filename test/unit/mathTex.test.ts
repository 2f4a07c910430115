// The diagnostics panel typesets the engine's modified equations from their text form: the TeX
// made from the text must be the engine's own LaTeX (up to spacing) for every scheme and order,
// and KaTeX must read it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import katex from 'katex';
import { formatDerivativeForm, formatModifiedEquation, lmScheme, MAX_MODEQ_ORDER, modifiedEquation, schemeByName, schemeNames } from '../../engine/src/analysis/index';
import { texOf } from '../../webview/src/shared/mathTex';

/** TeX up to spacing: thin spaces and blanks dropped. */
const bare = (tex: string): string => tex.replace(/\\,/g, '').replace(/\s+/g, '');

/** Every modified equation the engine derives exactly, to the highest order it offers. */
function equations(): { name: string; text: string; latex: string }[] {
  const out: { name: string; text: string; latex: string }[] = [];
  const schemes = [...schemeNames().map((n) => ({ n, s: () => schemeByName(n) })), { n: 'lm', s: () => lmScheme() }];
  for (const { n, s } of schemes) {
    for (let order = 2; order <= MAX_MODEQ_ORDER; order++) {
      let eq;
      try {
        eq = modifiedEquation(s(), order);
      } catch {
        continue; // tableaus without rational coefficients
      }
      out.push({ name: `${n}, order ${order}`, text: formatModifiedEquation(eq, 'text'), latex: formatModifiedEquation(eq, 'latex') });
      const form = formatDerivativeForm(eq, 'text');
      if (form) out.push({ name: `${n}, order ${order}, expanded`, text: form, latex: formatDerivativeForm(eq, 'latex')! });
    }
  }
  return out;
}

describe('texOf', () => {
  it("turns the engine's text into its LaTeX, for every scheme and order", () => {
    const all = equations();
    assert.ok(all.length > 40, `${all.length} equations`);
    assert.ok(all.some((e) => e.text.includes('⁽')), 'a fourth derivative f⁽⁴⁾ among them');
    for (const e of all) assert.equal(bare(texOf(e.text)), bare(e.latex), e.name);
  });
  it('writes fractions, powers, primes and subscripts', () => {
    assert.equal(texOf('u_t = (1/(1 + k)) f − ((1 − k)/(1 + k)³)(Δt/2) f′f + O(Δt²)'), "u_t = \\frac{1}{1 + k}\\,f - \\frac{1 - k}{(1 + k)^{3}}\\frac{\\Delta t}{2}\\,f'f + O(\\Delta t^{2})");
    assert.equal(texOf('(d²/dt²) f(u)'), '\\frac{d^{2}}{dt^{2}}\\,f(u)');
    assert.equal(texOf('u^(7) + f⁽⁴⁾(f,f,f,f)'), 'u^{(7)} + f^{(4)}(f,f,f,f)');
    assert.equal(texOf('(1 + k) u_tt'), '(1 + k)\\,u_{tt}');
  });
  it('gives KaTeX something it reads, whatever the brackets', () => {
    for (const e of equations()) assert.doesNotThrow(() => katex.renderToString(texOf(e.text), { throwOnError: true }), e.name);
    for (const odd of ['(a/b/c)', 'f(x', 'x) + 1', '/', '']) assert.doesNotThrow(() => katex.renderToString(texOf(odd), { throwOnError: true }), odd);
  });
});

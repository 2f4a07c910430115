import { SolverError } from './errors';
import { FixedGridRKStepper } from './fixedGrid';
import { implicitMethods } from './implicit/methods';
import { AdamsBashforthStepper, LinearMultistepStepper } from './multistep';
import { AdaptiveRKStepper } from './rkAdaptive';
import type { Stepper, StepperContext } from './stepper';
import { validateTableau, type ButcherTableau, type CheckedTableau } from './tableau';
import { adaptiveHeun, bosh3, dopri5, fehlberg2, tsit5 } from './tableaus/adaptive';
import { dopri8 } from './tableaus/dopri8';
import { euler, heun, heun3, midpoint, rk4, rk4Classic } from './tableaus/fixed';

export interface MethodInfo {
  readonly name: string;
  readonly adaptive: boolean;
  readonly implicit: boolean;
  /** Order of accuracy (for lm and explicit_adams, the default configuration's). */
  readonly order: number;
  readonly description: string;
  /** The Butcher tableau of an explicit Runge–Kutta method (what discrete adjoints differentiate). */
  readonly tableau?: CheckedTableau;
  create<S>(ctx: StepperContext<S>): Stepper<S>;
}

const adaptiveRK = (tab: ButcherTableau, description: string): MethodInfo => {
  const checked = validateTableau(tab);
  return {
    name: tab.name,
    adaptive: true,
    implicit: false,
    order: tab.order,
    description,
    tableau: checked,
    create: (ctx) => new AdaptiveRKStepper(ctx, checked),
  };
};

const fixedRK = (tab: ButcherTableau, name: string, description: string): MethodInfo => {
  const checked = validateTableau({ ...tab, name });
  return {
    name,
    adaptive: false,
    implicit: false,
    order: tab.order,
    description,
    tableau: checked,
    create: (ctx) => new FixedGridRKStepper(ctx, checked),
  };
};

const registry = new Map<string, MethodInfo>();

/** Adds a method under the name users type (implicit methods register themselves this way). */
export function registerMethod(info: MethodInfo): void {
  registry.set(info.name, info);
}

[
  adaptiveRK(dopri5, 'Dormand–Prince 5(4), 7 stages (FSAL); the default'),
  adaptiveRK(dopri8, 'Dormand–Prince 8(7), 14 stages (FSAL), for tight tolerances'),
  adaptiveRK(tsit5, 'Tsitouras 5(4), 7 stages (FSAL)'),
  adaptiveRK(bosh3, 'Bogacki–Shampine 3(2), 4 stages (FSAL), for loose tolerances'),
  adaptiveRK(fehlberg2, 'Runge–Kutta–Fehlberg 2(1), 3 stages'),
  adaptiveRK(adaptiveHeun, "Heun's method with an Euler error estimate, 2(1)"),
  fixedRK(euler, 'euler', 'Forward Euler on a fixed grid (the ResNet step)'),
  fixedRK(midpoint, 'midpoint', 'Explicit midpoint, order 2, fixed grid'),
  fixedRK(heun, 'heun', "Heun's method (explicit trapezoid), order 2, fixed grid"),
  fixedRK(heun, 'heun2', "Alias of 'heun'"),
  fixedRK(heun3, 'heun3', "Heun's third-order method, fixed grid"),
  fixedRK(rk4, 'rk4', "Kutta's 3/8 rule, order 4, fixed grid (torchdiffeq's rk4)"),
  fixedRK(rk4Classic, 'rk4_classic', 'The classic Runge–Kutta method, order 4, fixed grid'),
].forEach(registerMethod);

registerMethod({
  name: 'explicit_adams',
  adaptive: false,
  implicit: false,
  order: 4,
  description: 'Adams–Bashforth of order options.order (1–4, default 4), fixed grid',
  create: (ctx) => new AdamsBashforthStepper(ctx),
});

registerMethod({
  name: 'lm',
  adaptive: false,
  implicit: false,
  order: 1,
  description: 'The LM-ResNet two-step scheme with coefficient options.k (order 2 at k = 1), fixed grid',
  create: (ctx) => new LinearMultistepStepper(ctx),
});

implicitMethods.forEach(registerMethod);

/** Every method, by name. */
export function methods(): MethodInfo[] {
  return [...registry.values()];
}

export function methodInfo(name: string): MethodInfo {
  const info = registry.get(name);
  if (!info) {
    throw new SolverError(
      'input',
      `Unknown method '${name}'. Known methods: ${[...registry.keys()].join(', ')}.`,
      { method: name },
    );
  }
  return info;
}

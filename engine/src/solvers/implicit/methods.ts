import type { MethodInfo } from '../registry';
import type { Stepper } from '../stepper';
import { EsdirkStepper } from './esdirk';
import { kvaerno3Tableau, validateEsdirk } from './esdirkTableau';
import { ImplicitEulerStepper } from './implicitEuler';
import { nativeContext } from './nativeOnly';

const kvaerno3 = validateEsdirk(kvaerno3Tableau);

/** The implicit methods, for stiff problems (typed-array states only). */
export const implicitMethods: MethodInfo[] = [
  {
    name: 'implicit_euler',
    adaptive: false,
    implicit: true,
    order: 1,
    description: 'Backward Euler on a fixed grid, simplified Newton; L-stable, for stiff problems',
    create: (ctx) => new ImplicitEulerStepper(nativeContext('implicit_euler', ctx)) as unknown as Stepper<never>,
  },
  {
    name: 'kvaerno3',
    adaptive: true,
    implicit: true,
    order: 3,
    description: "Kværnø's ESDIRK 3(2), 4 stages, L-stable and stiffly accurate; adaptive, for stiff problems",
    create: (ctx) => new EsdirkStepper(nativeContext('kvaerno3', ctx), kvaerno3) as unknown as Stepper<never>,
  },
];

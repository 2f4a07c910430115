/**
 * What an ODE-Net (or the ResNet it is compared with) is made of, and the checks that turn a
 * wrong option into a message naming the option, its value, and what to use instead.
 */

/**
 *   'ode'     one ODE block f(t, h) with time as a channel, integrated from 0 to `time` by the
 *             experiment's solver (trained with the adjoint: an ODE-Net; with backprop through
 *             the solver's steps: an RK-Net)
 *   'resnet'  `depth` residual blocks of the same block without the time channel, h ← h + f_n(h)
 */
export type OdeNetArchitecture = 'ode' | 'resnet';

export interface OdeNetOptions {
  /** Default 'ode'. */
  architecture?: OdeNetArchitecture;
  /** Channels of the state the block works on (the paper's 64; 8–16 suit a small CPU). */
  channels: number;
  /**
   * Groups of every group norm (divides channels). Default: four channels per group (the
   * largest divisor of channels up to channels / 4). The paper's min(32, channels) leaves two
   * channels per group at its 64; at 8 channels it would normalise each channel alone, and the
   * head's average pooling would then see almost the same features for every image.
   */
  groups?: number;
  /** Input images: rows, columns, channels (default 28 × 28 × 1, Fashion-MNIST / MNIST). */
  height?: number;
  width?: number;
  inChannels?: number;
  /**
   * Average pooling (pool × pool) of the input images before the downsampling convolution
   * (default 2: 28 × 28 → 14 × 14).
   */
  pool?: number;
  /**
   * Average pooling (poolAfter × poolAfter) of the downsampling's ReLU output, which gives the
   * block's plane (default 2: 14 × 14 → 7 × 7). Pooling learned features rather than pixels
   * keeps the detail that pool 4 with poolAfter 1 (the pixels averaged to 7 × 7) loses.
   */
  poolAfter?: number;
  /**
   * The head pools each channel over headPool × headPool regions of the plane (PyTorch's
   * adaptive average pooling), giving channels · headPool² features. 1 is the paper's global
   * average pooling; the default 2 gives the linear layer four times the features, which a
   * network of few channels needs (global pooling over 8 channels leaves 8 features).
   */
  headPool?: number;
  /** 'resnet' only: the number of residual blocks. */
  depth?: number;
  /** 'ode' only: the block is integrated over [0, time] (default 1). */
  time?: number;
  /** Seeds the initial weights (default 0). */
  seed?: number;
}

export type CheckedOdeNetOptions = Required<Omit<OdeNetOptions, 'depth' | 'time'>> & { depth: number; time: number };

const WHERE = 'odeNet';

/** The largest divisor of channels that is at most channels / 4 (at least 1). */
export function defaultGroups(channels: number): number {
  for (let g = Math.max(1, Math.floor(channels / 4)); g > 1; g--) if (channels % g === 0) return g;
  return 1;
}

export function checkOdeNetOptions(o: OdeNetOptions): CheckedOdeNetOptions {
  const fail = (what: string): never => {
    throw new RangeError(`${WHERE}: ${what}`);
  };
  if (!o || typeof o !== 'object') fail('needs an options object { channels, architecture?, depth?, pool?, poolAfter?, headPool?, … }.');
  const architecture = o.architecture ?? 'ode';
  if (architecture !== 'ode' && architecture !== 'resnet') fail(`architecture must be 'ode' or 'resnet', got ${JSON.stringify(o.architecture)}.`);
  const whole = (key: string, v: unknown): number => {
    if (!Number.isInteger(v) || (v as number) < 1) fail(`${key} must be a whole number ≥ 1, got ${JSON.stringify(v)}.`);
    return v as number;
  };
  const channels = whole('channels', o.channels);
  const groups = whole('groups', o.groups ?? defaultGroups(channels));
  if (channels % groups !== 0) fail(`groups (${groups}) must divide channels (${channels}): every group norm splits the channels into equal groups.`);
  const height = whole('height', o.height ?? 28);
  const width = whole('width', o.width ?? 28);
  const inChannels = whole('inChannels', o.inChannels ?? 1);
  const pool = whole('pool', o.pool ?? 2);
  if (height % pool !== 0 || width % pool !== 0) {
    fail(`pool ${pool} must divide the image's height and width (${height} × ${width}); for 28 × 28 images use 1, 2, 4, 7, 14 or 28.`);
  }
  const poolAfter = whole('poolAfter', o.poolAfter ?? 2);
  if ((height / pool) % poolAfter !== 0 || (width / pool) % poolAfter !== 0) {
    fail(
      `poolAfter ${poolAfter} must divide the pooled image's height and width (${height / pool} × ${width / pool} after pool ${pool}); ` +
        'for 28 × 28 images pool × poolAfter must divide 28 (e.g. pool 2 with poolAfter 2, or pool 4 with poolAfter 1).',
    );
  }
  const headPool = whole('headPool', o.headPool ?? 2);
  const side = Math.min(height / pool / poolAfter, width / pool / poolAfter);
  if (headPool > side) fail(`headPool ${headPool} is more regions than the block's plane has rows or columns (${side}); use 1 (global average pooling) up to ${side}.`);
  let depth = 0;
  let time = 0;
  if (architecture === 'resnet') {
    depth = whole('depth', o.depth);
    if (o.time !== undefined) fail("time is the ODE block's end time; a ResNet has none. Remove it, or use architecture: 'ode'.");
  } else {
    if (o.depth !== undefined) {
      fail("depth counts a ResNet's blocks; an ODE-Net has one block whose depth is the solver's steps (solver.rtol sets it). Remove depth, or use architecture: 'resnet'.");
    }
    time = o.time ?? 1;
    if (!(time > 0 && Number.isFinite(time))) fail(`time must be a number > 0 (the end of the integration interval), got ${o.time}.`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isSafeInteger(seed)) fail(`seed must be an integer, got ${o.seed}.`);
  return { architecture, channels, groups, height, width, inChannels, pool, poolAfter, headPool, depth, time, seed };
}

// Datasets and loaders: seeded synthetic data (every dataset reproducible from its seed) and
// readers for CSV, .npy and IDX files.
export { Rng, toRng, type RngState } from './rng';
export { DataError, type DataErrorKind } from './errors';
export type { TrajectoryData, PointData } from './types';
export { linspace, sampleTrajectory, TRUE_SOLVE, type TrajectoryOptions } from './trajectory';
export { spiral, spiralField, SPIRAL_A, SPIRAL_Y0, type SpiralOptions } from './spiral';
export { getBatch, type BatchOptions, type TrajectoryBatch } from './batch';
export {
  dampedOscillator, dampedOscillatorField, dampedPendulum, dampedPendulumField, lotkaVolterra, lotkaVolterraField,
  type DampedOscillatorOptions, type DampedPendulumOptions, type LotkaVolterraOptions,
} from './systems';
export {
  eightGaussians, moons, checkerboard, nestedSpheres, circles,
  type ToyOptions, type MoonsOptions, type NestedSpheresOptions,
} from './toys2d';
export { irregularSpirals, type IrregularSpiralsOptions, type IrregularSpiral, type IrregularSpiralsData } from './irregularSpirals';
export { parseCsvTimeSeries, loadCsvTimeSeries, type CsvOptions, type CsvTimeSeries } from './csv';
export { parseNpy, loadNpy, npyTimeSeries, type NpyArray } from './npy';
export {
  parseIdx, loadIdx, loadIdxImages, loadIdxLabels, fashionMnist, FASHION_MNIST_DIR, FASHION_MNIST_CLASSES,
  type IdxArray, type IdxDtype, type IdxData, type IdxOptions, type IdxImages, type FashionMnistOptions, type ImageDataset,
} from './idx';

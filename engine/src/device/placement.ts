/**
 * Where a user's TensorFlow.js model runs: on the host (compiled, or tfjs beside the host's
 * float64 solver), or on the device with its solves (deviceField.ts). The device where tensors
 * are read only asynchronously (WebGPU), and on TensorFlow's CUDA build (tfjs-node-gpu), where
 * the GPU is the reason the backend was chosen; everywhere else the host path is faster.
 */
import { tensorflowOnGpu } from '../backend/probes';
import { tf } from '../backend/tf';
import { readsSynchronously } from '../state/tfjs';

export const modelsOnDevice = (): boolean => !readsSynchronously() || (tf.getBackend() === 'tensorflow' && tensorflowOnGpu());

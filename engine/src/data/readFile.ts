import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DataError } from './errors';

/**
 * Reads a data file whole, gunzipping it when it starts with the gzip magic (whatever its name),
 * and turns "not there" into an error that names the file and what to try.
 */
export function readDataFile(file: string, hint = ''): Buffer {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DataError('missing', `Data file not found: ${file}.${hint ? ' ' + hint : ' Check the path (relative paths start at the working directory).'}`, { file });
    }
    if (code === 'EISDIR') throw new DataError('input', `${file} is a directory; give the path of a data file inside it.`, { file });
    throw new DataError('missing', `Cannot read ${file}: ${(err as Error).message}`, { file });
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw);
    } catch (err) {
      throw new DataError('format', `${file} looks gzip-compressed but does not decompress (${(err as Error).message}); the file may be truncated: download it again.`, { file });
    }
  }
  return raw;
}

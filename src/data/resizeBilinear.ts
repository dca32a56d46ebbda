/**
 * Bilinear resizing of uint8 images exactly as PIL's Image.resize(size, Image.BILINEAR) does it,
 * which is what torchvision's Resize(32) ran on MNIST's 28x28 PIL images in the NYU code: a
 * separable triangle filter (support 1, widened by the scale when shrinking), pixel centres at
 * (i + 0.5) * scale, coefficients normalised per output pixel and then quantised to 22-bit fixed
 * point; the horizontal pass runs first and is rounded to uint8 before the vertical pass
 * (Pillow's Resample.c: precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleInner).
 */

/** Pillow's PRECISION_BITS for 8-bit images: 32 - 8 - 2. */
const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

interface AxisCoefficients {
  /** Taps per output pixel (the same for all; unused taps are 0). */
  taps: number;
  /** First input pixel of each output pixel. */
  first: Int32Array;
  /** Number of input pixels actually used by each output pixel. */
  used: Int32Array;
  /** Fixed-point weights, [outSize * taps]. */
  weights: Int32Array;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter over [0, inSize). */
export function bilinearCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const used = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const raw = new Float64Array(taps);
  for (let out = 0; out < outSize; out++) {
    const centre = (out + 0.5) * scale;
    // C's (int) truncates toward zero; the values here are >= -0.5, so trunc is what Pillow does.
    const xmin = Math.max(0, Math.trunc(centre - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(centre + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      raw[x] = triangle((x + xmin - centre + 0.5) / filterScale);
      sum += raw[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? raw[x]! / sum : raw[x]!;
      weights[out * taps + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    first[out] = xmin;
    used[out] = xmax;
  }
  return { taps, first, used, weights };
}

/**
 * Pillow's clip8: the fixed-point sum shifted back to 0..255. Sums stay inside int32 as in Pillow
 * (255 * 2^22 plus rounding < 2^31), so the integer arithmetic above is exact.
 */
function clip8(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/**
 * Resizes `count` images stored NHWC in `pixels` from inHeight x inWidth to outHeight x outWidth.
 * Returns a new uint8 array [count, outHeight, outWidth, channels].
 */
export function resizeBilinear(
  pixels: Uint8Array,
  count: number,
  inHeight: number,
  inWidth: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  if (pixels.length !== count * inHeight * inWidth * channels) {
    throw new RangeError(`resizeBilinear: ${pixels.length} bytes is not ${count} images of ${inHeight}x${inWidth}x${channels}.`);
  }
  const horizontal = bilinearCoefficients(inWidth, outWidth);
  const vertical = bilinearCoefficients(inHeight, outHeight);
  const out = new Uint8Array(count * outHeight * outWidth * channels);
  const temp = new Uint8Array(inHeight * outWidth * channels); // one image after the horizontal pass
  const inRow = inWidth * channels;
  const outRow = outWidth * channels;
  for (let image = 0; image < count; image++) {
    const source = image * inHeight * inRow;
    for (let x = 0; x < outWidth; x++) {
      const n = horizontal.used[x]!;
      const weights = x * horizontal.taps;
      const column = horizontal.first[x]! * channels;
      for (let y = 0; y < inHeight; y++) {
        const from = source + y * inRow + column;
        const to = y * outRow + x * channels;
        for (let c = 0; c < channels; c++) {
          let sum = HALF;
          for (let k = 0; k < n; k++) sum = (sum + Math.imul(pixels[from + k * channels + c]!, horizontal.weights[weights + k]!)) | 0;
          temp[to + c] = clip8(sum);
        }
      }
    }
    const target = image * outHeight * outRow;
    for (let y = 0; y < outHeight; y++) {
      const n = vertical.used[y]!;
      const weights = y * vertical.taps;
      const from = vertical.first[y]! * outRow;
      const to = target + y * outRow;
      for (let i = 0; i < outRow; i++) {
        let sum = HALF;
        for (let k = 0; k < n; k++) sum = (sum + Math.imul(temp[from + k * outRow + i]!, vertical.weights[weights + k]!)) | 0;
        out[to + i] = clip8(sum);
      }
    }
  }
  return out;
}

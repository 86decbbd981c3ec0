/*
 * The CPU cost of an allocation (malloc.go's mallocgc), charged to the allocating G. A leaf: it answers
 * with nanoseconds; the interpreter adds them to the G's pending overhead (interp.ts, Op.Alloc).
 *
 * mallocgc takes one of two paths by size (malloc.go, Go 1.19):
 * - small (size <= maxSmallSize, 32 KiB): the size is rounded up to its size class (sizeclasses.go's
 *   class_to_size), the object comes from the P's mcache span (nextFreeFast, or refill from mcentral),
 *   and, when the span needs it (needzero), memclrNoHeapPointers clears the whole class size;
 * - large: mcache.allocLarge takes a span of whole 8 KiB pages from mheap (under the heap lock) and,
 *   needzero, clears the size (delayedZeroing for noscan objects: outside the lock, still on this G).
 * The tiny allocator (noscan objects under 16 B packed together) is not modelled: such objects cost a
 * small object's price each.
 */

/** malloc.go's maxSmallSize: larger objects get a span of their own. */
export const MAX_SMALL_SIZE = 32768;
/** mheap's page size (_PageSize, 8 KiB): a large object's span is whole pages. */
export const PAGE_SIZE = 8192;

/** sizeclasses.go (Go 1.19) class_to_size: the 67 small size classes (class 0 is "large"). */
export const CLASS_TO_SIZE: readonly number[] = [
  0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480,
  512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864,
  5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
  24576, 27264, 28672, 32768,
];

/** The bytes mallocgc hands out for an object of `size` bytes: its size class, or whole pages when large. */
export function roundupsize(size: number): number {
  if (size > MAX_SMALL_SIZE) return Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
  let lo = 1,
    hi = CLASS_TO_SIZE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CLASS_TO_SIZE[mid]! >= size) hi = mid;
    else lo = mid + 1;
  }
  return CLASS_TO_SIZE[lo]!;
}

/** What one allocation costs, ns (runtime.costs converted; see CostsSchema). */
export interface MallocCosts {
  /** mallocgc's small-object path, per object, zeroing excluded. */
  smallNs: number;
  /** A large object's span from mheap, per object, zeroing excluded. */
  largeNs: number;
  /** memclrNoHeapPointers, per byte cleared (needzero). */
  zeroNsPerByte: number;
}

/**
 * mallocgc's CPU for `bytes` allocated as objects of `objectBytes` each (the last one smaller if they do
 * not divide evenly: ceil(bytes / objectBytes) objects), every one zeroed at its rounded-up size.
 */
export function mallocgcNs(bytes: number, objectBytes: number, c: MallocCosts): number {
  if (!(bytes > 0)) return 0;
  const size = Math.min(objectBytes, bytes);
  const whole = Math.floor(bytes / size);
  const rest = bytes - whole * size;
  const one = (b: number) => (b > MAX_SMALL_SIZE ? c.largeNs : c.smallNs) + roundupsize(b) * c.zeroNsPerByte;
  return whole * one(size) + (rest > 0 ? one(rest) : 0);
}

/** Part of the wallet flows' chunk, so the encoder stays off the critical path. */
import { generate } from 'lean-qr/nano';
import { useMemo } from 'preact/hooks';

/** Quiet zone the QR standard asks for around the code, in modules. */
const MARGIN = 4;
/** About how wide the code is drawn, in CSS pixels. */
const TARGET_PX = 216;

interface QrPath {
  size: number;
  d: string;
}

/** One path of horizontal runs: far fewer nodes than a rect per module. */
function toPath(code: { size: number; get(x: number, y: number): boolean }): QrPath {
  let d = '';
  for (let y = 0; y < code.size; y++) {
    for (let x = 0; x < code.size; x++) {
      if (!code.get(x, y)) continue;
      let run = 1;
      while (code.get(x + run, y)) run++;
      d += `M${x + MARGIN} ${y + MARGIN}h${run}v1h-${run}z`;
      x += run;
    }
  }
  return { size: code.size + 2 * MARGIN, d };
}

/** An inline SVG QR code; `label` names it for screen readers. */
export function QrCode({ value, label }: { value: string; label: string }) {
  const path = useMemo(() => {
    try {
      return toPath(generate(value));
    } catch {
      // Too long to encode: the link below, when there is one, still lets the shopper pay.
      return null;
    }
  }, [value]);

  if (!path) return <div class="qr qr-placeholder" role="img" aria-label={label} />;
  // A whole number of pixels per module keeps every module the same size, which scanners like.
  const width = path.size * Math.max(2, Math.floor(TARGET_PX / path.size));
  return (
    <svg
      class="qr"
      role="img"
      aria-label={label}
      width={width}
      height={width}
      viewBox={`0 0 ${path.size} ${path.size}`}
      shape-rendering="crispEdges"
    >
      <rect width={path.size} height={path.size} fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  );
}

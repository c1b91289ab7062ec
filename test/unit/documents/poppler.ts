/**
 * Poppler's pdftoppm and pdftotext render the bill PDFs in tests (Debian package poppler-utils,
 * installed by .ci/run; see the README's prerequisites).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function requirePoppler(): void {
  const probe = spawnSync('pdftoppm', ['-v'], { encoding: 'utf8' });
  if (probe.error) throw new Error('pdftoppm was not found: the bill document tests render PDFs with poppler-utils (Debian: apt-get install poppler-utils)');
}

export interface Raster {
  width: number;
  height: number;
  /** RGB bytes, row by row. */
  rgb: Buffer;
}

/** Parses a binary PPM (P6, maxval 255) as pdftoppm writes it. */
function parsePpm(data: Buffer): Raster {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(data.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a P6 PPM with maxval 255');
  const width = Number(header[1]);
  const height = Number(header[2]);
  return { width, height, rgb: data.subarray(header[0].length, header[0].length + width * height * 3) };
}

/** Every page of the PDF rendered at `dpi`, in page order. */
export function renderPages(pdf: Buffer, dpi = 50): Raster[] {
  requirePoppler();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cis-pdf-'));
  try {
    writeFileSync(path.join(dir, 'bill.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), path.join(dir, 'bill.pdf'), path.join(dir, 'page')], { stdio: 'pipe' });
    return readdirSync(dir)
      .filter((name) => name.endsWith('.ppm'))
      .sort()
      .map((name) => parsePpm(readFileSync(path.join(dir, name))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PDF's text with its layout kept, pages separated by form feeds. */
export function pdfText(pdf: Buffer): string {
  requirePoppler();
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf, encoding: 'utf8' });
}

/** How many pixels within `tolerance` of the colour `#rrggbb` a page has. */
export function countColour(page: Raster, hex: string, tolerance = 12): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let count = 0;
  for (let i = 0; i < page.rgb.length; i += 3) {
    if (Math.abs(page.rgb[i]! - r) <= tolerance && Math.abs(page.rgb[i + 1]! - g) <= tolerance && Math.abs(page.rgb[i + 2]! - b) <= tolerance) count++;
  }
  return count;
}

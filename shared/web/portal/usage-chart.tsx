/**
 * An accessible SVG bar chart of usage: this period's bars beside last year's, estimated periods
 * striped, high-usage days marked; the SVG is one image with a written summary, and a toggle shows
 * the same numbers as a table.
 */
import { useId, useLayoutEffect, useRef, useState } from 'react';
import { quantity, unitName } from './usage-range';
import type { UsageSlot } from './usage-range';

const MARGIN = { top: 22, right: 8, bottom: 26, left: 52 };

/** The element's width in CSS pixels, followed as the window changes (the SVG is drawn at 1:1 so its text stays readable on a phone). */
function useWidth(initial: number): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(initial);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => setWidth(Math.max(280, Math.round(element.clientWidth)));
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** A round axis maximum at or above `max` (1, 2 or 5 times a power of ten). */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].map((step) => step * power).find((value) => value >= max) ?? 10 * power);
}

const axisNumber = (value: number) => (value >= 1000 ? value.toLocaleString('en-US') : String(Number(value.toPrecision(3))));

export function UsageChart(props: { unit: string; interval: 'day' | 'hour'; slots: UsageSlot[]; title: string; summary: string; compare: boolean }) {
  const titleId = useId();
  const descId = useId();
  const tableId = useId();
  const stripesId = `stripes-${titleId.replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const [showTable, setShowTable] = useState(false);
  const [frame, WIDTH] = useWidth(720);
  const HEIGHT = WIDTH < 500 ? 200 : 260;
  const { slots, compare } = props;
  // Quantities are only scaled to bar heights here; the table shows them as the API sent them.
  const values = slots.flatMap((slot) => [slot.current, compare ? slot.lastYear : undefined].map((point) => (point ? Number(point.quantity) : 0)));
  const top = niceMax(Math.max(0, ...values));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const base = HEIGHT - MARGIN.bottom;
  const slotWidth = plotWidth / Math.max(slots.length, 1);
  const barWidth = compare ? slotWidth * 0.4 : slotWidth * 0.7;
  const labelEvery = Math.max(1, Math.ceil(slots.length / Math.max(2, Math.min(props.interval === 'hour' ? 8 : 7, Math.floor(plotWidth / 56)))));
  const heightOf = (value: string | undefined) => (value === undefined ? 0 : (Number(value) / top) * plotHeight);
  const unit = unitName(props.unit);
  return (
    <figure className="chart usage-chart" data-unit={props.unit}>
      <div ref={frame} className="chart-frame">
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-labelledby={`${titleId} ${descId}`}>
          <title id={titleId}>{props.title}</title>
          <desc id={descId}>{props.summary}</desc>
          <defs>
            <pattern id={stripesId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" className="bar-estimated-bg" />
              <line x1="0" y1="0" x2="0" y2="6" className="bar-estimated-line" strokeWidth="3" />
            </pattern>
          </defs>
          {[0.5, 1].map((fraction) => (
            <g key={fraction}>
              <line className="gridline" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={base - fraction * plotHeight} y2={base - fraction * plotHeight} />
              <text x={MARGIN.left - 6} y={base - fraction * plotHeight + 4} textAnchor="end">
                {axisNumber(top * fraction)}
              </text>
            </g>
          ))}
          <text x={MARGIN.left - 6} y={base + 4} textAnchor="end">
            0
          </text>
          <text x={4} y={12}>
            {unit}
          </text>
          {slots.map((slot, index) => {
            const x = MARGIN.left + index * slotWidth + (slotWidth - (compare ? 2 * barWidth : barWidth)) / 2;
            const lastYearHeight = heightOf(slot.lastYear?.quantity);
            const currentHeight = heightOf(slot.current?.quantity);
            const currentX = compare ? x + barWidth : x;
            return (
              <g key={slot.key} data-slot={slot.key}>
                {compare && slot.lastYear ? <rect className="bar-last-year" x={x} y={base - lastYearHeight} width={barWidth} height={lastYearHeight} /> : null}
                {slot.current ? (
                  <rect
                    className={slot.current.estimated ? 'bar bar-estimated' : 'bar'}
                    style={slot.current.estimated ? { fill: `url(#${stripesId})` } : undefined}
                    x={currentX}
                    y={base - currentHeight}
                    width={barWidth}
                    height={currentHeight}
                  />
                ) : null}
                {slot.alert && props.interval === 'day' ? (
                  <path className="marker-alert" data-alert-day={slot.day} d={`M ${currentX + barWidth / 2} ${Math.max(14, base - currentHeight - 3)} l -6 -10 l 12 0 z`} />
                ) : null}
                {index % labelEvery === 0 ? (
                  <text x={MARGIN.left + index * slotWidth + slotWidth / 2} y={HEIGHT - 8} textAnchor="middle">
                    {slot.label}
                  </text>
                ) : null}
              </g>
            );
          })}
          <line className="axis" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={base} y2={base} />
        </svg>
      </div>
      <figcaption>
        <ul className="legend">
          <li>
            <span className="swatch swatch-current" aria-hidden="true" /> This period
          </li>
          {compare ? (
            <li>
              <span className="swatch swatch-last-year" aria-hidden="true" /> Same period last year
            </li>
          ) : null}
          <li>
            <span className="swatch swatch-estimated" aria-hidden="true" /> Estimated (part or all)
          </li>
          <li>
            <span className="swatch-alert" aria-hidden="true">
              ▼
            </span>{' '}
            High-usage day
          </li>
        </ul>
      </figcaption>
      <button type="button" className="button button-quiet" aria-expanded={showTable} aria-controls={tableId} onClick={() => setShowTable((shown) => !shown)}>
        {showTable ? 'Hide the table' : 'Show the numbers as a table'}
      </button>
      <div className="table-wrap" id={tableId} hidden={!showTable}>
        <table>
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{props.interval === 'hour' ? 'Hour' : 'Day'}</th>
              <th scope="col" className="num">
                This period ({unit})
              </th>
              {compare ? (
                <th scope="col" className="num">
                  Last year ({unit})
                </th>
              ) : null}
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {slots.map((slot) => (
              <tr key={slot.key}>
                <th scope="row">{slot.longLabel}</th>
                <td className="num">{slot.current ? quantity(slot.current.quantity) : '—'}</td>
                {compare ? <td className="num">{slot.lastYear ? quantity(slot.lastYear.quantity) : '—'}</td> : null}
                <td>{[slot.current?.estimated ? 'Estimated' : '', slot.alert && props.interval === 'day' ? 'High usage' : ''].filter(Boolean).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

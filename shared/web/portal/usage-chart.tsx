/** An accessible SVG bar chart of usage, with the same numbers in a table for screen readers. */
import { useId } from 'react';
import type { UsagePoint } from '../common/types';

const WIDTH = 640;
const HEIGHT = 200;
const MARGIN = { top: 10, right: 10, bottom: 24, left: 44 };

export function UsageChart(props: { unit: string; points: UsagePoint[]; interval: string }) {
  const titleId = useId();
  // Quantities are only scaled to bar heights here; the table shows them as the API sent them.
  const values = props.points.map((point) => Number(point.quantity));
  const max = Math.max(...values, 0) || 1;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(props.points.length, 1);
  const title = `${props.interval === 'hour' ? 'Hourly' : 'Daily'} usage in ${props.unit}`;
  const labelEvery = Math.ceil(props.points.length / 8);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId}>
        <title id={titleId}>{`${title}, ${props.points.length} periods, highest ${max} ${props.unit}. The table below lists every value.`}</title>
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={HEIGHT - MARGIN.bottom} y2={HEIGHT - MARGIN.bottom} stroke="currentColor" />
        <text x={MARGIN.left - 4} y={MARGIN.top + 8} textAnchor="end">
          {max}
        </text>
        <text x={MARGIN.left - 4} y={HEIGHT - MARGIN.bottom} textAnchor="end">
          0
        </text>
        {props.points.map((point, index) => {
          const height = (values[index]! / max) * plotHeight;
          const x = MARGIN.left + index * slot + slot * 0.1;
          return (
            <g key={point.period}>
              <rect className={point.estimated ? 'bar bar-estimated' : 'bar'} x={x} y={HEIGHT - MARGIN.bottom - height} width={slot * 0.8} height={height} />
              {index % labelEvery === 0 ? (
                <text x={x + slot * 0.4} y={HEIGHT - 8} textAnchor="middle">
                  {point.period.slice(5, props.interval === 'hour' ? 16 : 10).replace('T', ' ')}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>{title}; grey bars are estimated.</figcaption>
      <details>
        <summary>Show the numbers</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col" className="num">
                  Usage ({props.unit})
                </th>
                <th scope="col">Estimated</th>
              </tr>
            </thead>
            <tbody>
              {props.points.map((point) => (
                <tr key={point.period}>
                  <td>{point.period}</td>
                  <td className="num">{point.quantity}</td>
                  <td>{point.estimated ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

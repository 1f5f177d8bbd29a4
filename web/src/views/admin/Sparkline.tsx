// A hand-drawn sparkline: one SVG path scaled to the series' own range, with a faint area under it.

export function Sparkline(props: { values: number[]; label: string; width?: number; height?: number }) {
  const width = props.width ?? 100;
  const height = props.height ?? 32;
  const values = props.values;
  if (values.length === 0) return <svg class="spark" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.label} />;
  const min = Math.min(0, ...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => {
    const x = values.length > 1 ? i * step : width;
    const y = height - 1 - ((v - min) / span) * (height - 2);
    return `${x.toFixed(2)},${y.toFixed(2)}`;
  });
  const line = `M${points.join('L')}`;
  const first = values.length > 1 ? 0 : width;
  const area = `${line}L${width},${height}L${first},${height}Z`;
  return (
    <svg class="spark" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img"
      aria-label={`${props.label}: from ${fmt(values[0])} to ${fmt(values[values.length - 1])}, peak ${fmt(max)}`}>
      <path class="area" d={area} />
      <path class="line" d={line} />
    </svg>
  );
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

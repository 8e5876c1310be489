// What the studio's chart components share: ECharts' core with the pieces they draw (line
// series, grid, legend, tooltip, canvas), registered once, and a chart saved as a PNG file.

import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export { echarts };

// Downloads `chart` as `<title>.png` (twice the screen's resolution, on white).
export function downloadPng(chart: echarts.ECharts | null, title: string): void {
  if (!chart) return;
  const a = document.createElement('a');
  a.href = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  a.download = `${title}.png`;
  a.click();
}

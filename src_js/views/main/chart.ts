// Live chart of readings, anomaly marks and forecasts, drawn with uPlot.
// The chart lives outside the renderer's virtual DOM: the view creates it
// in an element hook and passes it each new adapter state.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import type {Anomaly, Forecast, Reading, Remote} from './types.js';
import {flattenChunks, formatTime} from './types.js';


export const colors = {
    reading: '#8fd3ff',
    anomaly: '#f85149',
    score: '#7f8b96',
    threshold: '#b0605a',
    forecast: '#e3b341',
    earlierForecast: 'rgba(163, 123, 214, 0.55)',
    grid: '#2c343d',
    axis: '#8a96a3'
};

// Series after the x values: reading, anomaly mark, score, threshold,
// latest forecast, then one series per earlier forecast.
const fixedSeriesCount = 5;

// A step between readings larger than this many median steps is a gap,
// as gap_factor in air_supervision.devices.reader.
const gapFactor = 3;

// Minimum distance between time ticks in CSS pixels. It fits the widest
// label, a date such as 2013-07-04 in the axis font, with a margin.
const timeTickSpace = 96;

const axisFont = '12px "DejaVu Sans", "Segoe UI", Roboto, sans-serif';

type ChartData = {
    data: uPlot.AlignedData;
    earlierCount: number;
    summary: Record<string, string>;
};

export type FollowCb = (follow: boolean) => void;


export class Chart {
    _plot: uPlot;
    _el: HTMLElement;
    _remote: Remote | null = null;
    _follow = true;
    _applyingData = false;
    _resizeObserver: ResizeObserver;
    _readout: HTMLElement | null;
    _followCb: FollowCb;

    constructor(el: HTMLElement, readout: HTMLElement | null,
                followCb: FollowCb) {
        this._el = el;
        this._readout = readout;
        this._followCb = followCb;
        this._plot = new uPlot(plotOptions(el, this), emptyData(), el);
        this._resizeObserver = new ResizeObserver(() => this._resize(el));
        this._resizeObserver.observe(el);
        el.addEventListener('wheel', evt => this._onWheel(evt),
                            {passive: false});
        el.addEventListener('dblclick', () => this.setFollow(true));
    }

    destroy() {
        this._resizeObserver.disconnect();
        this._plot.destroy();
    }

    update(remote: Remote | null) {
        if (remote === this._remote)
            return;
        this._remote = remote;

        const chartData = remote ? buildData(remote) : emptyChartData();
        this._batch(() => {
            this._setEarlierSeriesCount(chartData.earlierCount);
            this._setData(chartData.data);
        });
        Object.assign(this._el.dataset, chartData.summary);
    }

    setFollow(follow: boolean) {
        if (follow == this._follow)
            return;

        this._follow = follow;
        this._followCb(follow);
        if (follow)
            this._batch(() => this._setData(this._plot.data));
    }

    // Zooms the time axis by `factor` around `center`, a fraction of the
    // plot width.
    zoom(factor: number, center = 0.5) {
        const {min, max} = this._plot.scales.x;
        if (min == null || max == null)
            return;

        const at = min + (max - min) * center;
        this._setRange(at - (at - min) * factor, at + (max - at) * factor);
    }

    // Moves the time axis by `fraction` of the shown range.
    pan(fraction: number) {
        const {min, max} = this._plot.scales.x;
        if (min == null || max == null)
            return;

        const dt = (max - min) * fraction;
        this._setRange(min + dt, max + dt);
    }

    _setRange(min: number, max: number) {
        this.setFollow(false);
        this._plot.setScale('x', {min, max});
    }

    // Runs `fn` in one uPlot commit, so that the setScale hooks it causes
    // fire before it returns and are not taken for the user's zoom.
    _batch(fn: () => void) {
        this._applyingData = true;
        try {
            this._plot.batch(fn);
        } finally {
            this._applyingData = false;
        }
    }

    _setData(data: uPlot.AlignedData) {
        const {min, max} = this._plot.scales.x;
        this._plot.setData(data, true);
        if (!this._follow && min != null && max != null)
            this._plot.setScale('x', {min, max});
    }

    _setEarlierSeriesCount(count: number) {
        while (this._plot.series.length - 1 - fixedSeriesCount < count)
            this._plot.addSeries(earlierForecastSeries(),
                                 this._plot.series.length);

        while (this._plot.series.length - 1 - fixedSeriesCount > count)
            this._plot.delSeries(this._plot.series.length - 1);
    }

    _resize(el: HTMLElement) {
        const width = Math.max(el.clientWidth, 100);
        const height = Math.max(el.clientHeight, 100);
        this._batch(() => this._plot.setSize({width, height}));
    }

    _onWheel(evt: WheelEvent) {
        evt.preventDefault();
        const rect = this._plot.over.getBoundingClientRect();
        const center = Math.min(Math.max(
            (evt.clientX - rect.left) / rect.width, 0), 1);

        if (evt.shiftKey || Math.abs(evt.deltaX) > Math.abs(evt.deltaY)) {
            const delta = evt.shiftKey ? evt.deltaY : evt.deltaX;
            this.pan(Math.sign(delta) * 0.1);
        } else {
            this.zoom(evt.deltaY > 0 ? 1.25 : 0.8, center);
        }
    }

    _onScale(key: string) {
        if (key == 'x' && !this._applyingData)
            this.setFollow(false);
    }

    // Keeps the time tick labels on the chart element, where they can be
    // read without the canvas.
    _onTimeTicks(labels: string[]): string[] {
        this._el.dataset.timeTicks = labels.join('|');
        return labels;
    }

    _onCursor() {
        if (!this._readout)
            return;

        const idx = this._plot.cursor.idx;
        this._readout.textContent = (idx == null ?
            '' :
            readoutText(this._plot.data, idx));
    }
}


function plotOptions(el: HTMLElement, chart: Chart): uPlot.Options {
    const axis = {
        stroke: colors.axis,
        font: axisFont,
        labelFont: axisFont,
        grid: {stroke: colors.grid, width: 1},
        ticks: {stroke: colors.grid, width: 1}
    };

    return {
        width: Math.max(el.clientWidth, 100),
        height: Math.max(el.clientHeight, 100),
        tzDate: ts => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        legend: {show: false},
        cursor: {
            drag: {x: true, y: false, setScale: true},
            points: {show: false}
        },
        scales: {
            x: {time: true},
            score: {range: [0, 1]}
        },
        axes: [
            {...axis, label: 'time (UTC)', labelSize: 18, size: 50,
             space: timeTickSpace,
             values: (_, splits, __, ___, increment) =>
                 chart._onTimeTicks(timeTicks(splits, increment))},
            {...axis, label: 'value', labelSize: 18, size: 56},
            {...axis, scale: 'score', side: 1, label: 'anomaly score',
             labelSize: 18, size: 44, grid: {show: false}}
        ],
        series: [
            {},
            {label: 'reading', stroke: colors.reading, width: 1.5,
             points: {show: false}},
            {label: 'anomaly', stroke: colors.anomaly, paths: () => null,
             points: {show: true, size: 9, width: 2, stroke: colors.anomaly,
                      fill: 'rgba(248, 81, 73, 0.35)'}},
            {label: 'score', scale: 'score', stroke: colors.score,
             width: 1, points: {show: false}},
            {label: 'threshold', scale: 'score', stroke: colors.threshold,
             width: 1, dash: [4, 4], points: {show: false}},
            {label: 'forecast', stroke: colors.forecast, width: 2,
             dash: [6, 3], points: {show: false}}
        ],
        hooks: {
            setScale: [(_, key) => chart._onScale(key)],
            setCursor: [() => chart._onCursor()]
        }
    };
}


// Formats time axis ticks in UTC with a 24-hour clock. Ticks a month or
// more apart show the month, ticks a day or more apart the date, shorter
// ones the time, with the date under the first tick and wherever the date
// changes.
function timeTicks(splits: number[], increment: number): string[] {
    let previousDate: string | null = null;

    return splits.map(t => {
        const [date, time] = formatTime(t).split(' ');
        const clock = increment < 60 ? time : time.slice(0, 5);
        const newDate = date != previousDate;
        previousDate = date;

        if (increment >= 28 * 86400)
            return date.slice(0, 7);

        if (increment >= 86400)
            return date;

        return newDate ? `${clock}\n${date}` : clock;
    });
}


function earlierForecastSeries(): uPlot.Series {
    return {label: 'earlier forecast', stroke: colors.earlierForecast,
            width: 1, points: {show: false}};
}


function emptyData(): uPlot.AlignedData {
    return emptyChartData().data;
}


function emptyChartData(): ChartData {
    const series = Array.from({length: fixedSeriesCount}, () => []);
    return {data: [[], ...series], earlierCount: 0, summary: {}};
}


type Column = (number | null | undefined)[];


// Builds uPlot's aligned columns. The x column is the sorted union of all
// times, so each series has a value or undefined at each of them, which
// uPlot joins over. A null, placed in the reading, score and threshold
// columns inside each gap between readings, breaks their lines. The cost
// is bounded by the window and the number of forecasts kept.
export function buildData(remote: Remote): ChartData {
    const readings = flattenChunks<Reading>(remote.readings)
        .slice(-remote.window);
    const firstTime = readings.length > 0 ? readings[0][0] : -Infinity;
    const anomalies = flattenChunks<Anomaly>(remote.anomalies)
        .filter(i => i[0] >= firstTime);
    const earlier = flattenChunks<Forecast>(remote.forecasts)
        .filter(i => i.points.length > 0 &&
                i.points[i.points.length - 1][0] >= firstTime);
    const forecasts = remote.forecast ? [remote.forecast, ...earlier] : earlier;

    const gaps = findGaps(readings);
    const times = collectTimes(readings, anomalies, forecasts, gaps);
    const index = new Map(times.map((t, i) => [t, i]));
    const column = (): Column => new Array(times.length).fill(undefined);

    const readingColumn = column();
    for (const [t, value] of readings)
        readingColumn[index.get(t)!] = value;

    const markColumn = column();
    const scoreColumn = column();
    const thresholdColumn = column();
    for (const [t, value, result, score, threshold] of anomalies) {
        const i = index.get(t)!;
        if (result == 1)
            markColumn[i] = value;
        scoreColumn[i] = score;
        thresholdColumn[i] = threshold;
    }

    for (const t of gaps) {
        const i = index.get(t)!;
        readingColumn[i] = null;
        scoreColumn[i] = null;
        thresholdColumn[i] = null;
    }

    const forecastColumns = forecasts.map(forecast => {
        const result = column();
        result[index.get(forecast.t)!] = forecast.value;
        for (const [t, value] of forecast.points)
            result[index.get(t)!] = value;
        return result;
    });
    if (!remote.forecast)
        forecastColumns.unshift(column());

    return {
        data: [times, readingColumn, markColumn, scoreColumn,
               thresholdColumn, ...forecastColumns] as uPlot.AlignedData,
        earlierCount: earlier.length,
        summary: {
            ...summarize(readings, anomalies, remote.forecast, earlier),
            gaps: String(gaps.length)
        }
    };
}


// Counts written to the chart element's data attributes, which show
// what the chart draws without reading its canvas.
function summarize(
    readings: Reading[],
    anomalies: Anomaly[],
    forecast: Forecast | null,
    earlier: Forecast[]
): Record<string, string> {
    const last = forecast?.points[forecast.points.length - 1];

    return {
        readings: String(readings.length),
        firstReading: String(readings[0]?.[0] ?? ''),
        lastReading: String(readings[readings.length - 1]?.[0] ?? ''),
        anomalies: String(anomalies.filter(i => i[2] == 1).length),
        forecastPoints: String(forecast?.points.length ?? 0),
        forecastEnd: String(last?.[0] ?? ''),
        earlierForecasts: String(earlier.length)
    };
}


// Returns one time inside each step between readings that is longer than
// gapFactor median steps: the middle of the step.
function findGaps(readings: Reading[]): number[] {
    if (readings.length < 3)
        return [];

    const steps = readings.slice(1).map((reading, i) =>
        reading[0] - readings[i][0]);
    const limit = gapFactor * median(steps);
    const gaps: number[] = [];

    for (let i = 0; i < steps.length; i += 1)
        if (steps[i] > limit)
            gaps.push((readings[i][0] + readings[i + 1][0]) / 2);

    return gaps;
}


function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return (sorted.length % 2 == 1 ?
        sorted[middle] :
        (sorted[middle - 1] + sorted[middle]) / 2);
}


function collectTimes(
    readings: Reading[],
    anomalies: Anomaly[],
    forecasts: Forecast[],
    gaps: number[]
): number[] {
    const times = new Set<number>(gaps);
    for (const [t] of readings)
        times.add(t);
    for (const [t] of anomalies)
        times.add(t);
    for (const forecast of forecasts) {
        times.add(forecast.t);
        for (const [t] of forecast.points)
            times.add(t);
    }
    return Array.from(times).sort((a, b) => a - b);
}


function readoutText(data: uPlot.AlignedData, idx: number): string {
    const value = (series: number) => {
        const column = data[series] as Column | undefined;
        const x = column?.[idx];
        return x == null ? null : x;
    };
    const parts = [`${formatTime(data[0][idx] as number)} UTC`];

    const reading = value(1);
    if (reading != null)
        parts.push(`reading ${formatNumber(reading)}`);

    const score = value(3);
    if (score != null)
        parts.push(`score ${formatNumber(score)}` +
                   (value(2) != null ? ' ANOMALY' : ''));

    const forecast = value(5);
    if (forecast != null)
        parts.push(`forecast ${formatNumber(forecast)}`);

    return parts.join('   ');
}


export function formatNumber(value: number): string {
    return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toPrecision(4);
}

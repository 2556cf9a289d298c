// Adapter state as sent by air_supervision.adapters.timeseries. Times are
// reading times in seconds since the epoch, UTC.

import * as u from '@hat-open/util';


export type Reading = [t: number, value: number];

export type Anomaly = [
    t: number,
    value: number,
    result: number,
    score: number | null,
    threshold: number | null
];

export type Forecast = {
    t: number;
    value: number;
    model: string | null;
    points: [t: number, value: number][];
};

export type Hyperparameter = {
    name: string;
    type: 'int' | 'float' | 'bool';
    default: number | boolean;
    minimum: number | null;
    maximum: number | null;
    description: string;
};

export type Model = {
    name: string;
    description: string;
    hyperparameters: Hyperparameter[];
};

export type ModelStateName = (
    'not_defined' | 'creating' | 'fitting' | 'fitted' | 'failed' |
    'unavailable');

export type ModelState = {
    model: string | null;
    state: ModelStateName;
    error: string | null;
    fitted_until: string | null;
    readings: number | null;
};

export type Setting = {
    model: string;
    hyperparameters: Record<string, number | boolean>;
};

export type ActionError = {
    action: string;
    message: string;
};

export type Family = {
    models: Model[];
    warmup: number | null;
    current: string | null;
    setting: Setting | null;
    state: ModelState | null;
    action_error: ActionError | null;
};

export type Remote = {
    session: {user: string; may_act: boolean};
    window: number;
    readings: Record<string, Reading[]>;
    anomalies: Record<string, Anomaly[]>;
    forecast: Forecast | null;
    forecasts: Record<string, Forecast[]>;
    families: Record<string, Family>;
};

export const families: Record<string, string> = {
    anomaly: 'Anomaly detection',
    forecast: 'Forecast'
};


// Checks the layout down to the series chunks, not every item, because
// the check runs on each state change.
export function isRemote(value: unknown): value is Remote {
    return (u.isObject(value) &&
            u.isObject(value.session) &&
            u.isNumber(value.window) &&
            isChunks(value.readings) &&
            isChunks(value.anomalies) &&
            isChunks(value.forecasts) &&
            (value.forecast === null || u.isObject(value.forecast)) &&
            u.isObject(value.families) &&
            Object.values(value.families).every(isFamily));
}


function isChunks(value: unknown): boolean {
    return u.isObject(value) && Object.values(value).every(u.isArray);
}


function isFamily(value: unknown): value is Family {
    return (u.isObject(value) &&
            u.isArray(value.models) &&
            (value.current === null || u.isString(value.current)) &&
            (value.setting === null || u.isObject(value.setting)) &&
            (value.state === null || u.isObject(value.state)) &&
            (value.action_error === null || u.isObject(value.action_error)));
}


export function flattenChunks<T>(chunks: Record<string, T[]>): T[] {
    const result: T[] = [];
    for (const key of Object.keys(chunks).sort())
        for (const item of chunks[key])
            result.push(item);
    return result;
}


export function formatTime(t: number): string {
    return new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

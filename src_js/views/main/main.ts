import * as juggler from '@hat-open/juggler';
import r from '@hat-open/renderer';
import * as u from '@hat-open/util';

import '../../style/common.css';
import './style.css';

import {Chart, colors, formatNumber} from './chart.js';
import type {FieldValue} from './hyperparameters.js';
import {initialFields, parseHyperparameters,
        rangeText} from './hyperparameters.js';
import type {Family, Forecast, Hyperparameter, Model, ModelState,
             Reading, Remote} from './types.js';
import {families, flattenChunks, formatTime, isRemote} from './types.js';


type Connection = 'connecting' | 'connected' | 'disconnected';

// A message with `model` stays until the module reports on that model.
type Message = {type: 'error' | 'info'; text: string; model?: string};

type Form = {model: string; fields: Record<string, FieldValue>};

type State = {
    connection: Connection;
    changed: number | null;
    disconnected: number | null;
    lastReading: number | null;
    lastReadingReceived: number | null;
    follow: boolean;
    remote: Remote | null;
    forms: Record<string, Form>;
    messages: Record<string, Message>;
    pending: Record<string, boolean>;
};

const defaultState: State = {
    connection: 'connecting',
    changed: null,
    disconnected: null,
    lastReading: null,
    lastReadingReceived: null,
    follow: true,
    remote: null,
    forms: {},
    messages: {},
    pending: {}
};

const statePath = 'main';
const adapterName = 'timeseries';
const retryDelay = 2000;

const badges: Record<string, string> = {
    not_defined: 'not defined',
    creating: 'creating',
    fitting: 'fitting',
    fitted: 'fitted',
    failed: 'failed',
    unavailable: 'unavailable'
};

let connection: juggler.Connection | null = null;
let chart: Chart | null = null;
let loggingOut = false;


export async function init() {
    const root = document.body.appendChild(document.createElement('div'));
    root.className = 'page';
    r.addEventListener('render', () => chart?.update(getState().remote));
    await r.init(root, {[statePath]: defaultState}, vt);

    // Re-render each second, so that the age of the last reading stays
    // current when no state change arrives.
    setInterval(() => r.render(), 1000);
    connectLoop();
}


export function vt(): u.VNode {
    const state = getState();

    return ['div.main', {
        class: {stale: state.connection != 'connected'}},
        headerVt(state),
        ['div.content',
            chartPanelVt(state),
            ['div.families',
                Object.entries(families).map(([family, title]) =>
                    familyVt(state, family, title))
            ]
        ]
    ];
}


// Keeps the time of the first disconnection over the retries that follow.
export function onDisconnected() {
    r.change(statePath, u.pipe(
        u.set('connection', 'disconnected'),
        u.change('disconnected', (t: u.JData) => t ?? Date.now())
    ) as (x: u.JData) => u.JData);
}


function headerVt(state: State): u.VNode {
    const user = state.remote?.session.user ?? '';

    return ['div.header',
        ['span.title', 'Air supervision'],
        connectionVt(state),
        lastReadingVt(state),
        ['span.spacer'],
        (user ? ['span.user', `user ${user}`] : []),
        ['button.logout', {
            on: {click: logout}},
            'Log out'
        ]
    ];
}


function connectionVt(state: State): u.VNode {
    if (state.connection == 'connected')
        return ['span.badge.ok.connection', 'connected'];

    const since = (state.disconnected == null ?
        '' :
        ` since ${formatTime(state.disconnected / 1000)} UTC`);
    const text = (state.connection == 'connecting' ?
        'connecting...' :
        `disconnected${since}, reconnecting...`);

    return ['span.badge.alarm.connection', text];
}


function lastReadingVt(state: State): u.VNode {
    if (state.lastReading == null || state.lastReadingReceived == null)
        return ['span.last-reading', 'no readings yet'];

    const age = Math.max(0, Math.round(
        (Date.now() - state.lastReadingReceived) / 1000));

    return ['span.last-reading', {
        class: {late: age > 10}},
        `last reading ${formatTime(state.lastReading)} UTC, ` +
        `received ${age} s ago`
    ];
}


function chartPanelVt(state: State): u.VNode {
    return ['div.panel.chart-panel',
        ['div.chart-toolbar',
            legendVt(),
            ['span.spacer'],
            forecastErrorVt(state.remote),
            toolbarButtonVt('-', 'Zoom out', () => chart?.zoom(1.5)),
            toolbarButtonVt('+', 'Zoom in', () => chart?.zoom(1 / 1.5)),
            toolbarButtonVt('<', 'Move back in time', () => chart?.pan(-0.25)),
            toolbarButtonVt('>', 'Move forward in time', () => chart?.pan(0.25)),
            ['button.live', {
                class: {active: state.follow},
                props: {title: 'Follow the latest readings'},
                on: {click: () => chart?.setFollow(true)}},
                'Live'
            ]
        ],
        ['div.chart', {
            key: 'chart',
            hook: {
                insert: (node: {elm: HTMLElement}) => createChart(node.elm),
                destroy: destroyChart
            }
        }],
        ['div.readout', {key: 'readout'}],
        ['div.hint',
            'Drag to zoom, wheel to zoom, Shift+wheel to move, ' +
            'double-click to follow the latest readings.'
        ]
    ];
}


function legendVt(): u.VNode {
    const item = (cls: string, color: string, label: string): u.VNode =>
        ['span.legend-item',
            [`span.key.${cls}`, {style: {'border-color': color}}],
            label];

    return ['div.legend',
        item('line', colors.reading, 'reading'),
        item('mark', colors.anomaly, 'anomaly'),
        item('dash', colors.forecast, 'forecast'),
        item('line', colors.earlierForecast, 'earlier forecasts'),
        item('line', colors.score, 'anomaly score'),
        item('dash', colors.threshold, 'threshold')
    ];
}


function toolbarButtonVt(
    label: string,
    title: string,
    cb: () => void
): u.VNode {
    return ['button.tool', {
        props: {title: title},
        on: {click: cb}},
        label
    ];
}


function forecastErrorVt(remote: Remote | null): u.VNode {
    if (!remote)
        return ['span'];

    const error = forecastError(remote);
    if (error == null)
        return ['span.forecast-error', 'forecast error: no earlier forecast'];

    return ['span.forecast-error', {
        props: {title: 'Mean absolute error of the earlier forecasts ' +
                       'at the times already read'}},
        `forecast MAE ${formatNumber(error.mae)} ` +
        `(${error.forecasts} forecasts, ${error.points} points)`
    ];
}


function familyVt(state: State, family: string, title: string): u.VNode {
    const data = state.remote?.families[family];
    if (!data)
        return ['div.panel.family', ['h2', title], ['div.dim', 'no data']];

    const model = data.models.find(i => i.name == data.current) ?? null;
    const mayAct = state.remote?.session.may_act ?? false;
    const disabled = (!mayAct || state.pending[family] ||
                      state.connection != 'connected');

    return ['div.panel.family', {
        props: {id: `family-${family}`}},
        ['div.family-header',
            ['h2', title],
            stateBadgeVt(data.state, data.current)
        ],
        stateDetailsVt(data.state),
        warmupVt(state.remote, data),
        modelsVt(family, data, disabled),
        (model ?
            hyperparametersVt(state, family, data, model, disabled) :
            ['div.dim', 'no current model']),
        (mayAct ?
            [] :
            ['div.dim', 'Read only: your user may not change models.']),
        messageVt(state.messages[family])
    ];
}


function stateBadgeVt(
    modelState: ModelState | null,
    current: string | null
): u.VNode {
    const name = modelState?.state ?? 'not_defined';
    const model = modelState?.model ?? current;
    const label = badges[name] ?? name;

    return [`span.badge.state.${name}`, {
        props: {title: model ? `model ${model}` : 'no model'}},
        model ? `${model}: ${label}` : label
    ];
}


function stateDetailsVt(modelState: ModelState | null): u.VNodeChild {
    if (!modelState)
        return [];

    const details: u.VNodeChild[] = [];
    if (modelState.fitted_until)
        details.push(['div.dim',
            `fitted on ${modelState.readings ?? '?'} readings up to ` +
            `${modelState.fitted_until} UTC`]);

    if (modelState.error)
        details.push(['div.message.error.state-error', modelState.error]);

    return details;
}


// Shows how many readings are stored of those the module waits for before
// the first fit. NOTE: the count is the adapter's window, which equals the
// module's count only while the window is at least the warm-up.
function warmupVt(remote: Remote | null, data: Family): u.VNodeChild {
    if (!remote || data.warmup == null || data.state?.fitted_until)
        return [];

    const readings = Math.min(countReadings(remote), remote.window);
    if (readings >= data.warmup)
        return [];

    return ['div.dim.warmup',
        `warming up: ${readings} of ${data.warmup} readings`];
}


function modelsVt(family: string, data: Family, disabled: boolean): u.VNode {
    if (data.models.length == 0)
        return ['div.dim', 'no supported models received'];

    return ['div.models',
        data.models.map(model => ['button.model', {
            class: {current: model.name == data.current},
            props: {
                title: model.description,
                disabled: disabled || model.name == data.current
            },
            dataset: {model: model.name},
            on: {click: () => changeModel(family, model.name)}},
            model.name
        ])
    ];
}


function hyperparametersVt(
    state: State,
    family: string,
    data: Family,
    model: Model,
    disabled: boolean
): u.VNode {
    if (model.hyperparameters.length == 0)
        return ['div.dim', `${model.name} has no hyperparameters`];

    const fields = getFields(state, family, data, model);

    return ['form.hyperparameters', {
        on: {
            submit: (evt: Event) => {
                evt.preventDefault();
                changeSetting(family);
            }
        }},
        model.hyperparameters.map(hyperparameter =>
            hyperparameterVt(family, model, fields, hyperparameter,
                             disabled)),
        ['div.form-buttons',
            ['button', {
                props: {type: 'submit', disabled: disabled}},
                'Apply'
            ],
            ['button', {
                props: {type: 'button', disabled: disabled},
                on: {click: () => resetForm(family)}},
                'Reset'
            ]
        ]
    ];
}


function hyperparameterVt(
    family: string,
    model: Model,
    fields: Record<string, FieldValue>,
    hyperparameter: Hyperparameter,
    disabled: boolean
): u.VNodeChild[] {
    const name = hyperparameter.name;
    const id = `${family}-${name}`;
    const field = fields[name];
    const changeCb = (value: FieldValue) => r.change(
        [statePath, 'forms', family],
        form => ({
            model: model.name,
            fields: {...(form as Form | null)?.fields ?? fields, [name]: value}
        }));

    const isBool = hyperparameter.type == 'bool';
    const input: u.VNode = (isBool ?
        ['input', {
            props: {id, name, type: 'checkbox', checked: field === true,
                    disabled},
            on: {change: (evt: Event) =>
                changeCb((evt.target as HTMLInputElement).checked)}
        }] :
        ['input', {
            props: {id, name, type: 'text', value: String(field ?? ''),
                    disabled, inputMode: 'decimal', autocomplete: 'off'},
            on: {input: (evt: Event) =>
                changeCb((evt.target as HTMLInputElement).value)}
        }]);

    return [
        ['label', {
            attrs: {for: id},
            props: {title: hyperparameter.description}},
            name
        ],
        input,
        ['span.range', {
            props: {title: hyperparameter.description}},
            (isBool ?
                `bool, default ${hyperparameter.default}` :
                `${hyperparameter.type} ${rangeText(hyperparameter)}, ` +
                `default ${hyperparameter.default}`)
        ]
    ];
}


function messageVt(message: Message | undefined): u.VNodeChild {
    if (!message)
        return [];

    return [`div.message.${message.type}.family-message`, message.text];
}


function createChart(el: HTMLElement) {
    const readout = el.parentElement?.querySelector<HTMLElement>('.readout');
    chart = new Chart(el, readout ?? null,
                      follow => r.set([statePath, 'follow'], follow));
    chart.update(getState().remote);
}


function destroyChart() {
    chart?.destroy();
    chart = null;
}


async function connectLoop() {
    while (true) {
        const closed = u.createFuture<void>();
        const conn = new juggler.Connection();
        connection = conn;

        conn.addEventListener('open', () => {
            r.change(statePath, u.pipe(
                u.set('connection', 'connected'),
                u.set('disconnected', null)
            ));
        });
        conn.addEventListener('change', () => onRemoteChange(conn.state));
        conn.addEventListener('close', () => closed.setResult());

        await closed;
        connection = null;
        if (loggingOut)
            return;

        onDisconnected();

        if (await isSessionClosed()) {
            window.location.assign('/');
            return;
        }

        await u.sleep(retryDelay);
    }
}


// NOTE: the juggler 0.7 client copies the whole state on each patch, so
// each change costs time in proportion to the window, not to the change.
function onRemoteChange(data: u.JData) {
    const adapterData = u.get(adapterName, data);
    const remote = isRemote(adapterData) ? adapterData : null;
    const state = getState();
    const lastReading = getLastReading(remote);

    let messages = state.messages;
    for (const family of Object.keys(families)) {
        if (hasModuleReport(messages[family], state.remote, remote, family))
            messages = u.omit(family, messages) as Record<string, Message>;

        const message = actionErrorMessage(state.remote, remote, family);
        if (message)
            messages = {...messages, [family]: message};
    }

    const changed = lastReading != null && lastReading != state.lastReading;
    r.change(statePath, u.pipe(
        u.set('remote', remote),
        u.set('changed', Date.now()),
        u.set('messages', messages),
        u.set('lastReading', lastReading),
        changed ? u.set('lastReadingReceived', Date.now()) : u.identity
    ) as (x: u.JData) => u.JData);
}


// Whether the module reported on the request that `message` waits for,
// because a new state of the requested model or a new current model
// arrived.
function hasModuleReport(
    message: Message | undefined,
    previous: Remote | null,
    remote: Remote | null,
    family: string
): boolean {
    if (!message?.model || !previous || !remote)
        return false;

    const before = previous.families[family];
    const after = remote.families[family];
    if (!before || !after)
        return false;

    if (after.current != before.current)
        return true;

    return (after.state?.model == message.model &&
            !u.equals(before.state, after.state));
}


// Shows an action error of the module only when it arrives while the page
// is open, because the stored one may be hours old.
function actionErrorMessage(
    previous: Remote | null,
    remote: Remote | null,
    family: string
): Message | null {
    if (!previous || !remote)
        return null;

    const before = previous.families[family]?.action_error;
    const after = remote.families[family]?.action_error;
    if (!after || u.equals(before, after))
        return null;

    return {type: 'error',
            text: `module rejected ${after.action}: ${after.message}`};
}


async function changeModel(family: string, model: string) {
    await sendRequest(family, 'model_change', {family, model}, {
        type: 'info',
        text: `requested model ${model}, waiting for the module`,
        model: model
    });
}


async function changeSetting(family: string) {
    const state = getState();
    const data = state.remote?.families[family];
    const model = data?.models.find(i => i.name == data.current);
    if (!data || !model)
        return;

    const fields = getFields(state, family, data, model);
    const result = parseHyperparameters(model.hyperparameters, fields);
    if (result.errors.length > 0) {
        setMessage(family, {type: 'error', text: result.errors.join('\n')});
        return;
    }

    await sendRequest(family, 'setting_change', {
        family,
        model: model.name,
        hyperparameters: result.values
    }, {
        type: 'info',
        text: `requested new hyperparameters of ${model.name}, ` +
              `waiting for the module`,
        model: model.name
    });
}


// Sends a request and then shows `waiting`, unless the module's report
// arrived before the adapter's response.
async function sendRequest(
    family: string,
    name: string,
    data: u.JData,
    waiting: Message
) {
    if (!connection) {
        setMessage(family, {type: 'error', text: 'not connected'});
        return;
    }

    const previous = getState().remote;
    await r.set([statePath, 'pending', family], true);
    try {
        await connection.send(`${adapterName}/${name}`, data);
        if (!hasModuleReport(waiting, previous, getState().remote, family))
            setMessage(family, waiting);

    } catch (e) {
        setMessage(family, {type: 'error', text: `rejected: ${String(e)}`});

    } finally {
        await r.set([statePath, 'pending', family], false);
    }
}


function resetForm(family: string) {
    r.change(statePath, u.pipe(
        u.change('forms', forms => u.omit(family, forms)),
        u.change('messages', messages => u.omit(family, messages))
    ) as (x: u.JData) => u.JData);
}


function setMessage(family: string, message: Message) {
    r.set([statePath, 'messages', family], message);
}


// Form fields of the current model: the operator's edits, or else the
// current setting, or else the declared defaults.
function getFields(
    state: State,
    family: string,
    data: Family,
    model: Model
): Record<string, FieldValue> {
    const form = state.forms[family];
    if (form && form.model == model.name)
        return form.fields;

    const setting = (data.setting?.model == model.name ?
        data.setting.hyperparameters :
        null);
    return initialFields(model.hyperparameters, setting);
}


function getLastReading(remote: Remote | null): number | null {
    if (!remote)
        return null;

    const keys = Object.keys(remote.readings).sort();
    const chunk = keys.length > 0 ? remote.readings[keys[keys.length - 1]] : [];
    const last = chunk.length > 0 ? chunk[chunk.length - 1] as Reading : null;
    return last ? last[0] : null;
}


function countReadings(remote: Remote): number {
    let count = 0;
    for (const chunk of Object.values(remote.readings))
        count += chunk.length;
    return count;
}


function forecastError(
    remote: Remote
): {mae: number; forecasts: number; points: number} | null {
    const readings = new Map(
        flattenChunks<Reading>(remote.readings).map(([t, v]) => [t, v]));
    let sum = 0;
    let points = 0;
    let forecasts = 0;

    for (const forecast of flattenChunks<Forecast>(remote.forecasts)) {
        let matched = 0;
        for (const [t, value] of forecast.points) {
            const actual = readings.get(t);
            if (actual == null)
                continue;
            sum += Math.abs(actual - value);
            matched += 1;
        }
        points += matched;
        forecasts += matched > 0 ? 1 : 0;
    }

    return points > 0 ? {mae: sum / points, forecasts, points} : null;
}


async function isSessionClosed(): Promise<boolean> {
    try {
        const res = await fetch('/session');
        return res.status == 400;

    } catch {
        return false;
    }
}


async function logout() {
    loggingOut = true;
    connection?.close();
    try {
        await fetch('/logout', {method: 'POST'});
    } finally {
        window.location.assign('/');
    }
}


function getState(): State {
    const state = r.get(statePath);
    return isState(state) ? state : defaultState;
}


function isState(value: unknown): value is State {
    return (u.isObject(value) &&
            u.isString(value.connection) &&
            u.isBoolean(value.follow) &&
            (value.remote === null || isRemote(value.remote)) &&
            u.isObject(value.forms) &&
            u.isObject(value.messages) &&
            u.isObject(value.pending));
}


window.addEventListener('load', init);

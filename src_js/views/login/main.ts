import r from '@hat-open/renderer';
import * as u from '@hat-open/util';

import '../../style/common.css';
import './style.css';


type State = {
    name: string;
    password: string;
    message: string | null;
    pending: boolean;
};

const defaultState: State = {
    name: '',
    password: '',
    message: null,
    pending: false
};

const statePath = 'login';


export async function init() {
    const root = document.body.appendChild(document.createElement('div'));
    await r.init(root, {[statePath]: defaultState}, vt);
}


// The renderer replaces the root element with the tree's root, so the
// tree starts with the page's own wrapper.
export function vt(): u.VNode {
    return ['div.login', formVt(getState())];
}


function formVt(state: State): u.VNode {
    return ['form', {
        on: {
            submit: (evt: Event) => {
                evt.preventDefault();
                login();
            }
        }},
        ['h1', 'Air supervision'],
        ['div.subtitle', 'Log in to follow the readings and the models'],
        (state.message == null ?
            [] :
            ['div.message.error', state.message]),
        inputVt('text', 'User', 'username', state.name,
                value => r.set([statePath, 'name'], value)),
        inputVt('password', 'Password', 'current-password', state.password,
                value => r.set([statePath, 'password'], value)),
        ['button', {
            props: {
                type: 'submit',
                disabled: state.pending
            }},
            state.pending ? 'Logging in...' : 'Log in'
        ]
    ];
}


function inputVt(
    type: string,
    label: string,
    autocomplete: string,
    value: string,
    changeCb: (value: string) => void
): u.VNodeChild[] {
    const id = `login-${type}`;

    return [
        ['label', {attrs: {for: id}}, label],
        ['input', {
            props: {
                id: id,
                type: type,
                value: value,
                autocomplete: autocomplete
            },
            on: {
                input: (evt: Event) => {
                    changeCb((evt.target as HTMLInputElement).value);
                }
            }
        }]
    ];
}


async function login() {
    const state = getState();
    if (state.pending)
        return;

    await r.change(statePath, u.pipe(
        u.set('pending', true),
        u.set('message', null)
    ));

    try {
        const res = await fetch('/login/local', {
            method: 'POST',
            headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({name: state.name, password: state.password})
        });

        if (res.status == 400)
            throw new Error('invalid user name or password');

        if (!res.ok)
            throw new Error(`server returned status ${res.status}`);

        window.location.assign('/');

    } catch (e) {
        const message = `Login failed: ${e instanceof Error ? e.message : e}`;
        await r.change(statePath, u.pipe(
            u.set('message', message),
            u.set('password', ''),
            u.set('pending', false)
        ));
    }
}


function getState(): State {
    const state = r.get(statePath);
    return isState(state) ? state : defaultState;
}


function isState(value: unknown): value is State {
    return (u.isObject(value) &&
            u.isString(value.name) &&
            u.isString(value.password) &&
            (value.message === null || u.isString(value.message)) &&
            u.isBoolean(value.pending));
}


window.addEventListener('load', init);

// Parsing and checking of hyperparameter form fields. Messages follow the
// adapter's, which come from air_supervision.aimm.common.Hyperparameter.

import type {Hyperparameter} from './types.js';


export type FieldValue = string | boolean;

export type ParseResult = {
    values: Record<string, number | boolean>;
    errors: string[];
};

const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;


export function parseHyperparameters(
    declared: Hyperparameter[],
    fields: Record<string, FieldValue>
): ParseResult {
    const values: Record<string, number | boolean> = {};
    const errors: string[] = [];

    for (const hyperparameter of declared) {
        const field = fields[hyperparameter.name];
        const result = parseHyperparameter(hyperparameter, field);

        if (typeof result == 'string') {
            errors.push(result);
        } else {
            values[hyperparameter.name] = result;
        }
    }

    return {values, errors};
}


// Returns the parsed value, or the error message as a string.
export function parseHyperparameter(
    hyperparameter: Hyperparameter,
    field: FieldValue | undefined
): number | boolean | string {
    const name = hyperparameter.name;

    if (hyperparameter.type == 'bool')
        return field === true;

    const text = typeof field == 'string' ? field.trim() : '';
    if (text == '')
        return `missing value for ${name}: expected ${expected(hyperparameter)}`;

    if (!numberPattern.test(text))
        return `invalid value '${text}' for ${name}: ` +
            `expected ${expected(hyperparameter)}`;

    const value = Number(text);
    if (!Number.isFinite(value))
        return `invalid value ${text} for ${name}: ` +
            `expected a finite number in ${rangeText(hyperparameter)}`;

    if (hyperparameter.type == 'int' && !Number.isInteger(value))
        return `invalid value ${text} for ${name}: ` +
            `expected an integer in ${rangeText(hyperparameter)}`;

    if ((hyperparameter.minimum != null && value < hyperparameter.minimum) ||
            (hyperparameter.maximum != null && value > hyperparameter.maximum))
        return `value ${text} of ${name} is out of range: ` +
            `expected ${expected(hyperparameter)}`;

    return value;
}


export function rangeText(hyperparameter: Hyperparameter): string {
    const low = (hyperparameter.minimum == null ?
        '-inf' :
        String(hyperparameter.minimum));
    const high = (hyperparameter.maximum == null ?
        'inf' :
        String(hyperparameter.maximum));
    return `[${low}, ${high}]`;
}


export function initialFields(
    declared: Hyperparameter[],
    values: Record<string, number | boolean> | null
): Record<string, FieldValue> {
    const fields: Record<string, FieldValue> = {};

    for (const hyperparameter of declared) {
        const value = values?.[hyperparameter.name] ?? hyperparameter.default;
        fields[hyperparameter.name] = (hyperparameter.type == 'bool' ?
            value === true :
            String(value));
    }

    return fields;
}


function expected(hyperparameter: Hyperparameter): string {
    const kind = hyperparameter.type == 'int' ? 'an integer' : 'a number';
    return `${kind} in ${rangeText(hyperparameter)}`;
}

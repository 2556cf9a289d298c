"""Hyperparameter declarations and base classes of the AIMM model plugins

Every model declares its hyperparameters once, as a list of
:class:`Hyperparameter`. The same declaration validates values in the
plugin, in the event server modules and in the GUI adapter, and describes
the form the view draws.

"""

from collections.abc import Iterable, Sequence
import math
import pickle
import typing

from aimm import plugins
from hat import json


class HyperparameterError(ValueError):
    """Hyperparameter value that a model cannot take"""


class Hyperparameter(typing.NamedTuple):
    """Declaration of one hyperparameter"""
    name: str
    type: typing.Literal['int', 'float', 'bool']
    default: int | float | bool
    description: str
    minimum: float | None = None
    """smallest valid value, inclusive"""
    maximum: float | None = None
    """largest valid value, inclusive"""

    def validate(self, value: json.Data) -> int | float | bool:
        """Check `value` and return it as the declared type.

        Integral floats such as ``3.0`` are accepted for ``int``, but
        strings are rejected whatever they contain, because the view sends
        numbers.

        Raises:
            HyperparameterError: naming the value and the valid range

        """
        if self.type == 'bool':
            if not isinstance(value, bool):
                raise HyperparameterError(
                    f"invalid value {value!r} for {self.name}: "
                    f"expected true or false")
            return value

        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise HyperparameterError(
                f"invalid value {value!r} for {self.name}: "
                f"expected {self._expected()}")

        if not math.isfinite(value):
            raise HyperparameterError(
                f"invalid value {value!r} for {self.name}: "
                f"expected a finite number in {self.range_text()}")

        if self.type == 'int':
            if value != int(value):
                raise HyperparameterError(
                    f"invalid value {value!r} for {self.name}: "
                    f"expected an integer in {self.range_text()}")
            value = int(value)

        else:
            value = float(value)

        if ((self.minimum is not None and value < self.minimum) or
                (self.maximum is not None and value > self.maximum)):
            raise HyperparameterError(
                f"value {value!r} of {self.name} is out of range: "
                f"expected {self._expected()}")

        return value

    def range_text(self) -> str:
        """Valid range in interval notation"""
        low = '-inf' if self.minimum is None else _format(self.minimum)
        high = 'inf' if self.maximum is None else _format(self.maximum)
        return f"[{low}, {high}]"

    def to_json(self) -> json.Data:
        """Declaration as sent to the view"""
        return {'name': self.name,
                'type': self.type,
                'default': self.default,
                'minimum': self.minimum,
                'maximum': self.maximum,
                'description': self.description}

    def _expected(self) -> str:
        kind = 'an integer' if self.type == 'int' else 'a number'
        return f"{kind} in {self.range_text()}"


def validate_hyperparameters(declared: Sequence[Hyperparameter],
                             values: dict[str, json.Data]
                             ) -> dict[str, int | float | bool]:
    """Check `values` against `declared` and fill in the defaults.

    Raises:
        HyperparameterError: on an unknown name or an invalid value

    """
    by_name = {i.name: i for i in declared}
    unknown = sorted(set(values) - set(by_name))
    if unknown:
        raise HyperparameterError(
            f"unknown hyperparameter {unknown[0]!r}: expected one of "
            f"{', '.join(sorted(by_name)) or 'none'}")

    result = {i.name: i.default for i in declared}
    for name, value in values.items():
        result[name] = by_name[name].validate(value)

    return result


def hyperparameters_to_json(declared: Iterable[Hyperparameter]
                            ) -> list[json.Data]:
    """Declarations as sent to the view"""
    return [i.to_json() for i in declared]


class Model(plugins.Model):
    """Base of this package's AIMM model plugins.

    The constructor takes the hyperparameters as keyword arguments,
    validated against :attr:`hyperparameters`. Instances serialize with
    pickle, which the AIMM server needs only for its own store.

    """

    hyperparameters: typing.ClassVar[list[Hyperparameter]] = []
    """Declared hyperparameters of the model"""

    description: typing.ClassVar[str] = ''
    """One-line description shown in the view"""

    def __init__(self, **hyperparameters: json.Data):
        self.params = validate_hyperparameters(self.hyperparameters,
                                               hyperparameters)

    def serialize(self) -> bytes:
        return pickle.dumps(self)

    @classmethod
    def deserialize(cls, instance_bytes: bytes) -> 'Model':
        return pickle.loads(instance_bytes)


def _format(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)

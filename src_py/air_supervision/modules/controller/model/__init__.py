"""Module-side description of the models each family supports

The event server modules never load an estimator. They need each model's
name, its AIMM model type and its declared hyperparameters, which they take
from the plugin classes so that one declaration serves the plugin, the
modules and the view.

"""

from collections.abc import Iterable
import inspect
import types
import typing

from hat import json
import aimm.plugins.decorators

from air_supervision.aimm import common as aimm_common


class ModelSpec(typing.NamedTuple):
    name: str
    """name the user selects, the plugin class name"""
    model_type: str
    """AIMM model type, ``<python module>.<class>``"""
    description: str
    hyperparameters: list[aimm_common.Hyperparameter]

    def validate(self, values: dict[str, json.Data]
                 ) -> dict[str, int | float | bool]:
        """Hyperparameters `values` with defaults filled in.

        Raises:
            air_supervision.aimm.common.HyperparameterError

        """
        return aimm_common.validate_hyperparameters(self.hyperparameters,
                                                    values)

    def to_json(self) -> json.Data:
        return {'name': self.name,
                'description': self.description,
                'hyperparameters': aimm_common.hyperparameters_to_json(
                    self.hyperparameters)}


def specs_from_plugin_module(module: types.ModuleType
                             ) -> dict[str, ModelSpec]:
    """Specs of the model classes that `module` defines and registers as
    AIMM plugins, in the order of their definition"""
    return {cls.__name__: _spec_from_class(cls)
            for cls in _model_classes(module)}


def _model_classes(module: types.ModuleType) -> Iterable[type]:
    for obj in vars(module).values():
        if (inspect.isclass(obj) and
                issubclass(obj, aimm_common.Model) and
                obj.__module__ == module.__name__ and
                _is_registered(obj)):
            yield obj


def _is_registered(cls: type) -> bool:
    try:
        aimm.plugins.decorators.get_instantiate(
            f'{cls.__module__}.{cls.__name__}')
        return True

    except ValueError:
        return False


def _spec_from_class(cls: type[aimm_common.Model]) -> ModelSpec:
    return ModelSpec(name=cls.__name__,
                     model_type=f'{cls.__module__}.{cls.__name__}',
                     description=cls.description,
                     hyperparameters=list(cls.hyperparameters))

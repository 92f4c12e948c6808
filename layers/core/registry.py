"""The layer registry: apps register their Layer classes in AppConfig.ready().

Registration checks each layer's public surface (Layer.check_public_surface), so a layer that
orders, filters, tiles or sums on a hidden column stops the portal at start-up."""

from .layer import Layer


class LayerRegistry:
    def __init__(self):
        self._layers: dict[str, Layer] = {}

    def register(self, layer_class: type[Layer]) -> None:
        layer = layer_class()
        if layer.slug in self._layers and type(self._layers[layer.slug]) is not layer_class:
            raise ValueError(f"layer slug {layer.slug!r} is registered twice")
        layer.check_public_surface()
        self._layers[layer.slug] = layer

    def get(self, slug: str) -> Layer | None:
        return self._layers.get(slug)

    def all(self) -> list[Layer]:
        return list(self._layers.values())

    def slugs(self) -> list[str]:
        return list(self._layers)


layer_registry = LayerRegistry()

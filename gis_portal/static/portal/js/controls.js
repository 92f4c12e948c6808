// Leaflet's own controls with their words translated (zoom buttons, scale bar, popup close) and
// the map's focus ring.

import { formatNumber, gettext, interpolate } from "./i18n.js";

// Leaflet writes "m" and "km" itself; only the label is replaced, the rounding is Leaflet's.
const TranslatedScale = L.Control.Scale.extend({
  _updateMetric(maxMeters) {
    const meters = this._getRoundNum(maxMeters);
    const label = meters < 1000
      ? interpolate(gettext("%(distance)s m"), { distance: formatNumber(meters) }, true)
      : interpolate(gettext("%(distance)s km"), { distance: formatNumber(meters / 1000) }, true);
    this._updateScale(this._mScale, label, meters / maxMeters);
  },
});

export function addControls(map) {
  L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
  new TranslatedScale({ imperial: false }).addTo(map);
  // Leaflet focuses the map on every mouse press; the focus ring is for keyboard users only.
  const container = map.getContainer();
  container.addEventListener("pointerdown", () => container.classList.add("pointer-focus"));
  container.addEventListener("keydown", () => container.classList.remove("pointer-focus"));
  map.on("popupopen", (event) => {
    event.popup.getElement()?.querySelector(".leaflet-popup-close-button")
      ?.setAttribute("aria-label", gettext("Close"));
  });
}

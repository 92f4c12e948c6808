// The settlement page's map: the settlement's district, its point (with the circle of its
// precision when the point is only approximate) and, when the page has a position form, a
// draggable marker for the new position. The marker, a click on the map and the form's
// longitude/latitude fields stay in step, so the point can be set with a mouse, a finger or
// the keyboard alone.

import { getJSON } from "./api.js";
import { addBasemap } from "./basemap.js";
import { addControls } from "./controls.js";

const config = JSON.parse(document.getElementById("settlement-map-config").textContent);
const POINT_ZOOM = 12;
const DIGITS = 6;

const map = L.map("settlement-map", {
  center: config.point ? [config.point[1], config.point[0]] : config.center,
  zoom: config.point ? POINT_ZOOM : config.zoom,
  minZoom: config.minZoom,
  maxZoom: config.maxZoom,
  zoomControl: false,
});
addControls(map);
addBasemap(map, config).catch((error) => console.warn("basemap:", error.message));

if (config.boundaryUrl) {
  getJSON(config.boundaryUrl).then((area) => {
    if (!area.geometry) return;
    const outline = L.geoJSON(area.geometry, {
      interactive: false,
      style: { color: "#1f4e79", weight: 2, fill: true, fillOpacity: 0.05 },
    }).addTo(map);
    if (!config.point || config.approximate) map.fitBounds(outline.getBounds(), { padding: [10, 10] });
  }).catch((error) => console.warn("district outline:", error.message));
}

if (config.point) {
  const latlng = [config.point[1], config.point[0]];
  if (config.approximate && config.precisionM) {
    // Somewhere within this circle, not at its centre.
    L.circle(latlng, {
      radius: config.precisionM, interactive: false, color: "#7b3294", weight: 2, dashArray: "6 4",
      fill: true, fillOpacity: 0.06,
    }).addTo(map);
  }
  L.circleMarker(latlng, {
    radius: 6, interactive: false, color: config.approximate ? "#7b3294" : "#b35806", weight: 2,
    fill: !config.approximate, fillColor: "#fdb863", fillOpacity: 0.9,
    dashArray: config.approximate ? "3 2" : null,
  }).addTo(map);
}

const form = document.querySelector("[data-position-form]");
if (form) {
  const lon = form.querySelector("[data-lon]");
  const lat = form.querySelector("[data-lat]");
  const typed = () => {
    const lng = parseFloat(lon.value);
    const la = parseFloat(lat.value);
    return Number.isFinite(lng) && Number.isFinite(la) ? L.latLng(la, lng) : null;
  };
  const start = typed() || map.getCenter();
  const marker = L.marker(start, {
    draggable: true,
    autoPan: true,
    // The marker is reachable by keyboard, but the fields below are how to move it by keys.
    keyboard: false,
    title: config.markerLabel,
    alt: config.markerLabel,
  }).addTo(map);

  const show = (latlng) => {
    lon.value = latlng.lng.toFixed(DIGITS);
    lat.value = latlng.lat.toFixed(DIGITS);
  };
  marker.on("dragend", () => show(marker.getLatLng()));
  map.on("click", (event) => {
    marker.setLatLng(event.latlng);
    show(event.latlng);
  });
  for (const input of [lon, lat]) {
    input.addEventListener("input", () => {
      const latlng = typed();
      if (latlng) {
        marker.setLatLng(latlng);
        if (!map.getBounds().contains(latlng)) map.panTo(latlng);
      }
    });
  }
  map.getContainer().setAttribute("aria-describedby", "map-help");
}

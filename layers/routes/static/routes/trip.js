// The road-trip page's map: the route, its overnight stops and the sights along it, drawn from
// the plan the server embedded (json_script). The form and the day list work without it.

import { addBasemap } from "../portal/js/basemap.js";
import { addControls } from "../portal/js/controls.js";

const config = JSON.parse(document.getElementById("trip-map-config").textContent);
const element = document.querySelector("[data-trip-map]");

const STYLES = {
  route: { color: "#1f4eb3", weight: 4, opacity: 0.9, dashArray: "8 6" },
  overnight: { radius: 7, color: "#7a4100", weight: 2, fillColor: "#f0a030", fillOpacity: 1 },
  end: { radius: 8, color: "#1f4e79", weight: 2, fillColor: "#ffffff", fillOpacity: 1 },
  sight: { radius: 5, color: "#1a7f37", weight: 2, fillColor: "#8fd19e", fillOpacity: 0.9 },
};

if (element && config.geojson) {
  const map = L.map(element, {
    center: config.center, zoom: config.zoom, minZoom: config.minZoom, maxZoom: config.maxZoom,
    zoomControl: false,
  });
  addControls(map);
  addBasemap(map, config).catch((error) => console.warn("basemap:", error.message));
  const layer = L.geoJSON(config.geojson, {
    style: (feature) => STYLES[feature.properties.kind] || STYLES.route,
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, STYLES[feature.properties.kind]),
    onEachFeature: (feature, drawn) => {
      const p = feature.properties;
      if (p.kind === "route") return;
      const label = p.kind === "sight" ? p.name : `${p.day}. ${p.name}`;
      drawn.bindTooltip(label);
    },
  }).addTo(map);
  element.dataset.routeDrawn = String(layer.getLayers().length);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
}

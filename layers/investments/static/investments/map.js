// The investment pages' maps: the features the server embedded (json_script) drawn as circle
// markers, a low-employment settlement's colour by how high its unemployment is. The page's
// list and form work without the map.

import { addBasemap } from "../portal/js/basemap.js";
import { addControls } from "../portal/js/controls.js";

const STYLES = {
  project: { radius: 8, color: "#3f2a6b", weight: 2, fillColor: "#b2abd2", fillOpacity: 0.95 },
  gap: { radius: 7, color: "#7a1d0c", weight: 2, fillColor: "#f4a582", fillOpacity: 0.9 },
  high: { radius: 8, color: "#67001f", weight: 2, fillColor: "#d6604d", fillOpacity: 0.9 },
};

for (const element of document.querySelectorAll("[data-invest-map]")) {
  const config = JSON.parse(document.getElementById(element.dataset.investMap).textContent);
  const map = L.map(element, {
    center: config.center, zoom: config.zoom, minZoom: config.minZoom, maxZoom: config.maxZoom,
    zoomControl: false,
  });
  addControls(map);
  addBasemap(map, config).catch((error) => console.warn("basemap:", error.message));
  const layer = L.geoJSON(config.geojson, {
    pointToLayer: (feature, latlng) => {
      const p = feature.properties;
      if (p.kind === "project") return L.circleMarker(latlng, STYLES.project);
      return L.circleMarker(latlng, p.unemployment_rate >= 20 ? STYLES.high : STYLES.gap);
    },
    onEachFeature: (feature, drawn) => {
      const p = feature.properties;
      const label = p.unemployment_rate === undefined ? p.name
        : `${p.name}: ${p.unemployment_rate}%${p.note ? ` (${p.note})` : ""}`;
      drawn.bindTooltip(label);
    },
  }).addTo(map);
  element.dataset.featuresDrawn = String(layer.getLayers().length);
  if (layer.getLayers().length === 1 && config.pointZoom) {
    map.setView(layer.getLayers()[0].getLatLng(), config.pointZoom);
  } else if (layer.getLayers().length) {
    map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 11 });
  }
}

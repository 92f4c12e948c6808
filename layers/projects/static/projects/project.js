// The project page's map: the project's public point and, when it has one, its site outline.

import { addBasemap } from "../portal/js/basemap.js";
import { addControls } from "../portal/js/controls.js";

const config = JSON.parse(document.getElementById("project-map-config").textContent);
const latlng = [config.point[1], config.point[0]];
const map = L.map("project-map", {
  center: latlng, zoom: 14, minZoom: config.minZoom, maxZoom: config.maxZoom, zoomControl: false,
});
addControls(map);
addBasemap(map, config).catch((error) => console.warn("basemap:", error.message));
if (config.site) {
  const outline = L.geoJSON(config.site, {
    interactive: false, style: { color: "#1b7837", weight: 2, fill: true, fillOpacity: 0.15 },
  }).addTo(map);
  map.fitBounds(outline.getBounds(), { padding: [20, 20], maxZoom: 17 });
}
L.circleMarker(latlng, {
  radius: 8, interactive: false, weight: 2,
  color: config.overdue ? "#b2182b" : "#1b7837",
  fillColor: config.overdue ? "#f4a582" : "#a6dba0", fillOpacity: 0.95,
}).addTo(map);

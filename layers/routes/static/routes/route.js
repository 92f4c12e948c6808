// An eco-route's page map: the route (simplified for display) and the sights along it.

import { addBasemap } from "../portal/js/basemap.js";
import { addControls } from "../portal/js/controls.js";

const config = JSON.parse(document.getElementById("route-map-config").textContent);
const element = document.querySelector("[data-route-map]");

if (element && config.geojson) {
  const map = L.map(element, {
    center: config.center, zoom: config.zoom, minZoom: config.minZoom, maxZoom: config.maxZoom,
    zoomControl: false,
  });
  addControls(map);
  addBasemap(map, config).catch((error) => console.warn("basemap:", error.message));
  const route = L.geoJSON(config.geojson, {
    style: { color: "#1a7f37", weight: 4, opacity: 0.9 },
  }).addTo(map);
  for (const sight of config.sights || []) {
    L.circleMarker([sight.lat, sight.lon], {
      radius: 5, color: "#7a4100", weight: 2, fillColor: "#f0a030", fillOpacity: 1,
    }).bindTooltip(sight.name).addTo(map);
  }
  map.fitBounds(route.getBounds(), { padding: [12, 12], maxZoom: 13 });
}

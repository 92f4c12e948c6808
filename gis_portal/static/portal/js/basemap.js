// The base of the map. A raster basemap when the portal is configured with one (TZ_BASEMAP_URL
// via LEAFLET_CONFIG); under it, always, an offline base drawn from the portal's own data: land
// and oblast outlines on a neutral background, with oblast names. With no basemap, or when its
// tiles fail to load (no internet), the offline base is what people see.

import { getJSON, withQuery } from "./api.js";
import { h } from "./dom.js";
import { localName } from "./i18n.js";

// Oblast names fit between these zooms; closer in, the district outlines take over.
const LABEL_MIN_ZOOM = 5;
const LABEL_MAX_ZOOM = 7;

const LAND_STYLE = { color: "#a39d8a", weight: 1, opacity: 0.9, fillColor: "#f8f6ef", fillOpacity: 1 };

/** Where to write an area's name: the centroid of its largest part's outer ring (a coastal
 *  oblast's first part may be a small island), and that part's size in square degrees. */
function labelPoint(geometry) {
  const polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
  let best = null;
  for (const [ring] of polygons) {
    let area = 0;
    let x = 0;
    let y = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += cross;
      x += (ring[j][0] + ring[i][0]) * cross;
      y += (ring[j][1] + ring[i][1]) * cross;
    }
    if (area !== 0 && (!best || Math.abs(area) > best.area)) {
      best = { area: Math.abs(area), lng: x / (3 * area), lat: y / (3 * area) };
    }
  }
  return best && { latlng: [best.lat, best.lng], size: best.area };
}

function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Hides the names that would overprint a bigger area's name at this zoom. */
function declutter(labels) {
  const placed = [];
  const bySize = labels.getLayers().sort((a, b) => b.options.size - a.options.size);
  for (const label of bySize) {
    const element = label.getElement();
    if (!element) continue;
    element.style.visibility = "";
    const box = element.getBoundingClientRect();
    if (placed.some((other) => overlaps(box, other))) element.style.visibility = "hidden";
    else placed.push(box);
  }
}

export function addBasemap(map, config) {
  // Below the tile pane (z-index 200) so a raster basemap, when it loads, covers it.
  map.createPane("offline-base").style.zIndex = 150;
  const land = L.geoJSON(null, {
    pane: "offline-base",
    renderer: L.canvas({ pane: "offline-base" }),
    interactive: false,
    style: LAND_STYLE,
  }).addTo(map);
  const labels = L.layerGroup();
  let showLabels = !config.basemap;

  if (config.basemap) {
    L.tileLayer(config.basemap.url, {
      attribution: config.basemap.attribution,
      maxZoom: config.maxZoom,
    })
      .on("tileerror", () => {
        showLabels = true;
        updateLabels();
      })
      .addTo(map);
  }
  map.attributionControl.addAttribution(config.attribution);

  function updateLabels() {
    const zoom = map.getZoom();
    const wanted = showLabels && zoom >= LABEL_MIN_ZOOM && zoom <= LABEL_MAX_ZOOM;
    if (wanted && !map.hasLayer(labels)) labels.addTo(map);
    if (!wanted && map.hasLayer(labels)) labels.remove();
    if (wanted) declutter(labels);
  }
  map.on("zoomend", updateLabels);

  const url = withQuery(config.urls.areas, { level: "oblast", geometry: "simplified" });
  return getJSON(url).then((body) => {
    for (const area of body.areas) {
      if (!area.geometry) continue;
      land.addData({ type: "Feature", geometry: area.geometry });
      const point = labelPoint(area.geometry);
      if (!point) continue;
      labels.addLayer(
        L.tooltip({ permanent: true, direction: "center", className: "area-label", interactive: false, size: point.size })
          .setLatLng(point.latlng)
          .setContent(h("span", {}, localName(area.name))),
      );
    }
    updateLabels();
    return body.areas;
  });
}

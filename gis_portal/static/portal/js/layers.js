// Map layers built from catalogue entries (/api/layers/). Dense layers ("render": "tiles") are
// vector tiles drawn on canvas by Leaflet.VectorGrid; small ones ("geojson") are fetched for the
// view and drawn on a canvas renderer too. Either way no feature becomes a DOM marker.
//
// Tiles are not interactive: a click goes to the map, which looks the place up and asks the
// API for the features near it (lookup.js). That also sidesteps VectorGrid 1.3's click
// handling, which calls L.DomEvent.fakeStop, removed in Leaflet 1.8.

import { getJSON, isAbort, tilesInPageLanguage, withQuery } from "./api.js";
import { APPROXIMATE_POINT_STYLE, isApproximatePosition } from "./positions.js";

// The administrative outlines change level with zoom: oblasts always, districts and then the
// (approximate) rural okrugs as the map zooms in. One tile layer per level, via ?level=.
const AREA_LEVEL_MIN_ZOOM = { oblast: 0, district: 6, okrug: 9 };

// GeoJSON layers: page size and the most features kept for one view.
const GEOJSON_PAGE = 2000;
const GEOJSON_MAX_FEATURES = 10000;

const DASHED = "4 3";

function isTrue(value) {
  return value === true || value === "true";
}

/** Leaflet path options for one feature of a layer, from the catalogue's style. */
function featureStyle(entry, properties, zoom) {
  const style = entry.style || {};
  if (entry.geometry === "point") {
    // Small circles when the whole country is in view, larger close in.
    const scale = zoom < 6 ? 0.5 : zoom < 8 ? 0.7 : zoom < 11 ? 0.9 : 1.15;
    const point = {
      radius: (style.radius || 4) * scale,
      color: style.color,
      weight: zoom < 6 ? 0.5 : 1,
      opacity: 1,
      fill: true,
      fillColor: style.fillColor || style.color,
      fillOpacity: style.fillOpacity ?? 0.8,
    };
    // A point standing for an area's count (low zooms of a dense layer): sized by the count.
    if (typeof properties.count === "number" && properties.level) {
      return { ...point, radius: Math.min(6 + 2.5 * Math.log2(properties.count), 26), weight: 1.5,
               fillOpacity: 0.55 };
    }
    // A flagged feature (a project whose report is overdue) in the layer's second colour.
    if (isTrue(properties.report_overdue) && style.overdueColor) {
      Object.assign(point, { color: style.overdueColor, fillColor: style.overdueFillColor || style.overdueColor });
    }
    // A point that only stands for its okrug or district: hollow, dashed, another colour.
    if (isApproximatePosition(properties)) {
      return { ...point, ...APPROXIMATE_POINT_STYLE, radius: point.radius + 2, weight: zoom < 6 ? 1 : 1.5 };
    }
    return point;
  }
  if (entry.geometry === "line") {
    return { color: style.color, weight: style.weight || 2, opacity: 0.9 };
  }
  const polygon = {
    color: style.color,
    weight: style.weight || 1.2,
    opacity: 0.9,
    fill: true,
    fillColor: style.fillColor || style.color,
    fillOpacity: style.fillOpacity ?? 0.15,
    dashArray: isTrue(properties.approximate) ? DASHED : null,
  };
  if (properties.level === "oblast") {
    return { ...polygon, weight: zoom < 6 ? 1.6 : 2.4 };
  }
  if (properties.level) {
    // Districts and okrugs are outlines inside the oblast's tint, not a second tint.
    return { ...polygon, weight: properties.level === "okrug" ? 0.8 : 1, opacity: 0.75, fill: false };
  }
  return polygon;
}

function vectorGrid(entry, url, options) {
  return L.vectorGrid.protobuf(url, {
    rendererFactory: L.canvas.tile,
    interactive: false,
    vectorTileLayerStyles: {
      [entry.slug]: (properties, zoom) => featureStyle(entry, properties, zoom),
    },
    maxNativeZoom: entry.max_zoom,
    ...options,
  });
}

/** A tile layer of one catalogue entry; setQuery() changes its filters. */
class TileLayerController {
  constructor(entry, query, zIndex) {
    this.entry = entry;
    this.layer = vectorGrid(entry, tilesInPageLanguage(entry.urls.tiles, query), {
      minZoom: entry.min_zoom,
      zIndex,
    });
  }

  setQuery(query) {
    this.layer.setUrl(tilesInPageLanguage(this.entry.urls.tiles, query));
  }
}

/** The administrative outlines: one tile layer per level, each from its zoom on. A `level`
 *  filter chosen by the user replaces the zoom rule with that single level. */
class AreaOutlinesController {
  constructor(entry, query, zIndex) {
    this.entry = entry;
    this.zIndex = zIndex;
    this.layer = L.layerGroup();
    this.setQuery(query);
  }

  setQuery(query) {
    this.layer.clearLayers();
    const chosen = query.get("level");
    for (const [level, minZoom] of Object.entries(AREA_LEVEL_MIN_ZOOM)) {
      if (chosen && chosen !== level) continue;
      const params = new URLSearchParams(query);
      params.set("level", level);
      this.layer.addLayer(vectorGrid(this.entry, tilesInPageLanguage(this.entry.urls.tiles, params), {
        minZoom: chosen ? this.entry.min_zoom : Math.max(minZoom, this.entry.min_zoom),
        zIndex: this.zIndex,
      }));
    }
  }
}

/** A small layer fetched as GeoJSON for the current view (bbox), refetched as the map moves. */
class GeoJSONLayerController {
  constructor(entry, query, onNotice) {
    this.entry = entry;
    this.query = query;
    this.onNotice = onNotice;
    this.map = null;
    this.controller = null;
    const renderer = L.canvas();
    const style = (feature) => featureStyle(entry, feature.properties, this.map?.getZoom() ?? 10);
    this.layer = L.geoJSON(null, {
      interactive: false,
      renderer,
      style,
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { ...style(feature), renderer, interactive: false }),
    });
    this.layer.on("add", () => {
      this.map = this.layer._map;
      this.map.on("moveend", this.reload, this);
      this.reload();
    });
    this.layer.on("remove", () => {
      this.map.off("moveend", this.reload, this);
      this.controller?.abort();
      this.map = null;
    });
  }

  setQuery(query) {
    this.query = query;
    if (this.map) this.reload();
  }

  async reload() {
    const map = this.map;
    this.controller?.abort();
    this.layer.clearLayers();
    if (!map || map.getZoom() < this.entry.min_zoom || map.getZoom() > this.entry.max_zoom) return;
    this.controller = new AbortController();
    const params = new URLSearchParams(this.query);
    params.set("bbox", map.getBounds().toBBoxString());
    params.set("limit", GEOJSON_PAGE);
    let url = withQuery(this.entry.urls.geojson, params);
    let count = 0;
    try {
      while (url && count < GEOJSON_MAX_FEATURES) {
        const page = await getJSON(url, { signal: this.controller.signal });
        this.layer.addData(page);
        count += page.features.length;
        url = page.next || null;
      }
      if (url) this.onNotice?.(this.entry, count);
    } catch (error) {
      if (!isAbort(error)) this.onNotice?.(this.entry, count, error);
    }
  }
}

export function createLayerController(entry, { query, zIndex, areasLayer, onNotice }) {
  if (entry.slug === areasLayer) return new AreaOutlinesController(entry, query, zIndex);
  if (entry.render === "tiles") return new TileLayerController(entry, query, zIndex);
  return new GeoJSONLayerController(entry, query, onNotice);
}

// Click on the map: which oblast, district and rural okrug the place is in, the nearest
// settlement (/api/areas/lookup), and the features of the visible layers next to the click
// (each layer's GeoJSON with near=lon,lat, with its filters and the selected area).

import { getJSON, isAbort, withQuery } from "./api.js";
import { h } from "./dom.js";
import { formatNumber, gettext, interpolate, localName } from "./i18n.js";
import { describePosition, isApproximatePosition } from "./positions.js";

// A click "hits" a feature within this many screen pixels of it.
const HIT_TOLERANCE_PX = 10;
// Properties shown per feature in the popup (after its name).
const MAX_PROPERTIES = 6;
const NEAR_FEATURES_PER_LAYER = 3;
// The name heads each feature; its oblast/district/okrug tags (KATO codes every layer carries)
// and a settlement's district and oblast names repeat what the lookup above already says.
// How exact a settlement's point is gets one line of its own ("Position").
const OMITTED_FIELDS = new Set(["name", "oblast", "district", "okrug", "district_name",
  "oblast_name", "position_source", "position_precision_m", "url"]);

/** A feature's name, linked to its own page when the layer gives one (`url`, a site path). */
function nameOrPageLink(properties) {
  const url = properties.url;
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//")
    ? h("a", { href: url }, properties.name) : properties.name;
}

function metresPerPixel(lat, zoom) {
  return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / 2 ** (zoom + 8);
}

function displayValue(value) {
  if (value === true) return gettext("yes");
  if (value === false) return gettext("no");
  if (typeof value === "number") return formatNumber(value);
  return String(value);
}

function approximateBadge() {
  return h("span", { class: "badge" }, gettext("approximate"));
}

export class PlaceLookup {
  /**
   * layers(): the visible catalogue entries to search; query(slug): their current query;
   * selectArea(kato): drill down to an area; colourValue(lookup): {label, value} or null.
   */
  constructor(map, config, { layers, query, selectArea, colourValue }) {
    this.map = map;
    this.config = config;
    this.layers = layers;
    this.query = query;
    this.selectArea = selectArea;
    this.colourValue = colourValue;
    this.controller = null;
    map.on("click", (event) => this.open(event.latlng));
    // Keyboard users: Enter on the focused map looks up the place at its centre.
    map.on("keydown", (event) => {
      if (event.originalEvent.key === "Enter" && event.originalEvent.target === map.getContainer()) {
        this.open(map.getCenter());
      }
    });
  }

  async open(latlng) {
    this.controller?.abort();
    this.controller = new AbortController();
    const { signal } = this.controller;
    const popup = L.popup({
      className: "lookup",
      maxWidth: Math.min(340, this.map.getSize().x - 100),
      // Keep clear of the zoom buttons (and the panel button on narrow screens).
      autoPanPaddingTopLeft: L.point(56, 60),
    })
      .setLatLng(latlng)
      .setContent(h("p", {}, gettext("Looking up this place…")))
      .openOn(this.map);
    const lon = latlng.lng.toFixed(5);
    const lat = latlng.lat.toFixed(5);
    let place;
    try {
      place = await getJSON(withQuery(this.config.urls.lookup, { lon, lat }), { signal });
    } catch (error) {
      if (isAbort(error)) return;
      popup.setContent(this.failure(error, lat, lon));
      return;
    }
    const content = this.describe(place, lat, lon);
    popup.setContent(content);
    const features = await this.nearFeatures(latlng, signal);
    if (features.length) {
      content.append(h("div", { class: "features" }, features));
      popup.update();
    }
  }

  failure(error, lat, lon) {
    const message = error.status === 404
      ? gettext("This place is outside Kazakhstan. Click inside the country's border to see its oblast, district and rural okrug.")
      : interpolate(gettext("Could not look this place up: %(error)s"), { error: error.message }, true);
    return h("div", { class: "lookup-popup" }, h("p", {}, message), h("p", { class: "coords" }, `${lat}, ${lon}`));
  }

  areaButton(area) {
    return h("button", {
      type: "button", class: "link-button",
      on: { click: () => { this.map.closePopup(); this.selectArea(area.kato); } },
    }, localName(area.name));
  }

  describe(place, lat, lon) {
    const rows = [];
    const row = (label, ...value) => rows.push(h("dt", {}, label), h("dd", {}, ...value));
    row(gettext("Oblast"), this.areaButton(place.oblast));
    if (place.district) row(gettext("District"), this.areaButton(place.district));
    if (place.okrug) row(gettext("Rural okrug"), this.areaButton(place.okrug), " ", approximateBadge());
    if (place.settlement) {
      row(gettext("Nearest settlement"), this.settlementLink(place.settlement.kato, localName(place.settlement.name)), " · ",
        interpolate(gettext("%(distance)s km"), { distance: formatNumber(place.settlement.distance_km) }, true));
    }
    const colour = this.colourValue(place);
    if (colour) row(colour.label, formatNumber(colour.value));
    const finest = place.okrug || place.district || place.oblast;
    return h("div", { class: "lookup-popup" },
      h("h3", {}, localName(finest.name)),
      h("dl", {}, rows),
      place.okrug ? h("p", { class: "small muted" }, gettext("Rural okrug boundaries are approximate: drawn from their settlements.")) : null,
      h("p", { class: "coords" }, `${lat}, ${lon}`));
  }

  async nearFeatures(latlng, signal) {
    const km = Math.max(0.05, (HIT_TOLERANCE_PX * metresPerPixel(latlng.lat, this.map.getZoom())) / 1000);
    const entries = this.layers().filter((entry) => this.map.getZoom() >= entry.min_zoom);
    const results = await Promise.all(entries.map(async (entry) => {
      const params = this.query(entry.slug);
      params.set("near", `${latlng.lng.toFixed(5)},${latlng.lat.toFixed(5)}`);
      params.set("within", km.toFixed(3));
      params.set("limit", NEAR_FEATURES_PER_LAYER);
      try {
        const collection = await getJSON(withQuery(entry.urls.geojson, params), { signal });
        return collection.features.length ? this.featureBlock(entry, collection.features) : null;
      } catch (error) {
        if (!isAbort(error)) console.warn(`near query of ${entry.slug} failed:`, error.message);
        return null;
      }
    }));
    return results.filter(Boolean);
  }

  /** A link to a settlement's page: its position, where staff correct it and residents
   *  report a wrong one. */
  settlementLink(kato, text) {
    return h("a", { href: this.config.urls.settlement.replace(this.config.katoPlaceholder, kato) }, text);
  }

  /** A settlement's position: where it comes from and how exact it is, and its page. */
  positionRow(entry, properties) {
    if (!properties.position_source) return null;
    const page = entry.slug === this.config.settlementsLayer && properties.kato
      ? this.settlementLink(properties.kato, gettext("Settlement page"))
      : null;
    return [h("dt", {}, gettext("Position")),
      h("dd", { class: "position" },
        isApproximatePosition(properties) ? [approximateBadge(), " "] : null,
        describePosition(properties),
        page ? [" · ", page] : null)];
  }

  featureBlock(entry, features) {
    const labels = Object.fromEntries(entry.fields.map((field) => [field.name, field.label]));
    return h("section", {},
      h("h4", {}, entry.title),
      features.map((feature) => {
        const properties = feature.properties || {};
        const shown = entry.fields
          .filter((field) => !OMITTED_FIELDS.has(field.name) && properties[field.name] !== null
            && properties[field.name] !== undefined && properties[field.name] !== "")
          .slice(0, MAX_PROPERTIES);
        return h("dl", {},
          properties.name !== undefined ? [h("dt", {}, labels.name || "name"), h("dd", {}, nameOrPageLink(properties))] : null,
          this.positionRow(entry, properties),
          shown.map((field) => [h("dt", {}, field.label), h("dd", {}, displayValue(properties[field.name]))]));
      }));
  }
}
